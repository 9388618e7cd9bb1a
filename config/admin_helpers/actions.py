"""The intermediate pages of admin actions that ask for something (a reason, a tracking
number), the way back to where an action started, and the limits of a selection."""

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.admin import helpers
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.admin_helpers.outcomes import Outcome, error, outcomes_report, success
from config.errors import ServiceError

RETURN_TO = "_return_to"
# Actions that call Letzshop or ask for input per object refuse bigger selections.
MAX_ACTION_OBJECTS = 200


def admin_url(name: str, *args, query: str = "") -> str:
    """The URL of an admin page (``letzshop_letzshoporder_changelist``), with a query string."""
    url = reverse(f"admin:{name}", args=args)
    return f"{url}?{query}" if query else url


def selection_too_big(request, queryset, limit: int | None = None) -> bool:
    """True (and says so) when an action is asked for more objects than it takes at once."""
    limit = limit or MAX_ACTION_OBJECTS
    if queryset[: limit + 1].count() <= limit:
        return False
    messages.error(
        request,
        ngettext(
            "This action takes at most %(limit)d object at a time: select fewer.",
            "This action takes at most %(limit)d objects at a time: select fewer.",
            limit,
        )
        % {"limit": limit},
    )
    return True


def redirect_back(request, *, or_referer: bool = False) -> HttpResponseRedirect | None:
    """Back to the page the action was started from (an object's page), if it said so."""
    targets = [request.POST.get(RETURN_TO), request.GET.get(RETURN_TO)]
    if or_referer:
        targets.append(request.headers.get("referer"))
    for target in targets:
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return HttpResponseRedirect(target)
    return None


def action_page(
    modeladmin,
    request,
    queryset,
    *,
    action: str,
    title: str,
    form=None,
    formset=None,
    rows: Sequence[tuple[Any, Any]] | None = None,
    intro: str = "",
    submit_label: str = "",
) -> TemplateResponse:
    """The page an action shows to ask for its input; it posts back to the same action.

    ``form`` asks once for every selected object, ``formset`` once per object (``rows`` pairs
    each object with its form)."""
    opts = modeladmin.model._meta
    for subject, row_form in rows or ():
        # One row per object under column headers: each input names its column and its object.
        for field in row_form.visible_fields():
            field.field.widget.attrs["aria-label"] = f"{field.label} ({subject})"
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": opts,
        "app_label": opts.app_label,
        "action": action,
        "objects": list(queryset),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "form": form,
        "formset": formset,
        "rows": rows,
        "intro": intro,
        "submit_label": submit_label or _("Apply"),
        "return_to": request.POST.get(RETURN_TO, ""),
        "media": modeladmin.media + form.media if form is not None else modeladmin.media,
    }
    return TemplateResponse(request, "admin/letzshop/action_form.html", context)


def form_error(form, exc) -> None:
    """Show a service's refusal (a ServiceError) on the field it names, else on the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def action_confirmed(request) -> bool:
    """The intermediate page was submitted (not the first click on the action)."""
    return request.method == "POST" and "apply" in request.POST


def per_order_form_action(
    modeladmin,
    request,
    queryset,
    *,
    action: str,
    orders: Sequence[Any],
    skipped: Sequence[Outcome],
    formset_class,
    prefix: str,
    initial: Callable[[Any], dict],
    apply: Callable[[Any, dict], None],
    done: str,
    page: dict,
):
    """An action that asks for a row of fields per order (tracking, shipping), then calls
    ``apply(order, row)`` for each (a service) and reports per order what happened.

    ``page`` holds the intermediate page's ``title``, ``intro`` and ``submit_label`` (and any
    more context for its template)."""
    if not orders:
        outcomes_report(request, skipped)
        return redirect_back(request)
    if action_confirmed(request):
        formset = formset_class(request.POST, prefix=prefix)
        if formset.is_valid():
            by_id = {order.pk: order for order in orders}
            outcomes = list(skipped)
            for row in formset.cleaned_data:
                order = by_id.get(row.get("order_id"))
                if order is None:
                    continue
                try:
                    apply(order, row)
                except ServiceError as exc:
                    outcomes.append(error(order, exc.message))
                else:
                    outcomes.append(success(order, done))
            outcomes_report(request, outcomes)
            return redirect_back(request)
    else:
        formset = formset_class(initial=[initial(order) for order in orders], prefix=prefix)
    extra = dict(page)
    context = {key: extra.pop(key) for key in ("title", "intro", "submit_label")}
    response = action_page(
        modeladmin,
        request,
        queryset,
        action=action,
        formset=formset,
        rows=list(zip(orders, formset.forms, strict=True)),
        **context,
    )
    response.context_data.update(extra)
    return response
