"""Reads of plans, subscriptions, usage and invoices."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from billing.models import Invoice, Plan, Subscription, UsagePeriod
from billing.periods import month_bounds, today
from merchants.models import Merchant
from stores.models import Store


def plan_list() -> QuerySet[Plan]:
    return Plan.objects.all()


def subscription_find(*, merchant: Merchant) -> Subscription | None:
    return subscription_of(merchant_id=merchant.pk)


def subscription_of(*, merchant_id: int) -> Subscription | None:
    """A merchant's subscription with its plan (None: a merchant on no plan has no limits)."""
    return Subscription.objects.filter(merchant_id=merchant_id).select_related("plan", "merchant").first()


def usage_current(*, merchant: Merchant, subscription: Subscription | None = None) -> dict:
    """The merchant's usage now: its stores, and the orders imported in its current period."""
    if subscription is not None:
        start, end = subscription.current_period_start, subscription.current_period_end
    else:
        start, end = month_bounds(today())
    row = UsagePeriod.objects.filter(merchant=merchant, period_start=start).only("orders_imported").first()
    orders = row.orders_imported if row else 0
    usage = {"stores": merchant.stores.count(), "orders_imported": orders, "period_start": start, "period_end": end}
    if subscription is not None:
        plan = subscription.plan
        usage["overage_orders"] = max(orders - plan.monthly_order_limit, 0)
        usage["orders_percent"] = percent(orders, plan.monthly_order_limit)
        usage["stores_percent"] = percent(usage["stores"], plan.max_stores)
    return usage


def percent(used: int, limit: int) -> int:
    if limit <= 0:
        return 100 if used else 0
    return round(used * 100 / limit)


def invoice_list(*, merchant: Merchant | None = None) -> QuerySet[Invoice]:
    rows = Invoice.objects.select_related("merchant")
    return rows.filter(merchant=merchant) if merchant is not None else rows


def subscriptions_with_usage(subscriptions: QuerySet[Subscription]) -> QuerySet[Subscription]:
    """Subscriptions with ``usage_orders`` (their current period's) and ``usage_stores``, read in
    the same query."""
    orders = UsagePeriod.objects.filter(
        merchant_id=OuterRef("merchant_id"), period_start=OuterRef("current_period_start")
    ).values("orders_imported")[:1]
    stores = (
        Store.objects.filter(merchant_id=OuterRef("merchant_id"))
        .order_by()
        .values("merchant_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return subscriptions.annotate(
        usage_orders=Coalesce(Subquery(orders, output_field=IntegerField()), Value(0)),
        usage_stores=Coalesce(Subquery(stores, output_field=IntegerField()), Value(0)),
    )
