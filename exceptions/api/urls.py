from django.urls import re_path

from config.routers import ApiRouter
from exceptions.api.views import AdminOrderExceptionViewSet, StoreOrderExceptionStatsViewSet, StoreOrderExceptionViewSet

admin_router = ApiRouter()
admin_router.register("order-exceptions", AdminOrderExceptionViewSet, basename="admin-order-exception")

store_router = ApiRouter()
store_router.register("order-exceptions", StoreOrderExceptionViewSet, basename="store-order-exception")

admin_urlpatterns = admin_router.urls
store_urlpatterns = [
    # Counts, not rows: served apart so that it is not taken for a list of the store's rows.
    re_path(
        r"^order-exceptions/stats/?$",
        StoreOrderExceptionStatsViewSet.as_view({"get": "stats"}),
        name="store-order-exception-stats",
    ),
    *store_router.urls,
]
