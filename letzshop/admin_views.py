"""Pages and actions of "Marketplace > Letzshop" in the admin.

Every write goes through the services (credentials, imports, fulfillment); what is here turns
a request into service calls and what happened to each store, order or queue row into an
``Outcome`` the admin reports (config.admin_helpers).
"""

from collections.abc import Iterable
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from config.admin_helpers import (
    Outcome,
    action_confirmed,
    action_page,
    admin_url,
    error,
    form_error,
    outcomes_report,
    per_order_form_action,
    redirect_back,
    selection_too_big,
    success,
    warning,
)
from config.errors import Conflict, InvalidInput, ServiceError
from exceptions.selectors import blocking_exception_count
from letzshop import selectors
from letzshop.admin_forms import CredentialsForm, DeclineForm, TrackingFormSet
from letzshop.crypto import CredentialsDecryptionError
from letzshop.imports import ImportResult, import_begin, import_dispatch, import_result_of
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopStore, SyncRunStatus
from letzshop.services import connection as connection_services
from letzshop.services import credentials as credentials_services
from letzshop.services import fulfillment
from letzshop.services.sync_log import trigger_of
from letzshop.wording import error_explain
from orders.admin_views import order_page_context, orders_mark_shipped
from orders.models import Order
from orders.selectors import carrier_names

RECENT_ROWS = 10
QUEUE_ROWS_SHOWN = 20


def store_links(store_id: int) -> dict[str, str]:
    """Where a store's orders, exceptions, queue and log are, already filtered to it."""
    return {
        "detail": admin_url("letzshop_letzshopstore_change", store_id),
        "credentials": admin_url("letzshop_letzshopstore_credentials", store_id),
        "orders": admin_url("letzshop_letzshoporder_changelist", query=f"store={store_id}"),
        "pending_orders": admin_url(
            "letzshop_letzshoporder_changelist", query=f"store={store_id}&letzshop_state__exact=unconfirmed"
        ),
        "exceptions": admin_url("exceptions_orderitemexception_changelist", query=f"store={store_id}&status=pending"),
        "failed_queue": admin_url(
            "letzshop_letzshopfulfillmentqueue_changelist", query=f"store={store_id}&status__exact=failed"
        ),
        "queue": admin_url("letzshop_letzshopfulfillmentqueue_changelist", query=f"store={store_id}"),
        "sync_log": admin_url("letzshop_letzshopsynclog_changelist", query=f"store={store_id}"),
    }


# --- stores ---------------------------------------------------------------------------------


def stores_import(request, stores: Iterable) -> tuple[list[Outcome], list[int]]:
    """Start each store's import in a worker (never in this request); the outcomes say which
    started, and the ids are the sync log rows the progress page follows."""
    outcomes, runs = [], []
    for store in stores:
        if not getattr(store, "is_configured", True):
            outcomes.append(warning(store, _("no Letzshop credentials yet: configure them first")))
            continue
        try:
            start = import_begin(store=store, triggered_by=trigger_of(request.user))
        except ServiceError as exc:
            outcomes.append(error(store, exc.message))
            continue
        if isinstance(start, ImportResult):
            outcomes.append(warning(store, _("an import of this store is already running")))
            if start.sync_log_id:
                runs.append(start.sync_log_id)
            continue
        import_dispatch(start)
        runs.append(start.sync_log.pk)
        outcomes.append(success(store, _("import started")))
    return outcomes, runs


def _run_ids(request) -> list[int]:
    ids = []
    for part in request.GET.get("runs", "").split(",")[:100]:
        if part.strip().isdigit() and len(part.strip()) < 19:
            ids.append(int(part))
    return ids


def import_progress_url(runs: list[int], back: str | None) -> str:
    query = urlencode({"runs": ",".join(str(run) for run in runs), **({"back": back} if back else {})})
    return admin_url("letzshop_letzshopstore_import_progress", query=query)


def import_progress(modeladmin, request):
    """The imports just started, each with its live progress (read from its sync log row by
    ``import_progress_status``, which this page polls). The address names the runs: the page
    can be left and opened again."""
    back = request.GET.get("back", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = admin_url("letzshop_letzshopstore_changelist")
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": _("Imports"),
        "subtitle": None,
        "runs": _import_runs(request, modeladmin),
        "status_url": admin_url("letzshop_letzshopstore_import_progress_status", query=request.GET.urlencode()),
        "back": back,
        "changelist_url": admin_url("letzshop_letzshopstore_changelist"),
    }
    return TemplateResponse(request, "admin/letzshop/letzshopstore/import_progress.html", context)


