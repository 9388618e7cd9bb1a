"""Marketplace > Letzshop: the stores' dashboard, Letzshop orders, fulfillment queue, sync log.

Thin: the pages and actions are in letzshop.admin_views, the writes in the services. Every list
costs a constant number of queries per page (annotations and select_related, no lookups per
row) and avoids what scans a big table on every page: full result counts, facets, filters
built from a DISTINCT over the listed table, a date hierarchy.
"""

from django.contrib import admin
from django.contrib.admin import DateFieldListFilter
from django.http import HttpResponseRedirect
from django.urls import path
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from config.admin_helpers import (
    BigListMixin,
    ChangeListTitleMixin,
    StoreColumnMixin,
    admin_url,
    badge,
    money,
    outcomes_report,
    pretty_json,
    problem,
    redirect_back,
    status_badge,
    when,
)
from exceptions.admin import OrderWithExceptionsAdmin
from exceptions.selectors import exception_counts_by_order
from letzshop import admin_views, selectors
from letzshop.admin_filters import (
    AutoSyncFilter,
    ConfiguredFilter,
    LastSyncFilter,
    LetzshopCarrierFilter,
    LetzshopHasExceptionsFilter,
)
from letzshop.dashboard import operations_overview
from letzshop.models import (
    LetzshopFulfillmentQueue,
    LetzshopOrder,
    LetzshopStore,
    LetzshopSyncLog,
    SyncRunStatus,
)
from letzshop.wording import error_explain, sync_log_error_text, trigger_label
from orders.models import Order
from orders.selectors import carrier_names
from stores.admin_filters import StoreFilter


def count_link(count: int, url: str, tone: str) -> str:
    if not count:
        return mark_safe('<span class="ls-muted">0</span>')
    return format_html('<a href="{}">{}</a>', url, badge(count, tone))


class LetzshopAdmin(ChangeListTitleMixin, admin.ModelAdmin):
    """What the pages of Marketplace > Letzshop share: the tabs; rows change through actions."""

    change_list_template = "admin/marketplace/change_list.html"
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- the dashboard ------------------------------------------------------------------------


