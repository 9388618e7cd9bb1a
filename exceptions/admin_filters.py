"""List filters about product exceptions, for order lists."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from exceptions.models import OrderItemException


class HasExceptionsFilter(admin.SimpleListFilter):
    """Orders with or without a product exception that blocks their confirmation (pending or
    ignored), checked per order through the (order, status) index."""

    title = _("product exceptions")
    parameter_name = "exceptions"
    # The filtered model's field holding the local order's id.
    order_field = "pk"

    def lookups(self, request, model_admin):
        return [("unresolved", _("Unresolved (blocking)")), ("none", _("None blocking"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value not in ("unresolved", "none"):
            return queryset
        blocking = Exists(
            OrderItemException.objects.filter(
                order_id=OuterRef(self.order_field), status__in=OrderItemException.BLOCKING_STATUSES
            )
        )
        return queryset.filter(blocking if value == "unresolved" else ~blocking)
