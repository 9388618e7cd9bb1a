"""The Exceptions tab of Marketplace > Letzshop: counts, Resolve (with a product search within
the order's store) and Ignore (with a reason). Writes go through exceptions.services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.admin_helpers import (
    RETURN_TO,
    action_confirmed,
    action_page,
    admin_url,
    error,
    form_error,
    outcomes_report,
    redirect_back,
    selection_too_big,
    success,
    warning,
)
from config.errors import Conflict, NotFound, ServiceError
from config.ids import id_or_none
from exceptions.admin_forms import IgnoreForm, ResolveForm
from exceptions.models import OrderItemException
from exceptions.selectors import exception_get, exception_list, exception_stats, exceptions_with_gtin
from exceptions.services import exception_ignore, exception_resolve
from stores.models import Store
from stores.selectors import product_list

SEARCH_RESULTS = 20
Status = OrderItemException.Status


def _exception(modeladmin, request, object_id) -> OrderItemException:
    try:
        exception = exception_get(store=None, exception_id=object_id)
    except NotFound:
        raise Http404(_("This exception does not exist.")) from None
    if not modeladmin.has_view_permission(request, exception):
        raise PermissionDenied
    return exception


def _can_work(modeladmin, request) -> bool:
    return modeladmin.has_work_permission(request)


def stats_context(request) -> dict:
    """The tab's counts (for the store filtered on, if any) and the links that filter by them."""
    store_id = id_or_none(request.GET.get("store", ""))
    store = Store.objects.filter(pk=store_id).first() if store_id is not None else None
    stats = exception_stats(store=store)
    base = f"store={store.pk}&" if store else ""
    current = request.GET.get("status", "pending")
    tabs = [
        (
            value,
            label,
            stats[value],
            admin_url("exceptions_orderitemexception_changelist", query=f"{base}status={value}"),
        )
        for value, label in (
            (Status.PENDING, _("Pending")),
            (Status.RESOLVED, _("Resolved")),
            (Status.IGNORED, _("Ignored")),
        )
    ]
    tabs.append(
        (
            "all",
            _("All"),
            stats["total"],
            admin_url("exceptions_orderitemexception_changelist", query=f"{base}status=all"),
        )
    )
    return {
        "exception_stats": stats,
        "exception_tabs": tabs,
        "exception_status": current,
        "orders_affected_url": admin_url("letzshop_letzshoporder_changelist", query=f"{base}exceptions=unresolved"),
        "stats_store": store,
    }


def _pending_with_same_gtin(exception: OrderItemException) -> int:
    """How many other pending exceptions of the store "Apply to all" would resolve too."""
    gtin = exception.gtin_normalized or exception.original_gtin
    if not gtin.strip():
        return 0
    others = exception_list(store=exception.store).filter(status=Status.PENDING).exclude(pk=exception.pk)
    return exceptions_with_gtin(queryset=others, gtin=gtin).count()


def _products(exception: OrderItemException, search: str) -> list:
    search = (search or "").strip()
    if not search:
        return []
    return list(
        product_list(store=exception.store, search=search)
        .filter(is_active=True)  # an inactive product cannot resolve an exception
        .only("id", "name", "sku", "gtin", "price", "is_active")
        .order_by("name", "id")[:SEARCH_RESULTS]
    )


def product_search(modeladmin, request, object_id):
    """JSON for the as-you-type search: products of the exception's store by name, SKU or GTIN."""
    exception = _exception(modeladmin, request, object_id)
    results = [
        {
            "id": product.pk,
            "name": product.name,
            "sku": product.sku,
            "gtin": product.gtin,
            "price": f"{product.price:.2f}",
            "is_active": product.is_active,
        }
        for product in _products(exception, request.GET.get("q", ""))
    ]
    return JsonResponse({"results": results, "limit": SEARCH_RESULTS})


