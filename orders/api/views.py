from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from config.permissions import AdminViewSet
from config.rest import validated
from orders import selectors, services
from orders.api.filters import OrderFilter
from orders.api.serializers import (
    OrderDetailSerializer,
    OrderSerializer,
    OrderStatsSerializer,
    ShippingLabelSerializer,
    ShipSerializer,
    StatusUpdateSerializer,
    StoreWithOrdersSerializer,
)


class AdminOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AdminViewSet):
    """Orders across stores, for platform admins (``/api/v1/admin/orders``)."""

    filterset_class = OrderFilter
    permission_model = "orders.Order"

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.order_list().prefetch_related("items__product")
        return selectors.order_list().order_by("-created_at", "-id")

    def get_serializer_class(self):
        return OrderDetailSerializer if self.action == "retrieve" else OrderSerializer

    @extend_schema(responses=OrderStatsSerializer)
    @action(detail=False, methods=["get"], filterset_class=OrderFilter)
    def stats(self, request):
        """Counts by status and channel of the orders the filters select."""
        orders = self.filter_queryset(selectors.order_list())
        return Response(selectors.order_stats(orders=orders))

    @extend_schema(responses=StoreWithOrdersSerializer(many=True))
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def stores(self, request):
        """The stores that have orders, with how many."""
        stores = selectors.stores_with_orders()
        return Response(StoreWithOrdersSerializer(stores, many=True).data)

    @extend_schema(request=StatusUpdateSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["patch"], url_path="status", filterset_class=None)
    def update_status(self, request, pk=None):
        """Change the local status; only the allowed transitions (409 otherwise)."""
        order = self.get_object()
        data = validated(StatusUpdateSerializer, request)
        order = services.order_status_update(order=order, status=data["status"])
        return Response(OrderSerializer(order).data)

    @extend_schema(request=ShipSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def ship(self, request, pk=None):
        """Mark as shipped locally (nothing is sent to Letzshop)."""
        order = self.get_object()
        data = validated(ShipSerializer, request)
        order = services.order_mark_shipped(order=order, **data)
        return Response(OrderSerializer(order).data)

    @extend_schema(responses=ShippingLabelSerializer)
    @action(detail=True, methods=["get"], url_path="shipping-label", filterset_class=None)
    def shipping_label(self, request, pk=None):
        """The label URL: the carrier's prefix + the shipment number (``message`` says why not)."""
        return Response(services.shipping_label(order=self.get_object()))