def import_progress_status(modeladmin, request):
    """The runs of the progress page as JSON: a sentence each, and whether all ended."""
    runs = _import_runs(request, modeladmin)
    return JsonResponse({"runs": runs, "done": all(run["done"] for run in runs)})


def _import_runs(request, modeladmin) -> list[dict]:
    logs = selectors.import_runs(ids=_run_ids(request))
    return [_import_run(log) for log in logs if modeladmin.has_view_permission(request, log.store)]


def _import_run(log) -> dict:
    result = import_result_of(log)
    done = log.status != SyncRunStatus.RUNNING
    progress = (log.details or {}).get("progress", {})
    if not done:
        text = _("%(pages)d pages read, %(shipments)d shipments: %(imported)d new, %(updated)d updated") % {
            "pages": progress.get("pages", 0),
            "shipments": progress.get("shipments", 0),
            "imported": progress.get("imported", 0),
            "updated": progress.get("updated", 0),
        }
        left = progress.get("seconds_left")
        if left is not None:
            text += " · " + (_("about %(time)s left") % {"time": _duration(left)})
        elif not progress.get("pages"):
            text = _("waiting for a worker, or for the first page from Letzshop")
        level = "info"
    else:
        text = result.message or log.get_status_display()
        if log.status == SyncRunStatus.SUCCESS:
            text += " · " + (
                ngettext("%(count)d unchanged", "%(count)d unchanged", result.orders_unchanged)
                % {"count": result.orders_unchanged}
            )
            if result.exceptions_created:
                text += " · " + (
                    ngettext(
                        "%(count)d new product exception", "%(count)d new product exceptions", result.exceptions_created
                    )
                    % {"count": result.exceptions_created}
                )
        level = {SyncRunStatus.SUCCESS: "ok", SyncRunStatus.PARTIAL: "warn"}.get(log.status, "error")
    return {
        "id": log.pk,
        "store": str(log.store),
        "store_url": admin_url("letzshop_letzshopstore_change", log.store_id),
        "status": log.status,
        "status_label": log.get_status_display(),
        "done": done,
        "level": level,
        "text": text,
        "pages": progress.get("pages", 0) if not done else result.pages,
        "shipments": progress.get("shipments", 0),
        "expected": progress.get("expected"),
        "seconds_left": progress.get("seconds_left"),
    }