def resolve(modeladmin, request, object_id):
    """Choose the product this item is; optionally every pending exception with its GTIN too."""
    exception = _exception(modeladmin, request, object_id)
    if not _can_work(modeladmin, request):
        raise PermissionDenied
    form = ResolveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            count = exception_resolve(
                exception=exception,
                product_id=form.cleaned_data["product_id"],
                user=request.user,
                notes=form.cleaned_data["notes"],
                apply_to_all_with_gtin=form.cleaned_data["apply_to_all_with_gtin"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            product = exception.resolved_product
            messages.success(
                request,
                ngettext(
                    "Resolved %(count)d exception with %(product)s.",
                    "Resolved %(count)d exceptions with %(product)s.",
                    count,
                )
                % {"count": count, "product": product},
            )
            return redirect_back(request) or HttpResponseRedirect(
                admin_url(
                    "exceptions_orderitemexception_changelist", query=f"store={exception.store_id}&status=pending"
                )
            )
    search = request.GET.get("q", "")
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": _("Resolve a product exception"),
        "subtitle": None,
        "original": exception,
        "exception": exception,
        "form": form,
        "search": search,
        "products": _products(exception, search),
        "search_limit": SEARCH_RESULTS,
        "same_gtin_pending": _pending_with_same_gtin(exception),
        "search_url": admin_url("exceptions_orderitemexception_products", exception.pk),
        "order_url": admin_url("orders_order_change", exception.order_id),
        "return_to_name": RETURN_TO,
        "return_to": _return_to(request),
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "admin/exceptions/orderitemexception/resolve.html", context)


def ignore(modeladmin, request, object_id):
    exception = _exception(modeladmin, request, object_id)
    if not _can_work(modeladmin, request):
        raise PermissionDenied
    form = IgnoreForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            exception_ignore(
                exception=exception,
                user=request.user,
                reason=form.cleaned_data["reason"],
                notes=form.cleaned_data["notes"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("Ignored the exception of %(gtin)s in order %(order)s; it still blocks the order's confirmation.")
                % {"gtin": exception.original_gtin or "-", "order": exception.order},
            )
            return redirect_back(request) or HttpResponseRedirect(
                admin_url(
                    "exceptions_orderitemexception_changelist", query=f"store={exception.store_id}&status=pending"
                )
            )
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": _("Ignore a product exception"),
        "subtitle": None,
        "original": exception,
        "exception": exception,
        "form": form,
        "order_url": admin_url("orders_order_change", exception.order_id),
        "return_to_name": RETURN_TO,
        "return_to": _return_to(request),
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "admin/exceptions/orderitemexception/ignore.html", context)


def _return_to(request) -> str:
    """Where to go once done: the list the person came from (kept across the form's posts)."""
    if request.method == "POST":
        return request.POST.get(RETURN_TO, "")
    referer = request.headers.get("referer", "")
    return referer if "/exceptions/orderitemexception/" in referer and "/resolve/" not in referer else ""


def exceptions_ignore(modeladmin, request, queryset, *, action: str):
    """Ask for one reason, then ignore every selected exception."""
    if selection_too_big(request, queryset):
        return None
    form = IgnoreForm(request.POST if action_confirmed(request) else None)
    if form.is_bound and form.is_valid():
        outcomes = []
        for exception in queryset:
            label = f"{exception.original_gtin or '-'} ({exception.order})"
            try:
                exception_ignore(
                    exception=exception,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    notes=form.cleaned_data["notes"],
                )
            except Conflict as exc:
                outcomes.append(warning(label, exc.message))
            except ServiceError as exc:
                outcomes.append(error(label, exc.message))
            else:
                outcomes.append(success(label, _("ignored (still blocks the order's confirmation)")))
        outcomes_report(request, outcomes)
        return redirect_back(request)
    return action_page(
        modeladmin,
        request,
        queryset,
        action=action,
        title=_("Ignore product exceptions"),
        form=form,
        intro=_("An ignored exception still blocks its order's confirmation to Letzshop."),
        submit_label=_("Ignore"),
    )