@admin.register(LetzshopStore)
class LetzshopStoreAdmin(LetzshopAdmin):
    """The dashboard: every store's integration at a glance, in one query per page."""

    list_display = [
        "store",
        "configured",
        "auto_sync",
        "last_sync",
        "pending_orders",
        "pending_exceptions",
        "failed_queue_items",
        "configure",
    ]
    changelist_title = _("Letzshop integration of every store")
    change_list_template = "admin/letzshop/letzshopstore/change_list.html"
    list_display_links = None
    list_filter = [ConfiguredFilter, AutoSyncFilter, LastSyncFilter]
    search_fields = ["name", "code", "merchant__name"]
    ordering = ["name", "id"]
    actions = ["import_now", "test_connection", "enable_autosync", "disable_autosync"]

    def get_queryset(self, request):
        return selectors.stores_with_integration_status(stores=super().get_queryset(request))

    def changelist_view(self, request, extra_context=None):
        # What an operator checks first, above the stores (letzshop.dashboard).
        extra_context = {
            **(extra_context or {}),
            "operations": operations_overview(),
            "can_see_notifications": request.user.has_perm("notifications.view_notification"),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/credentials/",
                wrap(lambda request, object_id: admin_views.credentials_configure(self, request, object_id)),
                name="letzshop_letzshopstore_credentials",
            ),
            path(
                "<path:object_id>/credentials/remove/",
                wrap(lambda request, object_id: admin_views.credentials_remove(self, request, object_id)),
                name="letzshop_letzshopstore_credentials_remove",
            ),
            path(
                "import-progress/",
                wrap(lambda request: admin_views.import_progress(self, request)),
                name="letzshop_letzshopstore_import_progress",
            ),
            path(
                "import-progress/status/",
                wrap(lambda request: admin_views.import_progress_status(self, request)),
                name="letzshop_letzshopstore_import_progress_status",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return admin_views.store_detail(self, request, object_id)

    @admin.display(description=_("store"), ordering="name")
    def store(self, obj):
        return format_html(
            '<a href="{}"><strong>{}</strong></a><br><span class="ls-muted">{} · {}</span>',
            admin_url("letzshop_letzshopstore_change", obj.pk),
            obj.name,
            obj.code,
            obj.merchant.name,
        )

    @admin.display(description=_("configured"), boolean=True, ordering="is_configured")
    def configured(self, obj) -> bool:
        return obj.is_configured

    @admin.display(description=_("auto-sync"))
    def auto_sync(self, obj):
        if not obj.is_configured:
            return "-"
        credentials = obj.letzshop_credentials
        if credentials.auto_sync_enabled:
            return badge(_("every %(minutes)d min") % {"minutes": credentials.sync_interval_minutes}, "ok")
        return badge(_("off"))

    @admin.display(description=_("last sync"), ordering="letzshop_credentials__last_sync_at")
    def last_sync(self, obj):
        credentials = obj.letzshop_credentials if obj.is_configured else None
        if credentials is None or credentials.last_sync_at is None:
            return format_html('<span class="ls-muted">{}</span>', _("never"))
        status = credentials.last_sync_status
        return format_html(
            '{}<br><span title="{}">{}</span>',
            when(credentials.last_sync_at),
            " ".join(filter(None, [error_explain(credentials.last_sync_error), credentials.last_sync_error])),
            status_badge(status, credentials.get_last_sync_status_display()),
        )

    @admin.display(description=_("pending orders"), ordering="pending_orders")
    def pending_orders(self, obj):
        return count_link(obj.pending_orders, admin_views.store_links(obj.pk)["pending_orders"], "warn")

    @admin.display(description=_("pending exceptions"), ordering="pending_exceptions")
    def pending_exceptions(self, obj):
        return count_link(obj.pending_exceptions, admin_views.store_links(obj.pk)["exceptions"], "warn")

    @admin.display(description=_("failed queue"), ordering="failed_queue_items")
    def failed_queue_items(self, obj):
        return count_link(obj.failed_queue_items, admin_views.store_links(obj.pk)["failed_queue"], "error")

    @admin.display(description="")
    def configure(self, obj):
        return format_html(
            '<a class="button ls-button-small" href="{}" title="{}">{}</a>',
            admin_url("letzshop_letzshopstore_credentials", obj.pk),
            _("Configure credentials"),
            _("Credentials"),
        )

    @admin.action(description=_("Import now"), permissions=["change"])
    def import_now(self, request, queryset):
        outcomes, runs = admin_views.stores_import(request, queryset)
        outcomes_report(request, outcomes)
        back = redirect_back(request)
        if not runs:
            return back
        return HttpResponseRedirect(admin_views.import_progress_url(runs, back.url if back else None))

    @admin.action(description=_("Test connection"), permissions=["change"])
    def test_connection(self, request, queryset):
        outcomes_report(request, admin_views.stores_connection_test(request, queryset))
        return redirect_back(request)

    @admin.action(description=_("Enable auto-sync"), permissions=["change"])
    def enable_autosync(self, request, queryset):
        outcomes_report(request, admin_views.stores_autosync(request, queryset, enabled=True))
        return redirect_back(request)

    @admin.action(description=_("Disable auto-sync"), permissions=["change"])
    def disable_autosync(self, request, queryset):
        outcomes_report(request, admin_views.stores_autosync(request, queryset, enabled=False))
        return redirect_back(request)


# --- orders ---------------------------------------------------------------------------------


@admin.register(LetzshopOrder)
class LetzshopOrderAdmin(BigListMixin, StoreColumnMixin, admin_views.FulfilmentActionsMixin, LetzshopAdmin):
    list_display = [
        "order_number",
        "store",
        "customer",
        "total",
        "status",
        "exceptions",
        "shipping",
        "ordered",
    ]
    list_display_links = ["order_number"]
    changelist_title = _("Letzshop orders")
    list_filter = [
        StoreFilter,
        "letzshop_state",
        "sync_status",
        LetzshopHasExceptionsFilter,
        LetzshopCarrierFilter,
        ("created_at", DateFieldListFilter),
    ]
    # An order number by its beginning, as the portal finds it ("R5323" finds R532332163).
    search_fields = ["^letzshop_order_number", "=letzshop_shipment_id", "customer_email", "customer_name"]
    search_help_text = _("Order number (or its beginning), shipment id (exact), customer email or name.")
    list_select_related = ["store", "local_order"]
    list_defer = ("raw_order_data", "local_order__shipping_address", "local_order__billing_address")
    indexed_orderings = {"store": ["-created_at", "-id"]}  # lsorder_store_created_idx
    actions = admin_views.FulfilmentActionsMixin.fulfilment_actions
    change_form_template = "admin/letzshop/letzshoporder/change_form.html"
    fieldsets = [
        (None, {"fields": ["letzshop_order_number", "store", "local_order_link", "letzshop_state", "sync_status"]}),
        (_("Customer"), {"fields": ["customer_name", "customer_email", "total_amount", "currency"]}),
        (
            _("Shipping"),
            {"fields": ["shipment_number", "carrier", "tracking_number", "tracking_carrier", "decline_reason"]},
        ),
        (_("Letzshop"), {"fields": ["letzshop_order_id", "letzshop_shipment_id", "created_at", "updated_at"]}),
        (_("Data as received"), {"fields": ["raw_data"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["local_order_link", "shipment_number", "carrier", "raw_data"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("store", "local_order")

    def page_annotate(self, rows):
        counts = exception_counts_by_order(order_ids=[row.local_order_id for row in rows if row.local_order_id])
        names = carrier_names()
        for row in rows:
            row.blocking_exceptions, row.exception_count = counts.get(row.local_order_id, (0, 0))
            row.carrier_names = names

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # read-only: every change is an action through the services

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, object_id)
        page = admin_views.letzshop_order_page_context(request, letzshop_order=order, admin=self)
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **page})

    @admin.display(description=_("order"))
    def order_number(self, obj):
        return obj.letzshop_order_number or obj.letzshop_shipment_id

    @admin.display(description=_("customer"))
    def customer(self, obj):
        return format_html('{}<br><span class="ls-muted">{}</span>', obj.customer_name, obj.customer_email)

    @admin.display(description=_("ordered"), ordering="local_order__ordered_at")
    def ordered(self, obj):
        """When the customer ordered; when it was imported, below."""
        ordered_at = obj.local_order.ordered_at if obj.local_order_id else None
        return format_html(
            '{}<br><span class="ls-muted">{} {}</span>',
            when(ordered_at or obj.created_at),
            _("imported"),
            date_format(localtime(obj.created_at), "SHORT_DATE_FORMAT"),
        )

    @admin.display(description=_("imported"), ordering="id")
    def created(self, obj):
        return when(obj.created_at)

    @admin.display(description=_("total"))
    def total(self, obj):
        return money(obj.total_amount, obj.currency)

    @admin.display(description=_("Letzshop state / sync"))
    def status(self, obj):
        if obj.every_unit_declined:  # one word, not Letzshop's "confirmed" beside our "declined"
            return status_badge("rejected", _("Declined"))
        return format_html(
            "{} {}",
            status_badge(obj.letzshop_state, obj.get_letzshop_state_display()),
            status_badge(obj.sync_status, obj.get_sync_status_display()),
        )

    @admin.display(description=_("shipping"))
    def shipping(self, obj):
        tracking = obj.tracking_number or (obj.local_order.tracking_number if obj.local_order_id else "")
        return format_html('{}<br><span class="ls-muted">{}</span>', self.carrier(obj), tracking)

    @admin.display(description=_("exceptions"))
    def exceptions(self, obj):
        if not obj.blocking_exceptions:
            return format_html('<span class="ls-muted">{}</span>', _("resolved") if obj.exception_count else _("none"))
        url = admin_url("exceptions_orderitemexception_changelist", query=f"order={obj.local_order_id}&status=blocking")
        return format_html(
            '<a href="{}">{}</a>', url, badge(_("%(count)d blocking") % {"count": obj.blocking_exceptions}, "error")
        )

    @admin.display(description=_("carrier"))
    def carrier(self, obj):
        code = (obj.local_order.shipping_carrier if obj.local_order_id else "") or obj.tracking_carrier
        names = getattr(obj, "carrier_names", None)
        if names is None:
            names = carrier_names() if code else {}
        return names.get(code, code) or "-"

    @admin.display(description=_("shipment number"))
    def shipment_number(self, obj):
        return (obj.local_order.shipment_number if obj.local_order_id else "") or "-"

    @admin.display(description=_("local order"))
    def local_order_link(self, obj):
        if not obj.local_order_id:
            return "-"
        return format_html('<a href="{}">{}</a>', admin_url("orders_order_change", obj.local_order_id), obj.local_order)

    @admin.display(description=_("data as received"))
    def raw_data(self, obj):
        return pretty_json(obj.raw_order_data)


class OrderAdmin(OrderWithExceptionsAdmin, admin_views.FulfilmentActionsMixin):
    """All orders, with Letzshop's actions (Confirm, Decline, Set tracking) and Letzshop's part of
    an order's page: letzshop extends the order admin that orders and exceptions registered."""

    actions = admin_views.FulfilmentActionsMixin.fulfilment_actions
    change_form_template = "admin/letzshop/order/change_form.html"

    def order_page_context(self, request, order):
        return admin_views.letzshop_order_page_context(request, order=order, admin=self)


admin.site.unregister(Order)
admin.site.register(Order, OrderAdmin)


# --- the queue and the sync log -------------------------------------------------------------


@admin.register(LetzshopFulfillmentQueue)
class LetzshopFulfillmentQueueAdmin(BigListMixin, LetzshopAdmin):
    list_display = ["row", "order", "status_and_attempts", "timing", "error", "retry"]
    list_display_links = ["row"]
    changelist_title = _("Fulfillment queue")
    list_filter = [StoreFilter, "status", "operation"]
    search_fields = ["^letzshop_order__letzshop_order_number"]
    search_help_text = _("Order number, or its beginning.")
    list_select_related = ["store", "letzshop_order"]
    list_defer = ("payload", "response_data", "letzshop_order__raw_order_data", "letzshop_order__inventory_units")
    actions = ["retry_items"]
    change_form_template = "admin/letzshop/letzshopfulfillmentqueue/change_form.html"
    fieldsets = [
        (None, {"fields": ["store", "order", "operation", "status_shown", "attempts_made", "created_by"]}),
        (
            _("Timing"),
            {
                "fields": [
                    "created_at",
                    "next_attempt_at",
                    "locked_at",
                    "rate_limited_since",
                    "completed_at",
                    "updated_at",
                ]
            },
        ),
        (_("Request"), {"fields": ["payload_shown"]}),
        (_("Outcome"), {"fields": ["error_shown", "response_shown"]}),
        (_("Attempts"), {"fields": ["attempt_log"]}),
    ]
    readonly_fields = [
        "order",
        "rate_limited_since",
        "status_shown",
        "attempts_made",
        "payload_shown",
        "error_shown",
        "response_shown",
        "attempt_log",
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("letzshop.change_letzshopfulfillmentqueue")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/retry/",
                wrap(lambda request, object_id: admin_views.queue_item_retry_view(self, request, object_id)),
                name="letzshop_letzshopfulfillmentqueue_retry",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_retry": self.has_retry_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("operation"), ordering="id")
    def row(self, obj):
        return format_html("#{} {}", obj.pk, obj.get_operation_display())

    @admin.display(description=_("order"))
    def order(self, obj):
        return format_html(
            '<a href="{}">{}</a><br><span class="ls-muted">{}</span>',
            admin_url("letzshop_letzshoporder_change", obj.letzshop_order_id),
            obj.letzshop_order,
            obj.store.name,
        )

    @admin.display(description=_("status"))
    def status_and_attempts(self, obj):
        attempts = _("%(attempts)d of %(max)d attempts") % {"attempts": obj.attempts, "max": obj.max_attempts}
        return format_html(
            '{}<br><span class="ls-muted">{}</span>', status_badge(obj.status, obj.get_status_display()), attempts
        )

    @admin.display(description=_("when"))
    def timing(self, obj):
        if obj.status == LetzshopFulfillmentQueue.Status.PENDING and obj.next_attempt_at:
            return format_html('{}<br><span class="ls-muted">{}</span>', when(obj.next_attempt_at), _("next attempt"))
        return format_html('{}<br><span class="ls-muted">{}</span>', when(obj.updated_at), _("last change"))

    @admin.display(description=_("status"))
    def status_shown(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description=_("attempts"))
    def attempts_made(self, obj):
        return f"{obj.attempts} / {obj.max_attempts}"

    @admin.display(description=_("error"))
    def error(self, obj):
        return problem(error_explain(obj.error_message), obj.error_message)

    @admin.display(description="")
    def retry(self, obj):
        if obj.status != LetzshopFulfillmentQueue.Status.FAILED:
            return ""
        return format_html(
            '<button type="submit" class="button ls-button-small" formaction="{}" formnovalidate>{}</button>',
            admin_url("letzshop_letzshopfulfillmentqueue_retry", obj.pk),
            _("Retry"),
        )

    @admin.display(description=_("payload"))
    def payload_shown(self, obj):
        return pretty_json(obj.payload)

    @admin.display(description=_("error"))
    def error_shown(self, obj):
        return problem(error_explain(obj.error_message), obj.error_message)

    @admin.display(description=_("Letzshop response"))
    def response_shown(self, obj):
        return pretty_json(obj.response_data)

    @admin.display(description=_("attempts"))
    def attempt_log(self, obj):
        logs = obj.sync_logs.order_by("started_at", "id")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{} ms</td><td>{}</td></tr>",
            (
                (
                    when(log.started_at),
                    status_badge(log.status, log.get_status_display()),
                    log.duration_ms,
                    log_problem(log.error_details),
                )
                for log in logs
            ),
        )
        if not rows:
            return "-"
        return format_html(
            '<table class="ls-table"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            _("started"),
            _("status"),
            _("duration"),
            _("error"),
            rows,
        )

    @admin.action(description=_("Retry"), permissions=["retry"])
    def retry_items(self, request, queryset):
        outcomes_report(request, admin_views.queue_retry(request, queryset))


def log_problem(error_details) -> str:
    text = sync_log_error_text(error_details)
    return problem(error_explain(text), text) if text else ""


@admin.register(LetzshopSyncLog)
class LetzshopSyncLogAdmin(BigListMixin, StoreColumnMixin, LetzshopAdmin):
    indexed_orderings = {"store": ["-started_at", "-id"]}  # synclog_store_started_idx
    list_display = ["started", "store", "operation", "outcome", "counts", "duration", "summary", "trigger"]
    list_display_links = ["started"]
    changelist_title = _("Sync log")
    list_filter = [StoreFilter, "operation_type", "direction", "status"]
    list_select_related = ["store"]
    actions = None
    fieldsets = [
        (None, {"fields": ["store", "operation_type", "direction", "outcome", "trigger", "queue_item"]}),
        (_("Counts"), {"fields": ["records_processed", "records_succeeded", "records_failed"]}),
        (_("Timing"), {"fields": ["started_at", "completed_at", "duration"]}),
        (_("Details"), {"fields": ["error_summary", "details_shown", "errors_shown"]}),
    ]
    readonly_fields = ["outcome", "duration", "trigger", "error_summary", "details_shown", "errors_shown"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_changelist_instance(self, request):
        # The names of the people who started the page's rows, in one query.
        changelist = super().get_changelist_instance(request)
        names = selectors.user_names(values=[row.triggered_by for row in changelist.result_list])
        for row in changelist.result_list:
            row.trigger_names = names
        return changelist

    @admin.display(description=_("triggered by"))
    def trigger(self, obj):
        names = getattr(obj, "trigger_names", None)
        if names is None:
            names = selectors.user_names(values=[obj.triggered_by])
        return trigger_label(obj.triggered_by, names) or "-"

    @admin.display(description=_("what went wrong"))
    def error_summary(self, obj):
        text = sync_log_error_text(obj.error_details)
        return problem(error_explain(text), text) if text else "-"

    @admin.display(description=_("status"))
    def outcome(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description=_("started"), ordering="id")
    def started(self, obj):
        return when(obj.started_at)

    @admin.display(description=_("operation"))
    def operation(self, obj):
        return format_html(
            '{}<br><span class="ls-muted">{}</span>', obj.get_operation_type_display(), obj.get_direction_display()
        )

    @admin.display(description=_("processed / succeeded / failed"))
    def counts(self, obj):
        failed = obj.records_failed
        return format_html(
            "{} / {} / {}",
            obj.records_processed,
            obj.records_succeeded,
            format_html('<span class="ls-error-text">{}</span>', failed) if failed else failed,
        )

    @admin.display(description=_("duration"))
    def duration(self, obj):
        if obj.status == SyncRunStatus.RUNNING:
            return badge(_("running"), "info")
        if obj.duration_ms < 1000:
            return _("%(ms)d ms") % {"ms": obj.duration_ms}
        return _("%(seconds).1f s") % {"seconds": obj.duration_ms / 1000}

    @admin.display(description=_("summary"))
    def summary(self, obj):
        details = obj.details if isinstance(obj.details, dict) else {}
        if "message" in details:
            return details["message"]
        text = sync_log_error_text(obj.error_details)
        if text:
            return problem(error_explain(text), text)
        if "order" in details:
            return details["order"]
        return ""

    @admin.display(description=_("details"))
    def details_shown(self, obj):
        return pretty_json(obj.details)

    @admin.display(description=_("errors"))
    def errors_shown(self, obj):
        return pretty_json(obj.error_details)
