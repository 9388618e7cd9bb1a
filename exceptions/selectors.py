"""Reads of product exceptions. Every read takes the store, or is a platform admin's."""

from django.db.models import Count, Q, QuerySet

from config.errors import NotFound
from exceptions.models import OrderItemException
from stores.models import Store


def exception_list(*, store: Store | None = None) -> QuerySet[OrderItemException]:
    """Exceptions of ``store`` (every store's when None: platform admins only)."""
    qs = OrderItemException.objects.select_related("store", "order", "order_item", "resolved_product", "resolved_by")
    if store is not None:
        qs = qs.filter(store=store)
    return qs


def exception_get(*, store: Store | None, exception_id: int) -> OrderItemException:
    try:
        return exception_list(store=store).get(pk=exception_id)
    except (OrderItemException.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Exception {exception_id} not found.") from None


def exception_stats(*, store: Store | None = None) -> dict[str, int]:
    """``{pending, resolved, ignored, total, orders_with_exceptions}`` in one query.

    ``orders_with_exceptions`` counts orders with at least one exception that still blocks
    confirmation (pending or ignored): the "orders affected" of the QC dashboard.
    """
    qs = OrderItemException.objects.all()
    if store is not None:
        qs = qs.filter(store=store)
    S = OrderItemException.Status
    stats = qs.aggregate(
        pending=Count("id", filter=Q(status=S.PENDING)),
        resolved=Count("id", filter=Q(status=S.RESOLVED)),
        ignored=Count("id", filter=Q(status=S.IGNORED)),
        total=Count("id"),
        orders_with_exceptions=Count("order", filter=Q(status__in=OrderItemException.BLOCKING_STATUSES), distinct=True),
    )
    return {key: int(value or 0) for key, value in stats.items()}


def blocking_exception_count(*, order_id: int) -> int:
    return OrderItemException.objects.filter(order_id=order_id, status__in=OrderItemException.BLOCKING_STATUSES).count()


def exception_counts_by_order(*, order_ids: list[int]) -> dict[int, tuple[int, int]]:
    """``{order_id: (blocking, total)}`` for the listed orders, in one query (a page of a list
    of orders; orders without exceptions are left out)."""
    if not order_ids:
        return {}
    rows = (
        OrderItemException.objects.filter(order_id__in=order_ids)
        .order_by()
        .values("order_id")
        .annotate(
            blocking=Count("id", filter=Q(status__in=OrderItemException.BLOCKING_STATUSES)),
            total=Count("id"),
        )
    )
    return {row["order_id"]: (row["blocking"], row["total"]) for row in rows}
