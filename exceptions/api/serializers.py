from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from exceptions.models import OrderItemException


class ExceptionItemSerializer(serializers.Serializer):
    """The order line as the channel sent it, and the product it points at now."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="product_name")
    sku = serializers.CharField(source="product_sku")
    gtin = serializers.CharField()
    quantity = serializers.IntegerField()
    product_id = serializers.IntegerField()
    needs_product_match = serializers.BooleanField()


class ExceptionProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sku = serializers.CharField()
    gtin = serializers.CharField()


class ExceptionUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class OrderItemExceptionSerializer(serializers.ModelSerializer):
    store_id = serializers.IntegerField(read_only=True)
    order_id = serializers.IntegerField(read_only=True)
    order_number = serializers.CharField(source="order.external_order_number", read_only=True)
    order_item = ExceptionItemSerializer(read_only=True)
    resolved_product = ExceptionProductSerializer(read_only=True, allow_null=True)
    resolved_by = ExceptionUserSerializer(read_only=True, allow_null=True)
    blocks_confirmation = serializers.BooleanField(read_only=True)

    class Meta:
        model = OrderItemException
        fields = [
            "id",
            "store_id",
            "order_id",
            "order_number",
            "order_item",
            "exception_type",
            "status",
            "blocks_confirmation",
            "original_gtin",
            "gtin_normalized",
            "original_product_name",
            "original_sku",
            "detail",
            "resolved_product",
            "resolved_by",
            "resolved_at",
            "ignore_reason",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ExceptionResolvedSerializer(OrderItemExceptionSerializer):
    """The updated exception and how many exceptions the request resolved in all."""

    exceptions_resolved = serializers.IntegerField(read_only=True)

    class Meta(OrderItemExceptionSerializer.Meta):
        fields = [*OrderItemExceptionSerializer.Meta.fields, "exceptions_resolved"]
        read_only_fields = fields


class ResolveSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(help_text=_("A product of the exception's store"))
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    apply_to_all_with_gtin = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Also resolve every pending exception of the store with the same GTIN"),
    )


class IgnoreSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500,
        help_text=_("Why this item will never be matched"),
        error_messages={
            "required": _("Say why this exception is ignored."),
            "blank": _("Say why this exception is ignored."),
            "null": _("Say why this exception is ignored."),
        },
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class BulkResolveSerializer(serializers.Serializer):
    gtin = serializers.CharField(max_length=64)
    product_id = serializers.IntegerField()
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class BulkResolveResultSerializer(serializers.Serializer):
    store_id = serializers.IntegerField()
    gtin = serializers.CharField()
    product_id = serializers.IntegerField()
    exceptions_resolved = serializers.IntegerField()


class ExceptionStatsSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    resolved = serializers.IntegerField()
    ignored = serializers.IntegerField()
    total = serializers.IntegerField()
    orders_with_exceptions = serializers.IntegerField(
        help_text=_("Orders with at least one pending or ignored exception (they cannot be confirmed)")
    )
