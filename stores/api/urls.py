from django.urls import re_path

from config.routers import ApiRouter
from stores.api.views import (
    AdminCatalogCopyViewSet,
    AdminProductSearchViewSet,
    AdminStoreViewSet,
    AdminUserViewSet,
    StoreProductViewSet,
)

admin_router = ApiRouter()
admin_router.register("stores", AdminStoreViewSet, basename="admin-store")
admin_router.register("users", AdminUserViewSet, basename="admin-user")
admin_router.register("products", AdminProductSearchViewSet, basename="admin-product")
admin_router.register(r"stores/(?P<store_pk>\d+)/products", StoreProductViewSet, basename="admin-store-product")

store_router = ApiRouter()
store_router.register("products", StoreProductViewSet, basename="store-product")

admin_urlpatterns = [
    re_path(
        r"^stores/(?P<store_pk>\d+)/products/copy/?$",
        AdminCatalogCopyViewSet.as_view({"post": "copy"}),
        name="admin-store-products-copy",
    ),
    *admin_router.urls,
]
store_urlpatterns = store_router.urls
