from django.conf import settings
from django.db.models import F, Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.permissions import AdminViewSet
from config.rest import validated
from config.throttles import CredentialsChangeThrottle
from letzshop import selectors
from letzshop.api.filters import LetzshopOrderFilter, QueueFilter, SyncLogFilter
from letzshop.api.serializers import (
    ConfirmSerializer,
    ConnectionTestSerializer,
    CredentialsInputSerializer,
    CredentialsSerializer,
    ImportRequestSerializer,
    ImportResultSerializer,
    ImportStartedSerializer,
    IntegrationStatusSerializer,
    LetzshopOrderDetailSerializer,
    LetzshopOrderSerializer,
    OrderCountsSerializer,
    QueuedSerializer,
    QueueItemSerializer,
    RejectSerializer,
    SyncLogSerializer,
    TestKeySerializer,
    TrackingSerializer,
)
from letzshop.imports import ImportResult, ImportStatus, import_begin, import_dispatch, import_wait
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials
from letzshop.services import connection as connection_services
from letzshop.services import credentials as credentials_services
from letzshop.services import fulfillment
from letzshop.services.sync_log import trigger_of
from orders.models import OrderItem
from stores.tenancy import StoreScopedViewSet


def _test_key(request) -> Response:
    data = validated(TestKeySerializer, request)
    result = connection_services.api_key_test(api_key=data["api_key"], api_endpoint=data.get("api_endpoint"))
    return Response(result.as_dict())


class StoreLetzshopViewSet(StoreScopedViewSet):
    """The store's Letzshop connection: ``/api/v1/store/letzshop/{status,credentials,test,test-key}``,
    and for platform admins ``/api/v1/admin/letzshop/stores/{store_pk}/{credentials,test}``."""

    permission_model = StoreLetzshopCredentials
    managing_actions = frozenset({"credentials_save", "credentials_update", "credentials_delete", "test_key"})
    # Each of these reaches Letzshop or changes how the store reaches it: throttled per user.
    throttled_actions = frozenset({*managing_actions, "test"})

    def get_throttles(self):
        return [CredentialsChangeThrottle()] if self.action in self.throttled_actions else []

    def get_serializer_class(self):
        # What each action reads (for OPTIONS and the schema's forms).
        return {
            "status": IntegrationStatusSerializer,
            "test": ConnectionTestSerializer,
            "test_key": TestKeySerializer,
        }.get(self.action, CredentialsInputSerializer)

    @extend_schema(responses=IntegrationStatusSerializer)
    def status(self, request, *args, **kwargs):
        return Response(IntegrationStatusSerializer(selectors.store_integration_status(store=self.store)).data)

    @extend_schema(responses=CredentialsSerializer)
    def credentials_get(self, request, *args, **kwargs):
        credentials = credentials_services.credentials_get(store=self.store)
        return Response(CredentialsSerializer(credentials).data)

    @extend_schema(request=CredentialsInputSerializer, responses=CredentialsSerializer)
    def credentials_save(self, request, *args, **kwargs):
        """Create or replace the credentials (the API key is required the first time)."""
        return self._save(request, partial=False)

    @extend_schema(request=CredentialsInputSerializer, responses=CredentialsSerializer)
    def credentials_update(self, request, *args, **kwargs):
        return self._save(request, partial=True)

    def _save(self, request, *, partial: bool) -> Response:
        data = validated(CredentialsInputSerializer, request)
        existed = selectors.credentials_find(store=self.store) is not None
        credentials = credentials_services.credentials_save(store=self.store, partial=partial, **data)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(CredentialsSerializer(credentials).data, status=code)

    @extend_schema(request=None, responses={204: None})
    def credentials_delete(self, request, *args, **kwargs):
        credentials_services.credentials_delete(store=self.store)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=ConnectionTestSerializer)
    def test(self, request, *args, **kwargs):
        result = connection_services.connection_test(store=self.store, triggered_by=trigger_of(request.user))
        return Response(result.as_dict())

    @extend_schema(request=TestKeySerializer, responses=ConnectionTestSerializer)
    def test_key(self, request, *args, **kwargs):
        return _test_key(request)


class AdminLetzshopStoreViewSet(mixins.ListModelMixin, AdminViewSet):
    """Every store with its Letzshop integration status (``/api/v1/admin/letzshop/stores``)."""

    serializer_class = IntegrationStatusSerializer
    permission_model = StoreLetzshopCredentials

    def get_queryset(self):
        return selectors.stores_with_integration_status().order_by("name", "pk")


class AdminLetzshopKeyTestViewSet(AdminViewSet):
    """``POST /api/v1/admin/letzshop/test``: test any API key without saving it."""

    throttle_classes = [CredentialsChangeThrottle]
    permission_model = StoreLetzshopCredentials
    serializer_class = TestKeySerializer

    @extend_schema(request=TestKeySerializer, responses=ConnectionTestSerializer)
    def test_key(self, request, *args, **kwargs):
        return _test_key(request)


class StoreLetzshopOrderCountsViewSet(StoreScopedViewSet):
    """``/api/v1/store/letzshop/orders/counts``: how many orders the store has in each Letzshop
    state (the portal's tabs). Counts, not rows: no tenant_model."""

    serializer_class = OrderCountsSerializer

    @extend_schema(responses=OrderCountsSerializer)
    def counts(self, request, *args, **kwargs):
        states = selectors.letzshop_order_state_counts(store=self.store)
        return Response({"all": sum(states.values()), "states": states})


class StoreLetzshopOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StoreScopedViewSet):
    """The store's Letzshop orders (``/api/v1/store/letzshop/orders``), the import, and the
    fulfillment operations; for platform admins also ``/api/v1/admin/letzshop/stores/{store_pk}/orders``."""

    tenant_model = LetzshopOrder
    filterset_class = LetzshopOrderFilter

    def scoped_queryset(self, store):
        # Newest order first by the customer's order date (not the import's time), so that
        # importing a store's history does not bury what came in today.
        qs = selectors.letzshop_order_list(store=store).order_by(
            F("local_order__ordered_at").desc(nulls_last=True), "-created_at", "-id"
        )
        if self.action == "retrieve":
            items = OrderItem.objects.select_related("product", "exception").order_by("id")
            qs = qs.prefetch_related(Prefetch("local_order__items", queryset=items))
        return qs

    def get_serializer_class(self):
        return LetzshopOrderDetailSerializer if self.action == "retrieve" else LetzshopOrderSerializer

    @extend_schema(
        request=ImportRequestSerializer,
        responses={200: ImportResultSerializer, 202: ImportStartedSerializer, 409: ImportResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import", serializer_class=ImportRequestSerializer)
    def import_orders(self, request, *args, **kwargs):
        """Start the import in a worker; answer its result if it ends within
        LETZSHOP_IMPORT_WAIT_SECONDS (or ``wait_seconds``, if less), else 202 with the sync log to
        poll (``GET /api/v1/store/letzshop/logs/{id}``); 409 if one is already running."""
        data = validated(ImportRequestSerializer, request)
        start = import_begin(
            store=self.store, triggered_by=trigger_of(request.user), include_confirmed=data["include_confirmed"]
        )
        if isinstance(start, ImportResult):
            return Response(start.as_response(), status=status.HTTP_409_CONFLICT)
        import_dispatch(start)
        wait = settings.LETZSHOP_IMPORT_WAIT_SECONDS
        if data.get("wait_seconds") is not None:
            wait = min(wait, data["wait_seconds"])
        result = import_wait(sync_log_id=start.sync_log.pk, seconds=wait)
        if result.status == ImportStatus.RUNNING:
            body = {"sync_log_id": result.sync_log_id, "status": ImportStatus.RUNNING.value}
            return Response(body, status=status.HTTP_202_ACCEPTED)
        return Response(result.as_response(), status=status.HTTP_200_OK)

    @extend_schema(request=ConfirmSerializer, responses={202: QueuedSerializer})
    @action(detail=True, methods=["post"], serializer_class=ConfirmSerializer)
    def confirm(self, request, *args, **kwargs):
        """Confirm all (or the listed) inventory units; 409 while a product exception blocks."""
        order = self.get_object()
        data = validated(ConfirmSerializer, request)
        row, created = fulfillment.order_confirm(
            order=order, inventory_unit_ids=data.get("inventory_unit_ids"), user=request.user
        )
        return _queued(row, created)

    @extend_schema(request=RejectSerializer, responses={202: QueuedSerializer})
    @action(detail=True, methods=["post"], serializer_class=RejectSerializer)
    def reject(self, request, *args, **kwargs):
        """Decline all (or the listed) inventory units, with a reason."""
        order = self.get_object()
        data = validated(RejectSerializer, request)
        row, created = fulfillment.order_decline(
            order=order, reason=data["reason"], inventory_unit_ids=data.get("inventory_unit_ids"), user=request.user
        )
        return _queued(row, created)

    @extend_schema(request=TrackingSerializer, responses={202: QueuedSerializer})
    @action(detail=True, methods=["post"], serializer_class=TrackingSerializer)
    def tracking(self, request, *args, **kwargs):
        """Set the shipment's tracking number and carrier (kept locally at once)."""
        order = self.get_object()
        data = validated(TrackingSerializer, request)
        row, created = fulfillment.order_set_tracking(
            order=order,
            tracking_number=data["tracking_number"],
            tracking_carrier=data["tracking_carrier"],
            user=request.user,
        )
        return _queued(row, created)


def _queued(row: LetzshopFulfillmentQueue, created: bool) -> Response:
    message = "Queued for Letzshop." if created else "Already queued: the earlier request is still open."
    body = {
        "queue_id": row.pk,
        "status": row.status,
        "operation": row.operation,
        "duplicate": not created,
        "message": message,
    }
    return Response(body, status=status.HTTP_202_ACCEPTED)


class StoreSyncLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StoreScopedViewSet):
    """The store's sync log (``/api/v1/store/letzshop/logs``): every import and outbound call."""

    tenant_model = LetzshopSyncLog
    serializer_class = SyncLogSerializer
    filterset_class = SyncLogFilter

    def scoped_queryset(self, store):
        return selectors.sync_log_list(store=store).order_by("-started_at", "-id")


class StoreQueueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StoreScopedViewSet):
    """The store's fulfillment queue (``/api/v1/store/letzshop/queue``) and its manual retry."""

    tenant_model = LetzshopFulfillmentQueue
    serializer_class = QueueItemSerializer
    filterset_class = QueueFilter

    def scoped_queryset(self, store):
        return selectors.queue_list(store=store).order_by("-created_at", "-id")

    @extend_schema(request=None, responses=QueueItemSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, *args, **kwargs):
        """Send a failed operation again, with a fresh set of attempts."""
        item = fulfillment.queue_item_retry(item=self.get_object())
        return Response(QueueItemSerializer(item).data, status=status.HTTP_202_ACCEPTED)
