from rest_framework import serializers

from merchants.models import Merchant


class MerchantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Merchant
        fields = ["id", "name", "email", "is_active", "created_at"]
        read_only_fields = ["id", "created_at"]
