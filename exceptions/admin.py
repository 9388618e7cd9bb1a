"""The Exceptions tab of Marketplace > Letzshop (pages and actions in exceptions.admin_views)."""

from django.contrib import admin
from django.contrib.admin import DateFieldListFilter
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from config.admin_helpers import BigListMixin, ChangeListTitleMixin, admin_url, badge, status_badge, when
from exceptions import admin_views
from exceptions.admin_filters import HasExceptionsFilter
from exceptions.models import OrderItemException
from exceptions.selectors import exception_counts_by_order
from orders.admin import OrderAdmin
from orders.models import Order
from stores.admin_filters import StoreFilter

Status = OrderItemException.Status


class ExceptionStatusFilter(admin.SimpleListFilter):
    """Pending first: the tab opens on what needs work. "Blocking" is pending or ignored."""

    title = _("status")
    parameter_name = "status"
    default = Status.PENDING

    def lookups(self, request, model_admin):
        return [
            *Status.choices,
            ("blocking", _("Blocking (pending or ignored)")),
            ("all", _("All")),
        ]

    def value(self):
        return super().value() or self.default

    def queryset(self, request, queryset):
        value = self.value()
        if value == "all":
            return queryset
        if value == "blocking":
            return queryset.filter(status__in=OrderItemException.BLOCKING_STATUSES)
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset.none()

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class ExceptionOrderFilter(admin.SimpleListFilter):
    """The exceptions of one order (reached from an order's "blocking" badge)."""

    title = _("order")
    parameter_name = "order"

    def lookups(self, request, model_admin):
        value = request.GET.get(self.parameter_name, "")
        if not value.isdigit():
            return []
        order = Order.objects.filter(pk=int(value)).only("id", "external_order_number").first()
        return [(value, str(order) if order else value)]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(order_id=int(value)) if value and value.isdigit() else queryset


@admin.register(OrderItemException)
class OrderItemExceptionAdmin(BigListMixin, ChangeListTitleMixin, admin.ModelAdmin):
    list_display = ["gtin", "product", "order_link", "status_and_product", "created", "work"]
    list_display_links = None
    changelist_title = _("Product exceptions")
    list_filter = [
        ExceptionStatusFilter,
        StoreFilter,
        ExceptionOrderFilter,
        "exception_type",
        ("created_at", DateFieldListFilter),
    ]
    search_fields = ["original_gtin", "original_product_name", "original_sku", "=order__external_order_number"]
    search_help_text = _("GTIN, product name or SKU as received, or the order number (exact).")
    list_select_related = ["store", "order", "resolved_product"]
    actions = ["ignore_selected"]
    change_list_template = "admin/exceptions/orderitemexception/change_list.html"
    # The tab always filters by status (pending unless asked): (status, -created_at) serves it.
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # resolve and ignore are the ways to change an exception

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_work_permission(self, request) -> bool:
        return request.user.has_perm("exceptions.change_orderitemexception")

    def get_urls(self):
        wrap = self.admin_site.admin_view

        def view(function):
            return wrap(lambda request, object_id: function(self, request, object_id))

        return [
            path("<path:object_id>/resolve/", view(admin_views.resolve), name="exceptions_orderitemexception_resolve"),
            path("<path:object_id>/ignore/", view(admin_views.ignore), name="exceptions_orderitemexception_ignore"),
            path(
                "<path:object_id>/products/",
                view(admin_views.product_search),
                name="exceptions_orderitemexception_products",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), **admin_views.stats_context(request)}
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("GTIN"))
    def gtin(self, obj):
        return format_html(
            '<code>{}</code><br><span class="ls-muted">{}</span>',
            obj.original_gtin or "-",
            obj.get_exception_type_display(),
        )

    @admin.display(description=_("product as received"))
    def product(self, obj):
        return format_html(
            '{}<br><span class="ls-muted">{}</span>', obj.original_product_name or "-", obj.original_sku or ""
        )

    @admin.display(description=_("order"))
    def order_link(self, obj):
        return format_html(
            '<a href="{}">{}</a><br><span class="ls-muted">{}</span>',
            admin_url("orders_order_change", obj.order_id),
            obj.order,
            obj.store.name,
        )

    @admin.display(description=_("status"))
    def status_and_product(self, obj):
        label = status_badge(obj.status, obj.get_status_display())
        if obj.status == Status.RESOLVED and obj.resolved_product_id:
            return format_html('{}<br><span class="ls-muted">{}</span>', label, obj.resolved_product.name)
        if obj.status == Status.IGNORED:
            return format_html('{}<br><span class="ls-muted">{}</span>', label, obj.ignore_reason)
        return label

    @admin.display(description=_("created"), ordering="id")
    def created(self, obj):
        return when(obj.created_at)

    @admin.display(description="")
    def work(self, obj):
        resolve = format_html(
            '<a class="button ls-button-small" href="{}">{}</a>',
            admin_url("exceptions_orderitemexception_resolve", obj.pk),
            _("Resolve") if obj.status != Status.RESOLVED else _("Change product"),
        )
        if obj.status != Status.PENDING:
            return resolve
        ignore = format_html(
            '<a class="button ls-button-small ls-button-quiet" href="{}">{}</a>',
            admin_url("exceptions_orderitemexception_ignore", obj.pk),
            _("Ignore"),
        )
        # A wrapping row with a gap: in a narrow column the two buttons go one under the other
        # instead of overlapping (inline buttons' padding spills over the line).
        return format_html('<span class="ls-actions">{}{}</span>', resolve, ignore)

    @admin.action(description=_("Ignore…"), permissions=["work"])
    def ignore_selected(self, request, queryset):
        return admin_views.exceptions_ignore(self, request, queryset, action="ignore_selected")


class OrderWithExceptionsAdmin(OrderAdmin):
    """All orders, with their blocking exceptions: a column linking to them and a filter
    (exceptions extends the order admin that orders registered)."""

    list_display = [*OrderAdmin.list_display[:-2], "exceptions", *OrderAdmin.list_display[-2:]]
    list_filter = [*OrderAdmin.list_filter[:3], HasExceptionsFilter, *OrderAdmin.list_filter[3:]]

    def page_annotate(self, rows):
        super().page_annotate(rows)
        counts = exception_counts_by_order(order_ids=[row.pk for row in rows])
        for row in rows:
            row.blocking_exceptions = counts.get(row.pk, (0, 0))[0]

    @admin.display(description=_("exceptions"))
    def exceptions(self, obj):
        if not obj.blocking_exceptions:
            return format_html('<span class="ls-muted">{}</span>', _("none"))
        url = admin_url("exceptions_orderitemexception_changelist", query=f"order={obj.pk}&status=blocking")
        text = _("%(count)d blocking") % {"count": obj.blocking_exceptions}
        return format_html('<a href="{}">{}</a>', url, badge(text, "error"))


admin.site.unregister(Order)
admin.site.register(Order, OrderWithExceptionsAdmin)
