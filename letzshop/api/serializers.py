from rest_framework import serializers

from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials
from letzshop.selectors import user_names
from letzshop.services.credentials import credentials_masked_key
from letzshop.wording import error_explain, sync_log_error_text, trigger_label
from orders.services import shipping_label


class CredentialsSerializer(serializers.ModelSerializer):
    """The credentials as the API answers them: the key only ever as ``api_key_masked``."""

    store_id = serializers.IntegerField(read_only=True)
    api_key_masked = serializers.SerializerMethodField()
    last_sync_error = serializers.SerializerMethodField()
    last_sync_error_summary = serializers.SerializerMethodField()

    class Meta:
        model = StoreLetzshopCredentials
        fields = [
            "id",
            "store_id",
            "api_key_masked",
            "api_endpoint",
            "auto_sync_enabled",
            "sync_interval_minutes",
            "last_sync_at",
            "last_sync_status",
            "last_sync_error",
            "last_sync_error_summary",
            "created_at",
            "updated_at",
        ]

    def get_api_key_masked(self, obj) -> str:
        return credentials_masked_key(credentials=obj)

    def get_last_sync_error(self, obj) -> str | None:
        return obj.last_sync_error or None

    def get_last_sync_error_summary(self, obj) -> str | None:
        return error_explain(obj.last_sync_error) or None


class CredentialsInputSerializer(serializers.Serializer):
    """Types only; the rules (allowed hosts, interval range) are the service's."""

    api_key = serializers.CharField(write_only=True, required=False, trim_whitespace=True)
    api_endpoint = serializers.CharField(required=False, allow_blank=True)
    auto_sync_enabled = serializers.BooleanField(required=False)
    sync_interval_minutes = serializers.IntegerField(required=False)


class TestKeySerializer(serializers.Serializer):
    api_key = serializers.CharField(write_only=True)
    api_endpoint = serializers.CharField(required=False, allow_blank=True)


class SchemaDifferenceSerializer(serializers.Serializer):
    type = serializers.CharField()
    field = serializers.CharField()
    argument = serializers.CharField()
    expected = serializers.CharField()
    actual = serializers.CharField(allow_null=True)
    documents = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField()


class SchemaCheckSerializer(serializers.Serializer):
    """Letzshop's live schema against the client's documents (docs/operations.md)."""

    compatible = serializers.BooleanField()
    message = serializers.CharField()
    error = serializers.CharField()
    documents = serializers.ListField(child=serializers.CharField())
    differences = SchemaDifferenceSerializer(many=True)


class ConnectionTestSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    response_time_ms = serializers.FloatField()
    schema = SchemaCheckSerializer(required=False, help_text="present once the connection works")


class IntegrationStatusSerializer(serializers.Serializer):
    """A store's Letzshop integration at a glance (store ``status`` and the admin's ``stores``)."""

    store_id = serializers.IntegerField(source="pk")
    store_name = serializers.CharField(source="name")
    store_code = serializers.CharField(source="code")
    is_configured = serializers.BooleanField()
    api_key_masked = serializers.SerializerMethodField()
    api_endpoint = serializers.SerializerMethodField()
    auto_sync_enabled = serializers.SerializerMethodField()
    sync_interval_minutes = serializers.SerializerMethodField()
    last_sync_at = serializers.SerializerMethodField()
    last_sync_status = serializers.SerializerMethodField()
    last_sync_error = serializers.SerializerMethodField()
    last_sync_error_summary = serializers.SerializerMethodField()
    pending_orders = serializers.IntegerField()
    pending_exceptions = serializers.IntegerField()
    failed_queue_items = serializers.IntegerField()

    def _credentials(self, store):
        return getattr(store, "letzshop_credentials", None) if store.is_configured else None

    def _field(self, store, name, default=None):
        credentials = self._credentials(store)
        return getattr(credentials, name) if credentials is not None else default

    def get_api_key_masked(self, store) -> str | None:
        credentials = self._credentials(store)
        return credentials_masked_key(credentials=credentials) if credentials is not None else None

    def get_api_endpoint(self, store) -> str | None:
        return self._field(store, "api_endpoint")

    def get_auto_sync_enabled(self, store) -> bool:
        return bool(self._field(store, "auto_sync_enabled", False))

    def get_sync_interval_minutes(self, store) -> int | None:
        return self._field(store, "sync_interval_minutes")

    def get_last_sync_at(self, store) -> str | None:
        value = self._field(store, "last_sync_at")
        return serializers.DateTimeField().to_representation(value) if value else None

    def get_last_sync_status(self, store) -> str | None:
        return self._field(store, "last_sync_status") or None

    def get_last_sync_error(self, store) -> str | None:
        return self._field(store, "last_sync_error") or None

    def get_last_sync_error_summary(self, store) -> str | None:
        return error_explain(self._field(store, "last_sync_error")) or None


