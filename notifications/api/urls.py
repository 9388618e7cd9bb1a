from config.routers import ApiRouter
from notifications.api.views import AdminNotificationViewSet, StoreNotificationViewSet

store_router = ApiRouter()
store_router.register("notifications", StoreNotificationViewSet, basename="store-notification")
admin_router = ApiRouter()
admin_router.register("notifications", AdminNotificationViewSet, basename="admin-notification")

store_urlpatterns = store_router.urls
admin_urlpatterns = admin_router.urls
