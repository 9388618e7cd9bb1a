from django.urls import re_path

from loyalty.api.views import StoreLoyaltyMemberViewSet, StoreLoyaltyProgramViewSet, StoreLoyaltyTransactionViewSet

store_urlpatterns = [
    re_path(
        r"^loyalty/program/?$",
        StoreLoyaltyProgramViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="store-loyalty-program",
    ),
    re_path(r"^loyalty/members/?$", StoreLoyaltyMemberViewSet.as_view({"get": "list"}), name="store-loyalty-members"),
    re_path(
        r"^loyalty/members/adjust/?$",
        StoreLoyaltyMemberViewSet.as_view({"post": "adjust"}),
        name="store-loyalty-adjust",
    ),
    re_path(
        r"^loyalty/transactions/?$",
        StoreLoyaltyTransactionViewSet.as_view({"get": "list"}),
        name="store-loyalty-transactions",
    ),
]
admin_urlpatterns: list = []
