"""List filters of order lists (local orders and Letzshop orders)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from orders.models import ShippingCarrier

NO_CARRIER = "none"


class CarrierFilter(admin.SimpleListFilter):
    """By shipping carrier: the configured carriers (Settings > Shipping) and "none"."""

    title = _("carrier")
    parameter_name = "carrier"
    # The filtered model's path to the order's carrier code.
    field_name = "shipping_carrier"

    def lookups(self, request, model_admin):
        carriers = list(ShippingCarrier.objects.order_by("name").values_list("code", "name"))
        return [*carriers, (NO_CARRIER, _("None yet"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(**{self.field_name: "" if value == NO_CARRIER else value})
