import django_filters
from django.db.models import Q

from config.ids import UtcDateTimeFilter
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog


class LetzshopOrderFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(field_name="letzshop_state", choices=LetzshopOrder.State.choices)
    sync_status = django_filters.ChoiceFilter(choices=LetzshopOrder.SyncStatus.choices)
    has_exceptions = django_filters.BooleanFilter(field_name="has_exceptions")
    date_from = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    date_to = UtcDateTimeFilter(field_name="created_at", lookup_expr="lte")
    search = django_filters.CharFilter(method="filter_search", label="Order number, shipment number or email")

    class Meta:
        model = LetzshopOrder
        fields = ["state", "sync_status", "has_exceptions", "date_from", "date_to", "search"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(letzshop_order_number__icontains=value)
            | Q(customer_email__icontains=value)
            | Q(local_order__shipment_number__icontains=value)
            | Q(customer_name__icontains=value)
        )


class SyncLogFilter(django_filters.FilterSet):
    operation_type = django_filters.ChoiceFilter(choices=LetzshopSyncLog.Operation.choices)
    status = django_filters.CharFilter()
    direction = django_filters.ChoiceFilter(choices=LetzshopSyncLog.Direction.choices)
    date_from = UtcDateTimeFilter(field_name="started_at", lookup_expr="gte")
    date_to = UtcDateTimeFilter(field_name="started_at", lookup_expr="lte")

    class Meta:
        model = LetzshopSyncLog
        fields = ["operation_type", "status", "direction", "date_from", "date_to"]


class QueueFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=LetzshopFulfillmentQueue.Status.choices)
    operation = django_filters.ChoiceFilter(choices=LetzshopFulfillmentQueue.Operation.choices)

    class Meta:
        model = LetzshopFulfillmentQueue
        fields = ["status", "operation", "letzshop_order"]
