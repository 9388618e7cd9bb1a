from rest_framework import serializers

from billing.models import Invoice, Plan, Subscription


class PlanSerializer(serializers.ModelSerializer):
    """A plan; its limits are the model's (config.validation checks them again in the service)."""

    class Meta:
        model = Plan
        fields = [
            "code",
            "name",
            "max_stores",
            "min_sync_interval_minutes",
            "monthly_order_limit",
            "price_monthly",
            "overage_price_per_order",
            "is_active",
        ]
        extra_kwargs = {"code": {"validators": []}}


class PlanUpdateSerializer(PlanSerializer):
    class Meta(PlanSerializer.Meta):
        read_only_fields = ["code"]


class UsageSerializer(serializers.Serializer):
    stores = serializers.IntegerField()
    orders_imported = serializers.IntegerField()
    overage_orders = serializers.IntegerField(required=False)
    orders_percent = serializers.IntegerField(required=False)
    stores_percent = serializers.IntegerField(required=False)


class SubscriptionSerializer(serializers.ModelSerializer):
    plan = PlanSerializer(read_only=True)
    merchant_id = serializers.IntegerField(read_only=True)
    usage = serializers.SerializerMethodField()

    class Meta:
        model = Subscription
        fields = ["merchant_id", "plan", "status", "current_period_start", "current_period_end", "usage"]

    def get_usage(self, subscription) -> dict:
        return UsageSerializer(self.context["usage"]).data


class SubscriptionInputSerializer(serializers.Serializer):
    plan = serializers.CharField(max_length=32)
    status = serializers.ChoiceField(choices=Subscription.Status.choices, required=False)


class InvoiceSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="display_number")

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "period_start",
            "period_end",
            "plan_code",
            "plan_name",
            "lines",
            "orders_imported",
            "overage_orders",
            "subtotal",
            "vat_rate",
            "vat_amount",
            "total",
            "currency",
            "status",
            "issued_at",
        ]
