from django.contrib import admin

from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials


@admin.register(StoreLetzshopCredentials)
class StoreLetzshopCredentialsAdmin(admin.ModelAdmin):
    list_display = [
        "store",
        "api_endpoint",
        "auto_sync_enabled",
        "sync_interval_minutes",
        "last_sync_at",
        "last_sync_status",
    ]
    list_filter = ["auto_sync_enabled", "last_sync_status"]
    search_fields = ["store__name", "store__code"]
    list_select_related = ["store"]
    # The encrypted key is never shown, not even encrypted.
    exclude = ["api_key_encrypted"]


@admin.register(LetzshopOrder)
class LetzshopOrderAdmin(admin.ModelAdmin):
    list_display = ["__str__", "store", "letzshop_state", "sync_status", "customer_email", "total_amount", "created_at"]
    list_filter = ["letzshop_state", "sync_status", ("store", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["letzshop_order_number", "letzshop_shipment_id", "customer_email", "customer_name"]
    list_select_related = ["store"]
    show_full_result_count = False


@admin.register(LetzshopFulfillmentQueue)
class LetzshopFulfillmentQueueAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "store",
        "operation",
        "status",
        "attempts",
        "max_attempts",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "operation", ("store", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["store"]


@admin.register(LetzshopSyncLog)
class LetzshopSyncLogAdmin(admin.ModelAdmin):
    list_display = ["operation_type", "store", "direction", "status", "records_processed", "duration_ms", "started_at"]
    list_filter = ["operation_type", "direction", "status", ("store", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["store"]