class LetzshopOrderSerializer(serializers.ModelSerializer):
    """A Letzshop order as the API answers it, with the local order's shipping fields and QC state."""

    store_id = serializers.IntegerField(read_only=True)
    local_order_id = serializers.IntegerField(read_only=True)
    shipment_number = serializers.CharField(source="local_order.shipment_number", default="", read_only=True)
    shipping_carrier = serializers.CharField(source="local_order.shipping_carrier", default="", read_only=True)
    order_status = serializers.CharField(source="local_order.status", default=None, read_only=True)
    ordered_at = serializers.DateTimeField(
        source="local_order.ordered_at", default=None, read_only=True, help_text="When the customer ordered."
    )
    has_exceptions = serializers.BooleanField(read_only=True)
    blocking_exceptions = serializers.IntegerField(read_only=True)

    class Meta:
        model = LetzshopOrder
        fields = [
            "id",
            "store_id",
            "local_order_id",
            "letzshop_order_id",
            "letzshop_shipment_id",
            "letzshop_order_number",
            "letzshop_state",
            "customer_email",
            "customer_name",
            "total_amount",
            "currency",
            "sync_status",
            "order_status",
            "shipment_number",
            "shipping_carrier",
            "tracking_number",
            "tracking_carrier",
            "has_exceptions",
            "blocking_exceptions",
            "inventory_units",
            "ordered_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OrderCountsSerializer(serializers.Serializer):
    all = serializers.IntegerField()
    states = serializers.DictField(child=serializers.IntegerField(), help_text="Orders per Letzshop state.")


class OrderItemExceptionBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exception_type = serializers.CharField()
    status = serializers.CharField()
    original_gtin = serializers.CharField()
    detail = serializers.CharField()


class LetzshopOrderItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    product_name = serializers.CharField()
    matched_product_name = serializers.CharField(source="product.name")
    product_sku = serializers.CharField()
    gtin = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    inventory_unit_ids = serializers.ListField(child=serializers.CharField())
    needs_product_match = serializers.BooleanField()
    exception = serializers.SerializerMethodField()

    def get_exception(self, item) -> dict | None:
        exception = getattr(item, "exception", None)
        return OrderItemExceptionBriefSerializer(exception).data if exception is not None else None


class LetzshopOrderDetailSerializer(LetzshopOrderSerializer):
    items = serializers.SerializerMethodField()
    customer = serializers.SerializerMethodField()
    shipping_label = serializers.SerializerMethodField(
        help_text="The carrier's label: {label_url, message}; label_url is null when it cannot be built, "
        "and message says why."
    )

    class Meta(LetzshopOrderSerializer.Meta):
        fields = [*LetzshopOrderSerializer.Meta.fields, "items", "customer", "shipping_label"]
        read_only_fields = fields

    def get_shipping_label(self, obj) -> dict:
        if obj.local_order is None:
            return {"label_url": None, "message": None}
        label = shipping_label(order=obj.local_order)
        return {"label_url": label["label_url"], "message": label["message"]}

    def get_items(self, obj) -> list[dict]:
        if obj.local_order is None:
            return []
        return LetzshopOrderItemSerializer(obj.local_order.items.all(), many=True).data

    def get_customer(self, obj) -> dict:
        order = obj.local_order
        if order is None:
            return {}
        return {
            "email": order.customer_email,
            "first_name": order.customer_first_name,
            "last_name": order.customer_last_name,
            "phone": order.customer_phone,
            "locale": order.locale,
            "shipping_address": order.shipping_address,
            "billing_address": order.billing_address,
        }


class ImportRequestSerializer(serializers.Serializer):
    operation = serializers.ChoiceField(choices=["order_import"], required=False)
    include_confirmed = serializers.BooleanField(required=False, default=False)
    # At most LETZSHOP_IMPORT_WAIT_SECONDS; 0 answers 202 at once (the portal, which shows progress).
    wait_seconds = serializers.FloatField(required=False, min_value=0, max_value=3600)


class ImportResultSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    orders_imported = serializers.IntegerField()
    orders_updated = serializers.IntegerField()
    orders_unchanged = serializers.IntegerField()
    exceptions_created = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
    status = serializers.CharField()
    sync_log_id = serializers.IntegerField(allow_null=True)


class ImportStartedSerializer(serializers.Serializer):
    """An import still running once the call stopped waiting: poll its sync log."""

    sync_log_id = serializers.IntegerField()
    status = serializers.CharField()


class SyncLogListSerializer(serializers.ListSerializer):
    """The names of the people who started the rows of a page, read in one query."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        self.child.context["user_names"] = user_names(values=[row.triggered_by for row in rows])
        return super().to_representation(rows)


class SyncLogSerializer(serializers.ModelSerializer):
    store_id = serializers.IntegerField(read_only=True)
    queue_item_id = serializers.IntegerField(read_only=True, allow_null=True)
    error_summary = serializers.SerializerMethodField(
        help_text="What went wrong, in a sentence in the request's language (the detail is in error_details)."
    )
    triggered_by_name = serializers.SerializerMethodField(
        help_text="Who started it: a person's name, or Auto-Sync, Command, Queue."
    )

    def get_error_summary(self, obj) -> str:
        return error_explain(sync_log_error_text(obj.error_details))

    def get_triggered_by_name(self, obj) -> str:
        names = self.context.get("user_names")
        if names is None:
            names = user_names(values=[obj.triggered_by])
        return trigger_label(obj.triggered_by, names)

    class Meta:
        model = LetzshopSyncLog
        fields = [
            "id",
            "store_id",
            "operation_type",
            "direction",
            "status",
            "records_processed",
            "records_succeeded",
            "records_failed",
            "error_details",
            "details",
            "started_at",
            "completed_at",
            "duration_seconds",
            "duration_ms",
            "triggered_by",
            "triggered_by_name",
            "error_summary",
            "queue_item_id",
        ]
        read_only_fields = fields
        list_serializer_class = SyncLogListSerializer


class ConfirmSerializer(serializers.Serializer):
    inventory_unit_ids = serializers.ListField(child=serializers.CharField(), required=False, allow_empty=False)


class RejectSerializer(ConfirmSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class TrackingSerializer(serializers.Serializer):
    tracking_number = serializers.CharField(required=False, allow_blank=True, default="")
    tracking_carrier = serializers.CharField(required=False, allow_blank=True, default="")


class QueueItemSerializer(serializers.ModelSerializer):
    store_id = serializers.IntegerField(read_only=True)
    letzshop_order_id = serializers.IntegerField(read_only=True)
    letzshop_order_number = serializers.CharField(source="letzshop_order.letzshop_order_number", read_only=True)
    error_summary = serializers.SerializerMethodField(
        help_text="What went wrong, in a sentence in the request's language (the detail is in error_message)."
    )

    def get_error_summary(self, obj) -> str:
        return error_explain(obj.error_message)

    class Meta:
        model = LetzshopFulfillmentQueue
        fields = [
            "id",
            "store_id",
            "letzshop_order_id",
            "letzshop_order_number",
            "operation",
            "payload",
            "status",
            "attempts",
            "max_attempts",
            "error_message",
            "error_summary",
            "response_data",
            "next_attempt_at",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class QueuedSerializer(serializers.Serializer):
    """202 answer of confirm, reject and tracking: the operation is queued."""

    queue_id = serializers.IntegerField()
    status = serializers.CharField()
    operation = serializers.CharField()
    duplicate = serializers.BooleanField(help_text="true: the same operation was already queued")
    message = serializers.CharField()
