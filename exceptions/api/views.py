"""The QC workflow over the API: ``/api/v1/admin/order-exceptions`` (every store, platform
admins) and ``/api/v1/store/order-exceptions`` (the current store, every role)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from config.errors import InvalidInput
from config.ids import id_parse
from config.permissions import AdminViewSet
from config.rest import validated
from exceptions import selectors, services
from exceptions.api.filters import AdminExceptionFilter, ExceptionFilter
from exceptions.api.serializers import (
    BulkResolveResultSerializer,
    BulkResolveSerializer,
    ExceptionResolvedSerializer,
    ExceptionStatsSerializer,
    IgnoreSerializer,
    OrderItemExceptionSerializer,
    ResolveSerializer,
)
from exceptions.models import OrderItemException
from stores.models import Store
from stores.selectors import store_get
from stores.tenancy import StoreScopedViewSet

STORE_ID_PARAMETER = OpenApiParameter("store_id", int, description="The store whose exceptions to resolve")


def _store_id_param(request, *, required: bool) -> Store | None:
    value = (request.query_params.get("store_id") or "").strip()
    if not value:
        if required:
            raise InvalidInput(_("Name the store: add ?store_id=<id> to the URL."), field="store_id")
        return None
    return store_get(store_id=id_parse(value, field="store_id"))


class ExceptionWorkflowMixin(mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """List, read, resolve, ignore, bulk-resolve: the same for platform admins and stores; only
    where the store of a bulk resolution comes from differs (``bulk_store``)."""

    serializer_class = OrderItemExceptionSerializer

    def bulk_store(self, request) -> Store:
        raise NotImplementedError

    def _answer(self, exception: OrderItemException, **extra) -> dict:
        # Read again through the scoped queryset: one query with the order, item, product, user.
        fresh = self.get_queryset().get(pk=exception.pk)
        return {**OrderItemExceptionSerializer(fresh).data, **extra}

    @extend_schema(request=ResolveSerializer, responses=ExceptionResolvedSerializer)
    @action(detail=True, methods=["post"], serializer_class=ResolveSerializer)
    def resolve(self, request, *args, **kwargs):
        """Assign a product of the same store to the item; optionally to every pending exception
        of the store with this GTIN. Answers the exception and how many were resolved."""
        exception = self.get_object()
        data = validated(ResolveSerializer, request)
        count = services.exception_resolve(exception=exception, user=request.user, **data)
        return Response(self._answer(exception, exceptions_resolved=count))

    @extend_schema(request=IgnoreSerializer, responses=OrderItemExceptionSerializer)
    @action(detail=True, methods=["post"], serializer_class=IgnoreSerializer)
    def ignore(self, request, *args, **kwargs):
        """Mark as ignored, with a reason. The order still cannot be confirmed."""
        exception = self.get_object()
        data = validated(IgnoreSerializer, request)
        services.exception_ignore(exception=exception, user=request.user, **data)
        return Response(self._answer(exception))

    @extend_schema(request=BulkResolveSerializer, responses=BulkResolveResultSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-resolve", serializer_class=BulkResolveSerializer)
    def bulk_resolve(self, request, *args, **kwargs):
        """Resolve every pending exception of the store with this GTIN (in any of its forms)."""
        store = self.bulk_store(request)
        data = validated(BulkResolveSerializer, request)
        count = services.exceptions_bulk_resolve(store=store, user=request.user, **data)
        return Response(
            {"store_id": store.pk, "gtin": data["gtin"], "product_id": data["product_id"], "exceptions_resolved": count}
        )


class AdminOrderExceptionViewSet(ExceptionWorkflowMixin, AdminViewSet):
    """Every store's product exceptions (``/api/v1/admin/order-exceptions``)."""

    filterset_class = AdminExceptionFilter
    permission_model = "exceptions.OrderItemException"

    def get_queryset(self):
        return selectors.exception_list(store=None)

    def bulk_store(self, request) -> Store:
        return _store_id_param(request, required=True)

    @extend_schema(
        parameters=[STORE_ID_PARAMETER], request=BulkResolveSerializer, responses=BulkResolveResultSerializer
    )
    @action(detail=False, methods=["post"], url_path="bulk-resolve", serializer_class=BulkResolveSerializer)
    def bulk_resolve(self, request, *args, **kwargs):
        """Resolve every pending exception of ``?store_id=`` with this GTIN (in any of its forms)."""
        return super().bulk_resolve(request, *args, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("store_id", int, description="One store's (every store's without it)")],
        responses=ExceptionStatsSerializer,
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def stats(self, request, *args, **kwargs):
        """``{pending, resolved, ignored, total, orders_with_exceptions}``."""
        store = _store_id_param(request, required=False)
        return Response(selectors.exception_stats(store=store))


class StoreOrderExceptionViewSet(ExceptionWorkflowMixin, StoreScopedViewSet):
    """The current store's product exceptions (``/api/v1/store/order-exceptions``); every
    store role works them (docs/exceptions.md)."""

    tenant_model = OrderItemException
    filterset_class = ExceptionFilter

    def scoped_queryset(self, store):
        return selectors.exception_list(store=store)

    def bulk_store(self, request) -> Store:
        return self.store


class StoreOrderExceptionStatsViewSet(StoreScopedViewSet):
    """``GET /api/v1/store/order-exceptions/stats``: counts, not rows (hence no tenant_model)."""

    permission_model = "exceptions.OrderItemException"
    serializer_class = ExceptionStatsSerializer

    @extend_schema(responses=ExceptionStatsSerializer)
    def stats(self, request, *args, **kwargs):
        """``{pending, resolved, ignored, total, orders_with_exceptions}`` of the current store."""
        return Response(selectors.exception_stats(store=self.store))
