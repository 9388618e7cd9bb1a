from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from config.errors import ServiceError
from stores.hooks import store_adding_check
from stores.models import Product, Store, StoreDomain, StoreMembership, time_zone_names
from stores.services import PRODUCT_FIELDS, product_fields_clean


class StoreDomainInline(admin.TabularInline):
    model = StoreDomain
    extra = 0


class StoreMembershipInline(admin.TabularInline):
    model = StoreMembership
    extra = 0
    autocomplete_fields = ["user"]


class StoreAdminForm(forms.ModelForm):
    """A new store, or one moved to another merchant, is refused beyond the merchant's plan
    (stores.hooks.store_adding_check), as the API refuses it."""

    time_zone = forms.ChoiceField(label=_("time zone"), choices=(), initial=settings.TIME_ZONE)

    class Meta:
        model = Store
        fields = ["merchant", "name", "code", "is_active", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in time_zone_names()]
        self.fields["time_zone"].help_text = Store._meta.get_field("time_zone").help_text

    def clean(self):
        cleaned = super().clean()
        merchant = cleaned.get("merchant")
        if merchant is not None and merchant.pk != self.instance.merchant_id:
            try:
                store_adding_check(merchant=merchant)
            except ServiceError as exc:
                self.add_error("merchant", exc.message)
        return cleaned


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    form = StoreAdminForm
    list_display = ["name", "code", "merchant", "is_active", "time_zone", "created_at"]
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


class ProductAdminForm(forms.ModelForm):
    """The admin's product form validates as every write path does (product_fields_clean)."""

    class Meta:
        model = Product
        fields = ["store", "name", "sku", "gtin", "gtin_type", "price", "is_active"]

    def clean(self):
        cleaned = super().clean()
        data = {name: cleaned.get(name) for name in PRODUCT_FIELDS if name in self.fields}
        try:
            clean = product_fields_clean(data, partial=True)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
            return cleaned
        self.instance.gtin_normalized = clean.get("gtin_normalized", self.instance.gtin_normalized)
        cleaned.update({name: value for name, value in clean.items() if name in self.fields})
        return cleaned


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductAdminForm
    list_display = ["name", "sku", "gtin", "gtin_type", "price", "is_active", "is_placeholder", "store"]
    list_filter = ["is_active", "is_placeholder", "gtin_type", ("store", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "sku", "gtin", "gtin_normalized"]
    list_select_related = ["store"]
    readonly_fields = ["gtin_normalized", "is_placeholder", "created_at", "updated_at"]
    autocomplete_fields = ["store"]
    show_full_result_count = False
