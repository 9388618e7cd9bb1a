from rest_framework import serializers

from orders.models import Order, OrderItem


class OrderItemSerializer(serializers.ModelSerializer):
    product_id = serializers.IntegerField(read_only=True)
    matched_product_name = serializers.CharField(source="product.name", read_only=True)

    class Meta:
        model = OrderItem
        fields = [
            "id",
            "product_id",
            "matched_product_name",
            "product_name",
            "product_sku",
            "gtin",
            "gtin_type",
            "quantity",
            "unit_price",
            "total_price",
            "inventory_unit_ids",
            "needs_product_match",
        ]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    store_id = serializers.IntegerField(read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)
    customer_name = serializers.CharField(read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "store_id",
            "store_name",
            "channel",
            "status",
            "external_order_id",
            "external_order_number",
            "external_shipment_id",
            "shipment_number",
            "customer_email",
            "customer_name",
            "locale",
            "shipping_country",
            "billing_country",
            "currency",
            "total_amount",
            "shipping_carrier",
            "tracking_number",
            "tracking_url",
            "shipped_at",
            "ordered_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    items = OrderItemSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [
            *OrderSerializer.Meta.fields,
            "customer_first_name",
            "customer_last_name",
            "customer_phone",
            "shipping_address",
            "billing_address",
            "items",
        ]
        read_only_fields = fields


class StatusUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Order.Status.choices)


class ShipSerializer(serializers.Serializer):
    tracking_number = serializers.CharField(required=False, allow_blank=True, default="")
    tracking_url = serializers.CharField(required=False, allow_blank=True, default="")
    shipping_carrier = serializers.CharField(required=False, allow_blank=True, default="")


class ShippingLabelSerializer(serializers.Serializer):
    shipment_number = serializers.CharField(allow_null=True)
    shipping_carrier = serializers.CharField(allow_null=True)
    label_url = serializers.CharField(allow_null=True)
    tracking_number = serializers.CharField(allow_null=True)
    tracking_url = serializers.CharField(allow_null=True)
    message = serializers.CharField(allow_null=True, help_text="Why there is no label URL, when there is none")


class OrderStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_channel = serializers.DictField(child=serializers.IntegerField())
    total_amount = serializers.CharField()
    awaiting_shipment = serializers.IntegerField()


class StoreWithOrdersSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    order_count = serializers.IntegerField()