def _duration(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = round(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def stores_connection_test(request, stores: Iterable) -> list[Outcome]:
    outcomes = []
    for store in stores:
        if not getattr(store, "is_configured", True):
            outcomes.append(warning(store, _("no Letzshop credentials yet: configure them first")))
            continue
        try:
            result = connection_services.connection_test(store=store, triggered_by=trigger_of(request.user))
        except ServiceError as exc:
            outcomes.append(error(store, exc.message))
            continue
        if result.success:
            text = _("connection successful (%(ms)d ms)") % {"ms": round(result.response_time_ms)}
            schema = result.schema or {}
            text = f"{text}. {schema['message']}" if schema.get("message") else text
            outcomes.append(success(store, text) if schema.get("compatible", True) else warning(store, text))
        else:
            outcomes.append(error(store, _("connection failed: %(message)s") % {"message": result.message}))
    return outcomes


def stores_autosync(request, stores: Iterable, *, enabled: bool) -> list[Outcome]:
    outcomes = []
    for store in stores:
        if not getattr(store, "is_configured", True):
            outcomes.append(warning(store, _("no Letzshop credentials yet: configure them first")))
            continue
        try:
            credentials = credentials_services.credentials_save(store=store, auto_sync_enabled=enabled, partial=True)
        except ServiceError as exc:
            outcomes.append(error(store, exc.message))
            continue
        if enabled:
            text = _("auto-sync on, every %(minutes)d minutes") % {"minutes": credentials.sync_interval_minutes}
        else:
            text = _("auto-sync off")
        outcomes.append(success(store, text))
    return outcomes


def store_detail(modeladmin, request, object_id):
    """A store's integration: status, credentials (masked), recent sync log and failed rows."""
    store = selectors.stores_with_integration_status(stores=LetzshopStore.objects.filter(pk=object_id)).first()
    if store is None or not modeladmin.has_view_permission(request, store):
        raise Http404(_("This store does not exist."))
    credentials = store.letzshop_credentials if store.is_configured else None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": store.name,
        "subtitle": None,
        "store": store,
        "original": store,
        "credentials": credentials,
        "masked_key": credentials_services.credentials_masked_key(credentials=credentials) if credentials else "",
        "sync_logs": list(selectors.sync_log_list(store=store).order_by("-started_at", "-id")[:RECENT_ROWS]),
        "failed_queue": list(
            selectors.queue_list(store=store)
            .filter(status=LetzshopFulfillmentQueue.Status.FAILED)
            .order_by("-updated_at", "-id")[:RECENT_ROWS]
        ),
        "links": store_links(store.pk),
        "changelist_url": admin_url("letzshop_letzshopstore_changelist"),
        "can_change": modeladmin.has_change_permission(request, store),
        "action_checkbox_name": "_selected_action",
    }
    return TemplateResponse(request, "admin/letzshop/letzshopstore/store_detail.html", context)


def credentials_configure(modeladmin, request, object_id):
    """Configure credentials; "Save & Test" saves, then tests the connection and reports it."""
    store = get_object_or_404(LetzshopStore, pk=object_id)
    if not modeladmin.has_change_permission(request, store):
        raise PermissionDenied
    credentials = selectors.credentials_find(store=store)
    masked = credentials_services.credentials_masked_key(credentials=credentials) if credentials else ""
    form = CredentialsForm(
        request.POST if request.method == "POST" else None, credentials=credentials, masked_key=masked
    )
    offer_save_anyway = False
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        refused = None
        if "_save_test" in request.POST:
            try:
                refused = _trial_refusal(credentials, arguments)
            except InvalidInput as exc:
                form_error(form, exc)
                refused = ""
        if refused:
            # Save & Test: a key or endpoint that does not work never replaces what is stored,
            # unless the admin says so ("Save anyway").
            field = "api_key" if "api_key" in arguments else "api_endpoint"
            form.add_error(field, refused)
            offer_save_anyway = True
        elif refused is None:
            try:
                credentials_services.credentials_save(store=store, **arguments)
            except InvalidInput as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("The Letzshop credentials of %(store)s were saved.") % {"store": store})
                if "_save_test" in request.POST:
                    outcomes_report(request, stores_connection_test(request, [store]))
                return HttpResponseRedirect(admin_url("letzshop_letzshopstore_change", store.pk))
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": _("Letzshop credentials of %(store)s") % {"store": store},
        "subtitle": None,
        "store": store,
        "original": store,
        "form": form,
        "adminform_errors": form.errors,
        "credentials": credentials,
        "offer_save_anyway": offer_save_anyway,
        "links": store_links(store.pk),
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/letzshop/letzshopstore/credentials_form.html", context)


def _trial_refusal(credentials, arguments: dict) -> str | None:
    """Save & Test, the test first: the key and endpoint about to be saved are tried on Letzshop
    before anything is written. None when they work (or nothing the test covers changes), else
    why not, in a sentence. InvalidInput for a key or endpoint the rules refuse."""
    endpoint = arguments["api_endpoint"]
    if "api_key" in arguments:
        key = arguments["api_key"]
    elif credentials is not None and endpoint != credentials.api_endpoint:
        try:
            key = credentials_services.credentials_api_key(credentials=credentials)
        except CredentialsDecryptionError:
            return None  # the stored key is unreadable: nothing to keep; the test after saving says so
    else:
        return None
    trial = connection_services.api_key_test(api_key=key, api_endpoint=endpoint)
    if trial.success:
        return None
    return _(
        "%(reason)s Nothing was saved: the stored credentials are kept. "
        "Correct the key or the endpoint, or use Save anyway."
    ) % {"reason": error_explain(trial.message)}


def credentials_remove(modeladmin, request, object_id):
    store = get_object_or_404(LetzshopStore, pk=object_id)
    if not modeladmin.has_change_permission(request, store):
        raise PermissionDenied
    if request.method == "POST":
        try:
            credentials_services.credentials_delete(store=store)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The Letzshop credentials of %(store)s were removed.") % {"store": store})
        return HttpResponseRedirect(admin_url("letzshop_letzshopstore_change", store.pk))
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": _("Remove the Letzshop credentials of %(store)s?") % {"store": store},
        "subtitle": None,
        "store": store,
        "original": store,
        "links": store_links(store.pk),
    }
    return TemplateResponse(request, "admin/letzshop/letzshopstore/credentials_remove.html", context)


