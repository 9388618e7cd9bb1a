from django.contrib import admin

from exceptions.models import OrderItemException


@admin.register(OrderItemException)
class OrderItemExceptionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "store", "order", "status", "exception_type", "original_product_name", "created_at"]
    list_filter = ["status", "exception_type", ("store", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["original_gtin", "original_product_name", "original_sku", "order__external_order_number"]
    list_select_related = ["store", "order"]
    readonly_fields = [f.name for f in OrderItemException._meta.fields]
    show_full_result_count = False
