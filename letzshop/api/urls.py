from django.urls import re_path

from config.routers import ApiRouter
from letzshop.api.views import (
    AdminLetzshopKeyTestViewSet,
    AdminLetzshopStoreViewSet,
    StoreLetzshopOrderCountsViewSet,
    StoreLetzshopOrderViewSet,
    StoreLetzshopViewSet,
    StoreQueueViewSet,
    StoreSyncLogViewSet,
)

CREDENTIALS = {
    "get": "credentials_get",
    "post": "credentials_save",
    "patch": "credentials_update",
    "delete": "credentials_delete",
}


def route(regex: str, view, name: str):
    """A path as docs/api.md writes it; a trailing slash is accepted too (never a redirect)."""
    return re_path(rf"^{regex}/?$", view, name=name)


store_router = ApiRouter()
store_router.register("letzshop/orders", StoreLetzshopOrderViewSet, basename="store-letzshop-order")
store_router.register("letzshop/logs", StoreSyncLogViewSet, basename="store-letzshop-log")
store_router.register("letzshop/queue", StoreQueueViewSet, basename="store-letzshop-queue")

store_urlpatterns = [
    route("letzshop/status", StoreLetzshopViewSet.as_view({"get": "status"}), "store-letzshop-status"),
    route("letzshop/credentials", StoreLetzshopViewSet.as_view(CREDENTIALS), "store-letzshop-credentials"),
    route("letzshop/test", StoreLetzshopViewSet.as_view({"post": "test"}), "store-letzshop-test"),
    route("letzshop/test-key", StoreLetzshopViewSet.as_view({"post": "test_key"}), "store-letzshop-test-key"),
    route(
        "letzshop/orders/counts",
        StoreLetzshopOrderCountsViewSet.as_view({"get": "counts"}),
        "store-letzshop-order-counts",
    ),
    *store_router.urls,
]

admin_urlpatterns = [
    route("letzshop/stores", AdminLetzshopStoreViewSet.as_view({"get": "list"}), "admin-letzshop-stores"),
    route(
        r"letzshop/stores/(?P<store_pk>\d+)/credentials",
        StoreLetzshopViewSet.as_view(CREDENTIALS),
        "admin-letzshop-store-credentials",
    ),
    route(
        r"letzshop/stores/(?P<store_pk>\d+)/test",
        StoreLetzshopViewSet.as_view({"post": "test"}),
        "admin-letzshop-store-test",
    ),
    route("letzshop/test", AdminLetzshopKeyTestViewSet.as_view({"post": "test_key"}), "admin-letzshop-test"),
    route(
        r"letzshop/stores/(?P<store_pk>\d+)/orders",
        StoreLetzshopOrderViewSet.as_view({"get": "list"}),
        "admin-letzshop-store-orders",
    ),
    route(
        r"letzshop/stores/(?P<store_pk>\d+)/sync",
        StoreLetzshopOrderViewSet.as_view({"post": "import_orders"}),
        "admin-letzshop-store-sync",
    ),
]
