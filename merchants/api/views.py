from rest_framework import mixins

from config.permissions import AdminViewSet
from merchants.api.serializers import MerchantSerializer
from merchants.models import Merchant
from merchants.services import merchant_create, merchant_delete, merchant_update


class AdminMerchantViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    AdminViewSet,
):
    """Platform admins: merchants (``/api/v1/admin/merchants``)."""

    serializer_class = MerchantSerializer
    queryset = Merchant.objects.all()
    http_method_names = ["get", "post", "patch", "delete"]
    filterset_fields = ["is_active"]

    def perform_create(self, serializer):
        serializer.instance = merchant_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = merchant_update(merchant=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        merchant_delete(merchant=instance)
