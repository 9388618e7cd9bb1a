from config.routers import ApiRouter
from merchants.api.views import AdminMerchantViewSet

admin_router = ApiRouter()
admin_router.register("merchants", AdminMerchantViewSet, basename="admin-merchant")

admin_urlpatterns = admin_router.urls
store_urlpatterns: list = []
