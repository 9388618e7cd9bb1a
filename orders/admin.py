from django.contrib import admin

from orders.models import Order, OrderItem, ShippingCarrier


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    fields = ["product_name", "gtin", "quantity", "unit_price", "total_price", "product", "needs_product_match"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "store",
        "channel",
        "status",
        "customer_email",
        "total_amount",
        "shipping_carrier",
        "created_at",
    ]
    list_filter = ["status", "channel", "shipping_carrier", "created_at", ("store", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["external_order_number", "shipment_number", "customer_email", "customer_last_name"]
    list_select_related = ["store"]
    date_hierarchy = "created_at"
    inlines = [OrderItemInline]
    show_full_result_count = False
    readonly_fields = ["created_at", "updated_at"]


@admin.register(ShippingCarrier)
class ShippingCarrierAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "label_url_prefix", "updated_at"]
    list_editable = ["label_url_prefix"]
    search_fields = ["name", "code"]
