from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from config.ids import id_parse
from config.rest import validated
from loyalty import selectors, services
from loyalty.api.serializers import (
    AdjustSerializer,
    MemberSerializer,
    ProgramInputSerializer,
    ProgramSerializer,
    TransactionSerializer,
)
from loyalty.models import LoyaltyMember, LoyaltyProgram, PointTransaction
from stores.tenancy import StoreScopedViewSet


class _NoRowsOfItsOwn:
    """Lists of merchant-wide rows (not a store's): tenancy comes from the store's merchant."""

    listed_model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.listed_model.objects.none()
        return self.scoped_queryset(self.store)


class StoreLoyaltyProgramViewSet(StoreScopedViewSet):
    """``GET, PUT /api/v1/store/loyalty/program``: the merchant's program; owners and managers write."""

    permission_model = LoyaltyProgram
    serializer_class = ProgramInputSerializer
    managing_actions = frozenset({"update"})

    def get_object(self):  # what OPTIONS describes a PUT on
        return services.program_get(merchant=self.store.merchant)

    @extend_schema(responses=ProgramSerializer)
    def retrieve(self, request, *args, **kwargs):
        return Response(ProgramSerializer(services.program_get(merchant=self.store.merchant)).data)

    @extend_schema(request=ProgramInputSerializer, responses=ProgramSerializer)
    def update(self, request, *args, **kwargs):
        data = validated(ProgramInputSerializer, request)
        program = services.program_update(merchant=self.store.merchant, data=data)
        return Response(ProgramSerializer(program).data)


class StoreLoyaltyMemberViewSet(_NoRowsOfItsOwn, mixins.ListModelMixin, StoreScopedViewSet):
    """``GET /api/v1/store/loyalty/members?email=``: the merchant's members with their history;
    ``POST .../members/adjust`` ``{email, points, reason}`` (owners and managers)."""

    permission_model = LoyaltyMember
    listed_model = LoyaltyMember
    serializer_class = MemberSerializer
    managing_actions = frozenset({"adjust"})

    def get_serializer_class(self):
        return AdjustSerializer if self.action == "adjust" else MemberSerializer

    def scoped_queryset(self, store):
        return selectors.member_search(merchant=store.merchant, email=self.request.query_params.get("email", ""))

    @extend_schema(parameters=[OpenApiParameter("email", str, description="a part of the member's e-mail")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AdjustSerializer, responses={201: TransactionSerializer})
    def adjust(self, request, *args, **kwargs):
        data = validated(AdjustSerializer, request)
        tx = services.points_adjust(
            merchant=self.store.merchant,
            email=data["email"],
            points=data["points"],
            reason=data["reason"],
            user=request.user,
            store=self.store,
        )
        return Response(TransactionSerializer(tx).data, status=status.HTTP_201_CREATED)


class StoreLoyaltyTransactionViewSet(_NoRowsOfItsOwn, mixins.ListModelMixin, StoreScopedViewSet):
    """``GET /api/v1/store/loyalty/transactions?order_id=``: the points of one of the store's orders."""

    permission_model = PointTransaction
    listed_model = PointTransaction
    serializer_class = TransactionSerializer

    def scoped_queryset(self, store):
        raw = self.request.query_params.get("order_id")
        if raw in (None, ""):
            return PointTransaction.objects.none()
        return selectors.order_transactions(store=store, order_id=id_parse(raw, field="order_id"))

    @extend_schema(parameters=[OpenApiParameter("order_id", int, description="a local order's id")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
