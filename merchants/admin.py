from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from merchants.models import Merchant


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "is_active", "store_count", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "email"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(store_count=Count("stores"))

    @admin.display(description=_("stores"), ordering="store_count")
    def store_count(self, obj) -> int:
        return obj.store_count
