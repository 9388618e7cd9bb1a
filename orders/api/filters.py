import django_filters
from django.db.models import Q

from config.ids import IdFilter, UtcDateTimeFilter
from orders.models import Order


class OrderFilter(django_filters.FilterSet):
    store_id = IdFilter(field_name="store_id")
    status = django_filters.ChoiceFilter(choices=Order.Status.choices)
    channel = django_filters.ChoiceFilter(choices=Order.Channel.choices)
    carrier = django_filters.CharFilter(field_name="shipping_carrier")
    date_from = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    date_to = UtcDateTimeFilter(field_name="created_at", lookup_expr="lte")
    search = django_filters.CharFilter(method="filter_search", label="Order number, shipment number or email")

    class Meta:
        model = Order
        fields = ["store_id", "status", "channel", "carrier", "date_from", "date_to", "search"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(external_order_number__icontains=value)
            | Q(shipment_number__icontains=value)
            | Q(customer_email__icontains=value)
            | Q(customer_last_name__icontains=value)
        )
