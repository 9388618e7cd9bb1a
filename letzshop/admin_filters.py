"""List filters of Marketplace > Letzshop (the dashboard's, and the Letzshop orders' variants of
the order filters)."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from exceptions.admin_filters import HasExceptionsFilter
from letzshop.models import SyncRunStatus
from orders.admin_filters import CarrierFilter


class ConfiguredFilter(admin.SimpleListFilter):
    title = _("credentials")
    parameter_name = "configured"

    def lookups(self, request, model_admin):
        return [("yes", _("Configured")), ("no", _("Not configured"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(letzshop_credentials__isnull=self.value() == "no")
        return queryset


class AutoSyncFilter(admin.SimpleListFilter):
    title = _("auto-sync")
    parameter_name = "autosync"

    def lookups(self, request, model_admin):
        return [("on", _("On")), ("off", _("Off"))]

    def queryset(self, request, queryset):
        if self.value() == "on":
            return queryset.filter(letzshop_credentials__auto_sync_enabled=True)
        if self.value() == "off":
            return queryset.filter(
                Q(letzshop_credentials__isnull=True) | Q(letzshop_credentials__auto_sync_enabled=False)
            )
        return queryset


class LastSyncFilter(admin.SimpleListFilter):
    title = _("last sync")
    parameter_name = "last_sync"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label in SyncRunStatus.choices if value != SyncRunStatus.RUNNING]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(letzshop_credentials__last_sync_status=self.value())
        return queryset


class LetzshopCarrierFilter(CarrierFilter):
    field_name = "local_order__shipping_carrier"


class LetzshopHasExceptionsFilter(HasExceptionsFilter):
    order_field = "local_order_id"
