from rest_framework import serializers

from loyalty.models import LoyaltyMember, LoyaltyProgram, PointTransaction


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = LoyaltyProgram
        fields = ["active", "points_per_eur"]


class ProgramInputSerializer(serializers.Serializer):
    active = serializers.BooleanField(required=False)
    points_per_eur = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, max_value=1000, required=False
    )


class TransactionSerializer(serializers.ModelSerializer):
    order_number = serializers.SerializerMethodField()
    email = serializers.CharField(source="member.email", read_only=True)

    class Meta:
        model = PointTransaction
        fields = [
            "id",
            "email",
            "reason",
            "points",
            "balance_after",
            "order_id",
            "order_number",
            "store_id",
            "unit_ids",
            "note",
            "created_at",
        ]

    def get_order_number(self, tx) -> str | None:
        return str(tx.order) if tx.order_id else None


class HistorySerializer(TransactionSerializer):
    class Meta(TransactionSerializer.Meta):
        fields = [f for f in TransactionSerializer.Meta.fields if f != "email"]


class MemberSerializer(serializers.ModelSerializer):
    transactions = HistorySerializer(many=True, read_only=True)

    class Meta:
        model = LoyaltyMember
        fields = ["email", "points_balance", "transactions"]


class AdjustSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    points = serializers.IntegerField(min_value=-(10**9), max_value=10**9)
    reason = serializers.CharField(max_length=500)