# --- orders ---------------------------------------------------------------------------------


def letzshop_orders_for(queryset) -> tuple[list[LetzshopOrder], list[Outcome]]:
    """The Letzshop orders behind a selection of Letzshop orders or of local orders; local
    orders from another channel are reported, not sent."""
    if queryset.model is LetzshopOrder:
        return list(queryset), []
    local_orders = list(queryset)
    by_local = {
        order.local_order_id: order
        for order in LetzshopOrder.objects.select_related("local_order").filter(
            local_order__in=[o.pk for o in local_orders]
        )
    }
    found, skipped = [], []
    for local in local_orders:
        if local.pk in by_local:
            found.append(by_local[local.pk])
        else:
            skipped.append(warning(local, _("not a Letzshop order: there is nothing to send to Letzshop")))
    return found, skipped


def orders_confirm(request, queryset) -> None:
    if selection_too_big(request, queryset):
        return None
    orders, outcomes = letzshop_orders_for(queryset)
    for order in orders:
        try:
            _row, created = fulfillment.order_confirm(order=order, user=request.user)
        except Conflict as exc:
            blocking = blocking_exception_count(order_id=order.local_order_id) if order.local_order_id else 0
            if blocking:
                text = ngettext(
                    "blocked by %(count)d unresolved product exception",
                    "blocked by %(count)d unresolved product exceptions",
                    blocking,
                ) % {"count": blocking}
                outcomes.append(warning(order, text))
            else:
                outcomes.append(warning(order, exc.message))
        except ServiceError as exc:
            outcomes.append(error(order, exc.message))
        else:
            text = _("confirmation queued for Letzshop") if created else _("confirmation already queued")
            outcomes.append(success(order, text))
    outcomes_report(request, outcomes)
    return redirect_back(request)


def orders_decline(modeladmin, request, queryset, *, action: str):
    """Ask for a reason, then queue the decline of every selected order."""
    if selection_too_big(request, queryset):
        return None
    form = DeclineForm(request.POST if action_confirmed(request) else None)
    if form.is_bound and form.is_valid():
        orders, outcomes = letzshop_orders_for(queryset)
        for order in orders:
            try:
                _row, created = fulfillment.order_decline(
                    order=order, reason=form.cleaned_data["reason"], user=request.user
                )
            except ServiceError as exc:
                outcomes.append(error(order, exc.message))
            else:
                text = _("decline queued for Letzshop") if created else _("decline already queued")
                outcomes.append(success(order, text))
        outcomes_report(request, outcomes)
        return redirect_back(request)
    return action_page(
        modeladmin,
        request,
        queryset,
        action=action,
        title=_("Decline orders"),
        form=form,
        intro=_("Every inventory unit still unconfirmed in these orders is declined on Letzshop."),
        submit_label=_("Decline"),
    )


def orders_set_tracking(modeladmin, request, queryset, *, action: str):
    """Ask for each order's tracking number and carrier, then keep and queue them."""
    if selection_too_big(request, queryset):
        return None
    orders, skipped = letzshop_orders_for(queryset)
    return per_order_form_action(
        modeladmin,
        request,
        queryset,
        action=action,
        orders=orders,
        skipped=skipped,
        formset_class=TrackingFormSet,
        prefix="tracking",
        initial=lambda order: {
            "order_id": order.pk,
            "tracking_number": order.tracking_number,
            "tracking_carrier": order.tracking_carrier
            or (order.local_order.shipping_carrier if order.local_order_id else ""),
        },
        apply=lambda order, row: fulfillment.order_set_tracking(
            order=order,
            tracking_number=row["tracking_number"],
            tracking_carrier=row["tracking_carrier"],
            user=request.user,
        ),
        done=_("tracking kept and queued for Letzshop"),
        page={
            "title": _("Set tracking"),
            "intro": _("The tracking is kept on the order at once and sent to Letzshop through the queue."),
            "submit_label": _("Set tracking"),
            "carrier_suggestions": carrier_names(),
        },
    )


