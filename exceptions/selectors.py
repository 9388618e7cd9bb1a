"""Reads of product exceptions. Every read takes the store, or is a platform admin's."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from config.errors import NotFound
from exceptions.models import OrderItemException
from stores.gtin import gtin_normalize
from stores.models import Store
from stores.tenancy import store_required


def exception_list(*, store: Store | None = None) -> QuerySet[OrderItemException]:
    """Exceptions of ``store`` (every store's when None: platform admins only), newest first,
    with what an answer shows (order, item, product, user) joined: one query per page."""
    qs = OrderItemException.objects.select_related("order", "order_item", "resolved_product", "resolved_by").order_by(
        "-created_at", "-id"
    )
    if store is not None:
        qs = qs.filter(store=store)
    return qs


def exceptions_with_gtin(*, queryset: QuerySet[OrderItemException], gtin: str) -> QuerySet[OrderItemException]:
    """Exceptions whose GTIN is ``gtin``: as typed, or in any form with the same GTIN-14
    (``4006381333931`` finds ``04006381333931`` and ``400-6381-33393-1``)."""
    text = (gtin or "").strip()
    if not text:
        return queryset
    condition = Q(original_gtin=text)
    normalized = gtin_normalize(text).gtin14
    if normalized:
        condition |= Q(gtin_normalized=normalized)
    return queryset.filter(condition)


def exceptions_oldest_pending(*, store: Store, limit: int) -> list[OrderItemException]:
    """The ``limit`` pending exceptions of ``store`` that have waited longest."""
    store_required(store)
    return list(
        exception_list(store=store)
        .filter(status=OrderItemException.Status.PENDING)
        .order_by("created_at", "id")[:limit]
    )


def exception_get(*, store: Store | None, exception_id: int) -> OrderItemException:
    try:
        return exception_list(store=store).get(pk=exception_id)
    except (OrderItemException.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Exception %(id)s not found.") % {"id": exception_id}) from None


def exception_stats(*, store: Store | None = None) -> dict[str, int]:
    """``{pending, resolved, ignored, total, orders_with_exceptions}`` in one query.

    ``orders_with_exceptions`` counts orders with at least one exception that still blocks
    confirmation (pending or ignored): the "orders affected" of the QC dashboard, the orders
    that cannot be confirmed yet. An order whose exceptions are all resolved is no longer one.
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
