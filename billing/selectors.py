"""Reads of plans, subscriptions, usage and invoices."""

from django.db.models import QuerySet

from billing.models import Invoice, Plan, Subscription, UsagePeriod
from billing.periods import month_bounds, today
from merchants.models import Merchant


def plan_list() -> QuerySet[Plan]:
    return Plan.objects.all()


def subscription_find(*, merchant: Merchant) -> Subscription | None:
    return Subscription.objects.filter(merchant=merchant).select_related("plan", "merchant").first()


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
        usage["orders_percent"] = _percent(orders, plan.monthly_order_limit)
        usage["stores_percent"] = _percent(usage["stores"], plan.max_stores)
    return usage


def _percent(used: int, limit: int) -> int:
    if limit <= 0:
        return 100 if used else 0
    return round(used * 100 / limit)


def invoice_list(*, merchant: Merchant | None = None) -> QuerySet[Invoice]:
    rows = Invoice.objects.select_related("merchant")
    return rows.filter(merchant=merchant) if merchant is not None else rows