# --- the queue ------------------------------------------------------------------------------


def queue_item_label(item: LetzshopFulfillmentQueue) -> str:
    return _("#%(id)d %(operation)s of %(order)s") % {
        "id": item.pk,
        "operation": item.get_operation_display(),
        "order": item.letzshop_order,
    }


def queue_retry(request, items: Iterable[LetzshopFulfillmentQueue]) -> list[Outcome]:
    outcomes = []
    for item in items:
        try:
            fulfillment.queue_item_retry(item=item)
        except ServiceError as exc:
            outcomes.append(warning(queue_item_label(item), exc.message))
        else:
            outcomes.append(success(queue_item_label(item), _("queued again with fresh attempts")))
    return outcomes


def queue_item_retry_view(modeladmin, request, object_id):
    """The Retry button of one row (in the list and on the row's page)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not modeladmin.has_retry_permission(request):
        raise PermissionDenied
    item = get_object_or_404(LetzshopFulfillmentQueue.objects.select_related("letzshop_order"), pk=object_id)
    outcomes_report(request, queue_retry(request, [item]))
    return redirect_back(request, or_referer=True) or HttpResponseRedirect(
        admin_url("letzshop_letzshopfulfillmentqueue_changelist")
    )


class FulfilmentActionsMixin:
    """Confirm, Decline, Set tracking and Mark shipped, on Letzshop orders and local orders."""

    fulfilment_actions = ["confirm_orders", "decline_orders", "set_tracking", "mark_shipped"]

    def has_fulfil_permission(self, request) -> bool:
        return request.user.has_perm("letzshop.change_letzshoporder")

    def has_ship_permission(self, request) -> bool:
        # Marking a Letzshop order shipped changes its local order: the same right as fulfilling.
        return self.has_fulfil_permission(request)

    @admin.action(description=gettext_lazy("Confirm"), permissions=["fulfil"])
    def confirm_orders(self, request, queryset):
        return orders_confirm(request, queryset)

    @admin.action(description=gettext_lazy("Decline…"), permissions=["fulfil"])
    def decline_orders(self, request, queryset):
        return orders_decline(self, request, queryset, action="decline_orders")

    @admin.action(description=gettext_lazy("Set tracking…"), permissions=["fulfil"])
    def set_tracking(self, request, queryset):
        return orders_set_tracking(self, request, queryset, action="set_tracking")

    @admin.action(description=gettext_lazy("Mark shipped…"), permissions=["ship"])
    def mark_shipped(self, request, queryset):
        return orders_mark_shipped(self, request, queryset, action="mark_shipped")


def letzshop_order_page_context(
    request, *, admin, letzshop_order: LetzshopOrder | None = None, order: Order | None = None
) -> dict:
    """An order's page seen from either side (the Letzshop order or its local order): the local
    order's part (orders.admin_views) and Letzshop's (its units, its queue rows, the fulfillment
    buttons that can apply; the services still have the last word)."""
    if letzshop_order is None and order is not None:
        letzshop_order = LetzshopOrder.objects.filter(local_order=order).first()
    if order is None and letzshop_order is not None and letzshop_order.local_order_id:
        order = letzshop_order.local_order
    selected = letzshop_order if admin.model is LetzshopOrder else order
    context = order_page_context(request, admin=admin, order=order, selected=selected)
    context.update({"letzshop_order": letzshop_order, "queue_rows": []})
    if letzshop_order is None:
        return context
    context["queue_rows"] = list(letzshop_order.queue_items.order_by("-id")[:QUEUE_ROWS_SHOWN])
    # An operation on its way: the page follows it until Letzshop has answered (admin.js).
    context["queue_waiting"] = any(
        row.status in LetzshopFulfillmentQueue.OPEN_STATUSES for row in context["queue_rows"]
    )
    context["inventory_units"] = letzshop_order.inventory_units
    if admin.has_fulfil_permission(request):
        buttons = []
        if any(unit.get("state") == "unconfirmed" for unit in letzshop_order.inventory_units):
            buttons += [("confirm_orders", _("Confirm")), ("decline_orders", _("Decline…"))]
        if not letzshop_order.every_unit_declined:  # nothing to ship, nothing to track
            buttons.append(("set_tracking", _("Set tracking…")))
        context["fulfil_buttons"] = buttons + context["fulfil_buttons"]
    return context
