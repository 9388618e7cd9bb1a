from config.routers import ApiRouter
from orders.api.views import AdminOrderViewSet

admin_router = ApiRouter()
admin_router.register("orders", AdminOrderViewSet, basename="admin-order")

admin_urlpatterns = admin_router.urls
store_urlpatterns: list = []
