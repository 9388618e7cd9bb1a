from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from billing import selectors, services
from billing.api.serializers import (
    InvoiceSerializer,
    PlanSerializer,
    PlanUpdateSerializer,
    SubscriptionInputSerializer,
    SubscriptionSerializer,
)
from billing.models import Invoice, Plan, Subscription
from config.errors import NotFound
from config.ids import id_parse
from config.permissions import AdminViewSet
from config.rest import validated
from merchants.models import Merchant
from stores.tenancy import StoreScopedViewSet


class AdminPlanViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, AdminViewSet
):
    """Platform admins: plans (``/api/v1/admin/plans``, ``/api/v1/admin/plans/{code}``)."""

    queryset = Plan.objects.all()
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    http_method_names = ["get", "post", "patch"]

    def get_serializer_class(self):
        return PlanUpdateSerializer if self.action == "partial_update" else PlanSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.plan_create(code=data.pop("code"), data=data)

    def perform_update(self, serializer):
        serializer.instance = services.plan_update(plan=serializer.instance, data=serializer.validated_data)


def _subscription_answer(subscription: Subscription) -> Response:
    usage = selectors.usage_current(merchant=subscription.merchant, subscription=subscription)
    return Response(SubscriptionSerializer(subscription, context={"usage": usage}).data)


class AdminSubscriptionViewSet(AdminViewSet):
    """``GET, PUT /api/v1/admin/merchants/{merchant_pk}/subscription``: a merchant's plan, status,
    period and usage; PUT ``{"plan": code, "status"}`` changes them (logged)."""

    permission_model = Subscription
    serializer_class = SubscriptionInputSerializer

    def _merchant(self) -> Merchant:
        pk = id_parse(self.kwargs["merchant_pk"], field="merchant_pk")
        merchant = Merchant.objects.filter(pk=pk).first()
        if merchant is None:
            raise NotFound(gettext("Merchant %(id)s not found.") % {"id": pk})
        return merchant

    def get_object(self):  # what OPTIONS describes a PUT on
        return selectors.subscription_find(merchant=self._merchant())

    @extend_schema(responses=SubscriptionSerializer)
    def retrieve(self, request, *args, **kwargs):
        subscription = selectors.subscription_find(merchant=self._merchant())
        if subscription is None:
            raise NotFound(gettext("This merchant has no subscription yet: PUT one with a plan's code."))
        return _subscription_answer(subscription)

    @extend_schema(request=SubscriptionInputSerializer, responses=SubscriptionSerializer)
    def update(self, request, *args, **kwargs):
        data = validated(SubscriptionInputSerializer, request)
        merchant = self._merchant()
        existed = selectors.subscription_find(merchant=merchant) is not None
        subscription = services.subscription_set(
            merchant=merchant, plan_code=data["plan"], status=data.get("status"), user=request.user
        )
        response = _subscription_answer(subscription)
        response.status_code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return response


class StoreSubscriptionViewSet(StoreScopedViewSet):
    """``GET /api/v1/store/subscription``: the current store's merchant's plan and usage, read-only."""

    permission_model = Subscription
    serializer_class = SubscriptionSerializer

    @extend_schema(responses=SubscriptionSerializer)
    def retrieve(self, request, *args, **kwargs):
        subscription = selectors.subscription_find(merchant=self.store.merchant)
        if subscription is None:
            raise NotFound(gettext("This store's merchant has no plan yet: the platform's admins set one."))
        return _subscription_answer(subscription)


class StoreInvoiceViewSet(mixins.ListModelMixin, StoreScopedViewSet):
    """``GET /api/v1/store/invoices``: the invoices of the current store's merchant (owners and
    managers: invoices are the merchant's business)."""

    serializer_class = InvoiceSerializer
    managing_actions = frozenset({"list"})
    permission_model = Invoice

    def scoped_queryset(self, store):
        return selectors.invoice_list(merchant=store.merchant)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema
            return Invoice.objects.none()
        return self.scoped_queryset(self.store)
