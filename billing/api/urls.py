from django.urls import re_path

from billing.api.views import AdminPlanViewSet, AdminSubscriptionViewSet, StoreInvoiceViewSet, StoreSubscriptionViewSet
from config.routers import ApiRouter

admin_router = ApiRouter()
admin_router.register("plans", AdminPlanViewSet, basename="admin-plan")

admin_urlpatterns = [
    re_path(
        r"^merchants/(?P<merchant_pk>\d+)/subscription/?$",
        AdminSubscriptionViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="admin-merchant-subscription",
    ),
    *admin_router.urls,
]
store_urlpatterns = [
    re_path(r"^subscription/?$", StoreSubscriptionViewSet.as_view({"get": "retrieve"}), name="store-subscription"),
    re_path(r"^invoices/?$", StoreInvoiceViewSet.as_view({"get": "list"}), name="store-invoices"),
]
