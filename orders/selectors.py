"""Reads of local orders (platform admins read across stores)."""

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext

from config.errors import NotFound
from orders.models import Order
from stores.models import Store


def order_list() -> QuerySet[Order]:
    return Order.objects.select_related("store")


def order_get(*, order_id: int) -> Order:
    try:
        return order_list().prefetch_related("items__product").get(pk=order_id)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise NotFound(gettext("Order %(id)s not found.") % {"id": order_id}) from None


def order_stats(*, orders: QuerySet[Order]) -> dict:
    """Counts by status and channel and the total amount, in two queries."""
    by_status = dict(orders.order_by().values_list("status").annotate(n=Count("pk")))
    by_channel = dict(orders.order_by().values_list("channel").annotate(n=Count("pk")))
    totals = orders.aggregate(
        total=Count("pk"),
        amount=Sum("total_amount"),
        awaiting_shipment=Count("pk", filter=Q(status=Order.Status.CONFIRMED)),
    )
    return {
        "total": totals["total"],
        "by_status": {status: by_status.get(status, 0) for status in Order.Status.values},
        "by_channel": by_channel,
        "total_amount": f"{totals['amount'] or 0:.2f}",
        "awaiting_shipment": totals["awaiting_shipment"],
    }


def stores_with_orders() -> QuerySet[Store]:
    return (
        Store.objects.annotate(order_count=Count("orders"))
        .filter(order_count__gt=0)
        .order_by("name")
        .only("id", "name", "code")
    )


def carrier_names() -> dict[str, str]:
    """Every carrier of Settings > Shipping: code → name (one query; a few rows)."""
    from orders.models import ShippingCarrier

    return dict(ShippingCarrier.objects.order_by("name").values_list("code", "name"))
