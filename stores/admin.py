from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from stores.models import Product, Store, StoreDomain, StoreMembership


class StoreDomainInline(admin.TabularInline):
    model = StoreDomain
    extra = 0


class StoreMembershipInline(admin.TabularInline):
    model = StoreMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "merchant", "is_active", "created_at"]
    list_filter = ["is_active", "merchant"]
    search_fields = ["name", "code", "merchant__name"]
    list_select_related = ["merchant"]
    prepopulated_fields = {"code": ("name",)}
    inlines = [StoreDomainInline, StoreMembershipInline]


@admin.register(StoreMembership)
class StoreMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "store", "role", "created_at"]
    list_filter = ["role", "store"]
    search_fields = ["user__username", "user__email", "store__name", "store__code"]
    list_select_related = ["user", "store"]
    autocomplete_fields = ["user", "store"]


@admin.register(StoreDomain)
class StoreDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "store", "is_primary"]
    list_filter = ["is_primary"]
    search_fields = ["domain", "store__name"]
    list_select_related = ["store"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "sku", "gtin", "gtin_type", "price", "is_active", "is_placeholder", "store"]
    list_filter = ["is_active", "is_placeholder", "gtin_type", ("store", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "sku", "gtin", "gtin_normalized"]
    list_select_related = ["store"]
    readonly_fields = ["gtin_normalized", "is_placeholder", "created_at", "updated_at"]
    autocomplete_fields = ["store"]
    show_full_result_count = False

    @admin.display(description=_("normalised GTIN"))
    def normalized(self, obj):
        return obj.gtin_normalized
