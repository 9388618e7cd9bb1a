import django_filters
from django.utils.translation import gettext_lazy as _

from config.ids import IdFilter
from exceptions.models import OrderItemException
from exceptions.selectors import exceptions_with_gtin


class ExceptionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OrderItemException.Status.choices)
    type = django_filters.ChoiceFilter(field_name="exception_type", choices=OrderItemException.Type.choices)
    gtin = django_filters.CharFilter(method="filter_gtin", label=_("GTIN, as sent or in any equivalent form"))
    order = IdFilter(field_name="order_id", label=_("Order id"))
    blocking = django_filters.BooleanFilter(
        method="filter_blocking", label=_("Pending or ignored (blocks confirmation)")
    )

    class Meta:
        model = OrderItemException
        fields = ["status", "type", "gtin", "order", "blocking"]

    def filter_gtin(self, queryset, name, value):
        return exceptions_with_gtin(queryset=queryset, gtin=value)

    def filter_blocking(self, queryset, name, value):
        condition = {"status__in": OrderItemException.BLOCKING_STATUSES}
        return queryset.filter(**condition) if value else queryset.exclude(**condition)


class AdminExceptionFilter(ExceptionFilter):
    store_id = IdFilter(field_name="store_id", label=_("Store id"))

    class Meta(ExceptionFilter.Meta):
        fields = ["store_id", *ExceptionFilter.Meta.fields]
