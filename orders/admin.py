"""Orders (every channel) and Settings > Shipping. Read-only pages: every change is an action
through the services (orders.admin_views).

The apps above orders extend the registered order admin rather than being imported here
(docs/architecture.md): exceptions adds its column and filter, letzshop its actions and its part
of the order's page."""

from django import forms
from django.contrib import admin
from django.contrib.admin import DateFieldListFilter
from django.db import models
from django.urls import path
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from config.admin_helpers import (
    BigListMixin,
    ChangeListTitleMixin,
    StoreColumnMixin,
    address_block,
    admin_url,
    badge,
    money,
    status_badge,
    when,
)
from orders import admin_views
from orders.admin_filters import CarrierFilter
from orders.models import Order, OrderItem, ShippingCarrier
from orders.selectors import carrier_names
from stores.admin_filters import StoreFilter


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    fields = ["product_name", "gtin", "quantity", "unit_price", "total_price", "matched_product", "match"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "exception")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("matched product"))
    def matched_product(self, obj):
        if obj.product.is_placeholder:
            return format_html('<span class="ls-muted">{}</span>', _("none (placeholder)"))
        return format_html('{} <span class="ls-muted">{}</span>', obj.product.name, obj.product.sku)

    @admin.display(description=_("match"))
    def match(self, obj):
        return item_match_badge(obj)


def item_match_badge(item: OrderItem) -> str:
    """Matched, or the state of the item's product exception (with a link to resolve it)."""
    exception = getattr(item, "exception", None)
    if exception is None:
        return badge(_("matched"), "ok") if not item.needs_product_match else badge(_("unmatched"), "error")
    label = status_badge(exception.status, exception.get_status_display())
    if exception.status == exception.Status.RESOLVED:
        return label
    return format_html(
        '{} <a href="{}">{}</a>',
        label,
        admin_url("exceptions_orderitemexception_resolve", exception.pk),
        _("Resolve"),
    )


@admin.register(Order)
class OrderAdmin(BigListMixin, StoreColumnMixin, ChangeListTitleMixin, admin.ModelAdmin):
    list_display = ["number", "store", "customer", "total", "status_and_channel", "shipping", "ordered"]
    list_display_links = ["number"]
    changelist_title = _("All orders")
    list_filter = [
        StoreFilter,
        "status",
        "channel",
        CarrierFilter,
        ("created_at", DateFieldListFilter),
    ]
    search_fields = ["^external_order_number", "=shipment_number", "customer_email", "customer_last_name"]
    search_help_text = _("Order number (or its beginning), shipment number (exact), customer email or last name.")
    list_select_related = ["store"]
    inlines = [OrderItemInline]
    actions = ["mark_shipped"]
    list_defer = ("shipping_address", "billing_address")
    # Every order list is served newest first by an index: created_at's, or (store, -created_at)
    # and (status, -created_at) once filtered.
    ordering = ["-created_at", "-id"]
    change_list_template = "admin/marketplace/change_list.html"
    change_form_template = "admin/orders/order/change_form.html"
    fieldsets = [
        (None, {"fields": ["number", "store", "channel", "status", "ordered_at", "created_at", "updated_at"]}),
        (
            _("Customer"),
            {"fields": ["customer_name", "customer_email", "customer_phone", "locale", "total_amount", "currency"]},
        ),
        (
            _("Shipping"),
            {
                "fields": [
                    "shipment_number",
                    "shipping_carrier",
                    "tracking_number",
                    "tracking_url",
                    "shipped_at",
                    "shipping_address_shown",
                    "billing_address_shown",
                ]
            },
        ),
    ]
    readonly_fields = ["number", "customer_name", "shipping_address_shown", "billing_address_shown"]

    @admin.display(description=_("shipping address"))
    def shipping_address_shown(self, obj):
        return address_block(obj.shipping_address)

    @admin.display(description=_("billing address"))
    def billing_address_shown(self, obj):
        return address_block(obj.billing_address)

    def page_annotate(self, rows):
        names = carrier_names()
        for row in rows:
            row.carrier_name = names.get(row.shipping_carrier, row.shipping_carrier)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # read-only: status and shipping change through the actions

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/shipping-label/",
                wrap(lambda request, object_id: admin_views.shipping_label_view(self, request, object_id)),
                name="orders_order_shipping_label",
            ),
            *super().get_urls(),
        ]

    def order_page_context(self, request, order: Order | None) -> dict:
        """What the order's page shows beyond its fields (the apps above extend it)."""
        return admin_views.order_page_context(request, order=order, admin=self)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        page = self.order_page_context(request, self.get_object(request, object_id))
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **page})

    @admin.display(description=_("order"))
    def number(self, obj):
        return str(obj)

    def has_ship_permission(self, request) -> bool:
        return request.user.has_perm("orders.change_order")

    @admin.action(description=_("Mark shipped…"), permissions=["ship"])
    def mark_shipped(self, request, queryset):
        return admin_views.orders_mark_shipped(self, request, queryset, action="mark_shipped")

    @admin.display(description=_("status"))
    def status_and_channel(self, obj):
        return format_html(
            '{}<br><span class="ls-muted">{}</span>',
            status_badge(obj.status, obj.get_status_display()),
            obj.get_channel_display(),
        )

    @admin.display(description=_("customer"))
    def customer(self, obj):
        return format_html('{}<br><span class="ls-muted">{}</span>', obj.customer_name, obj.customer_email)

    @admin.display(description=_("total"))
    def total(self, obj):
        return money(obj.total_amount, obj.currency)

    @admin.display(description=_("ordered"), ordering="ordered_at")
    def ordered(self, obj):
        """When the customer ordered; when it was imported, below."""
        return format_html(
            '{}<br><span class="ls-muted">{} {}</span>',
            when(obj.ordered_at or obj.created_at),
            _("imported"),
            date_format(localtime(obj.created_at), "SHORT_DATE_FORMAT"),
        )

    @admin.display(description=_("created"), ordering="id")
    def created(self, obj):
        return when(obj.created_at)

    @admin.display(description=_("shipping"))
    def shipping(self, obj):
        """Carrier and tracking, and the label link (resolved on click: no query per row)."""
        label = ""
        if obj.shipment_number and obj.shipping_carrier:
            label = format_html(
                '<br><a href="{}" target="_blank" rel="noopener">{}</a>',
                admin_url("orders_order_shipping_label", obj.pk),
                _("Shipping label"),
            )
        return format_html(
            '{}<br><span class="ls-muted">{}</span>{}',
            getattr(obj, "carrier_name", obj.shipping_carrier) or "-",
            obj.tracking_number,
            label,
        )


@admin.register(ShippingCarrier)
class ShippingCarrierAdmin(ChangeListTitleMixin, admin.ModelAdmin):
    """Admin > Settings > Shipping: where each carrier's labels are (prefix + shipment number)."""

    changelist_title = _("Settings > Shipping: carrier label URL prefixes")
    list_display = ["name", "code", "label_url_prefix", "example"]
    formfield_overrides = {models.URLField: {"widget": forms.URLInput(attrs={"size": 45})}}
    list_display_links = ["name"]
    list_editable = ["label_url_prefix"]
    search_fields = ["name", "code"]
    change_list_template = "admin/orders/shippingcarrier/change_list.html"

    @admin.display(description=_("example label URL"))
    def example(self, obj):
        if not obj.label_url_prefix:
            return format_html('<span class="ls-muted">{}</span>', _("no prefix: no label links"))
        return f"{obj.label_url_prefix}H74683403433"
