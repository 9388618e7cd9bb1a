from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from config.errors import InvalidInput
from config.ids import id_parse
from config.parsers import CSVBody, CSVTextParser, StrictJSONParser
from config.permissions import AdminViewSet
from stores import selectors, services
from stores.api.serializers import (
    AdminProductSerializer,
    CatalogCopySerializer,
    CatalogImportResultSerializer,
    MembershipSerializer,
    ProductSerializer,
    ProductWriteResultSerializer,
    StoreSerializer,
    UserCreateSerializer,
    UserSerializer,
)
from stores.models import Product, Store
from stores.tenancy import StoreScopedViewSet

MAX_CSV_BYTES = 20 * 1024 * 1024


class AdminStoreViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    AdminViewSet,
):
    """Platform admins: stores (``/api/v1/admin/stores``) and their members."""

    serializer_class = StoreSerializer
    queryset = Store.objects.select_related("merchant")
    http_method_names = ["get", "post", "patch", "delete"]
    filterset_fields = ["merchant", "is_active"]

    def perform_create(self, serializer):
        serializer.instance = services.store_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.store_update(store=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.store_delete(store=instance)

    permission_models = {"members": "stores.StoreMembership", "member_remove": "stores.StoreMembership"}

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<user_id>\d+)")
    def member_remove(self, request, pk=None, user_id=None):
        """Take a user off the store (``DELETE /api/v1/admin/stores/{id}/members/{user_id}``)."""
        services.membership_remove(store=self.get_object(), user_id=id_parse(user_id, field="user_id"))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MembershipSerializer, responses=MembershipSerializer(many=True))
    @action(detail=True, methods=["get", "post"], serializer_class=MembershipSerializer)
    def members(self, request, pk=None):
        store = self.get_object()
        if request.method == "POST":
            serializer = MembershipSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            membership = services.membership_add(
                store=store, user_id=serializer.validated_data["user_id"], role=serializer.validated_data["role"]
            )
            return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(selectors.membership_list(store=store))
        return self.get_paginated_response(MembershipSerializer(page, many=True).data)


class AdminUserViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, AdminViewSet):
    """Platform admins: users (``POST /api/v1/admin/users``)."""

    queryset = get_user_model().objects.order_by("username")

    def get_serializer_class(self):
        return UserCreateSerializer if self.action == "create" else UserSerializer

    @extend_schema(responses=UserSerializer)
    def create(self, request, *args, **kwargs):
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_create(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class AdminProductSearchViewSet(mixins.ListModelMixin, AdminViewSet):
    """Product search across catalogs (``GET /api/v1/admin/products?store_id=&search=``), used
    when resolving exceptions."""

    permission_model = Product

    serializer_class = AdminProductSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("store_id", int, description="Only this store's catalog"),
            OpenApiParameter("search", str, description="Name, SKU or GTIN"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = Product.objects.filter(is_placeholder=False)
        store_id = self.request.query_params.get("store_id")
        if store_id:
            qs = qs.filter(store_id=id_parse(store_id, field="store_id"))
        return selectors.product_search(queryset=qs, search=self.request.query_params.get("search"))


class AdminCatalogCopyViewSet(AdminViewSet):
    """``POST /api/v1/admin/stores/{store_pk}/products/copy``: products of another store enter
    this store's catalog (``stores.services.catalog_copy``), auto-matching its pending exceptions."""

    permission_model = Product
    permission_verbs = {"copy": "add"}
    serializer_class = CatalogCopySerializer

    @extend_schema(request=CatalogCopySerializer, responses=CatalogImportResultSerializer)
    def copy(self, request, store_pk=None):
        store = selectors.store_get(store_id=store_pk)
        serializer = CatalogCopySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.catalog_copy(store=store, **serializer.validated_data)
        return Response(result.as_dict())


class StoreProductViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    StoreScopedViewSet,
):
    """The current store's catalog (``/api/v1/store/products``, and for platform admins
    ``/api/v1/admin/stores/{store_pk}/products``)."""

    tenant_model = Product
    serializer_class = ProductSerializer
    http_method_names = ["get", "post", "patch", "delete"]
    managing_actions = frozenset({"create", "partial_update", "update", "destroy", "import_catalog"})

    def scoped_queryset(self, store):
        return selectors.product_list(store=store, search=self.request.query_params.get("search"))

    @extend_schema(parameters=[OpenApiParameter("search", str, description="Name, SKU or GTIN")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={201: ProductWriteResultSerializer})
    def create(self, request, *args, **kwargs):
        product, resolved = services.product_create(store=self.store, data=request.data)
        data = {**ProductSerializer(product).data, "exceptions_resolved": resolved}
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ProductWriteResultSerializer)
    def partial_update(self, request, *args, **kwargs):
        product, resolved = services.product_update(product=self.get_object(), data=request.data)
        return Response({**ProductSerializer(product).data, "exceptions_resolved": resolved})

    def perform_destroy(self, instance):
        services.product_delete(product=instance)

    @extend_schema(
        request={
            "application/json": ProductSerializer(many=True),
            "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}},
            "text/csv": {"type": "string"},
        },
        responses=CatalogImportResultSerializer,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[StrictJSONParser, MultiPartParser, FormParser, CSVTextParser],
    )
    def import_catalog(self, request, *args, **kwargs):
        """Upsert products by SKU from a JSON list or a CSV (upload field ``file``, or a
        ``text/csv`` body); pending exceptions with their GTINs are resolved."""
        rows = catalog_rows_from_request(request)
        result = services.catalog_import(store=self.store, rows=rows)
        return Response(result.as_dict())


def catalog_rows_from_request(request):
    """The rows of an import: a JSON list, a ``text/csv`` body or a CSV upload (field ``file``);
    CSV is read as the import goes, never whole."""
    data = request.data
    if isinstance(data, CSVBody):
        return services.catalog_rows_from_csv(data)
    if isinstance(data, list):
        return data
    upload = request.FILES.get("file") if not isinstance(data, list | str) and hasattr(request, "FILES") else None
    if upload is None:
        raise InvalidInput(gettext("Send a JSON list of products, or a CSV file in the field 'file'."))
    if upload.size > MAX_CSV_BYTES:
        raise InvalidInput(
            gettext("The CSV file is larger than %(size)d MB.") % {"size": MAX_CSV_BYTES // (1024 * 1024)}, field="file"
        )
    return services.catalog_rows_from_csv(upload)
