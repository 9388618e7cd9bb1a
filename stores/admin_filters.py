"""List filters for admin pages over big tables (orders, exceptions, queue, sync log)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from config.ids import id_or_none
from stores.models import Store


class StoreFilter(admin.SimpleListFilter):
    """By store, listing the Store rows (a small table) as a drop-down.

    RelatedOnlyFieldListFilter would instead ask the filtered table for its DISTINCT store ids
    on every page, a scan of every order once there are many."""

    title = _("store")
    parameter_name = "store"
    template = "admin/filter_select.html"
    # The filtered model's foreign key to the store.
    field_name = "store"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in Store.objects.order_by("name", "pk").values_list("pk", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        store_id = id_or_none(value)
        if store_id is None:
            return queryset.none()
        return queryset.filter(**{f"{self.field_name}_id": store_id})
