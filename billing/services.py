"""Writes of billing: plans, subscriptions, the limits a plan sets, usage and invoices
(docs/billing.md)."""

import logging
from collections.abc import Collection, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop

from billing import payments
from billing.models import Invoice, InvoiceSequence, Plan, Subscription, SubscriptionChange, UsagePeriod
from billing.periods import month_bounds, today
from billing.selectors import subscription_of
from config.errors import Conflict, InvalidInput, NotFound
from config.validation import row_errors
from merchants.models import Merchant
from notifications.models import Notification
from notifications.services import notification_raise
from stores.models import Store

logger = logging.getLogger(__name__)

PLAN_FIELDS = (
    "name",
    "max_stores",
    "min_sync_interval_minutes",
    "monthly_order_limit",
    "price_monthly",
    "overage_price_per_order",
    "is_active",
)
CENT = Decimal("0.01")
USAGE_KIND = "plan_usage"
# Periods one run closes per subscription at most (a platform stopped for years catches up in steps).
MAX_MONTHS_BEHIND = 24


# --- plans ------------------------------------------------------------------------------------


def _plan_validate(data: Mapping[str, Any]) -> None:
    errors = row_errors(Plan, data)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_create(*, code: str, data: Mapping[str, Any]) -> Plan:
    code = slugify(code or "")
    if not code:
        raise InvalidInput(gettext("Give the plan a code (letters, digits, dashes)."), field="code")
    if Plan.objects.filter(code=code).exists():
        raise InvalidInput(gettext("The plan code %(code)s is taken.") % {"code": repr(code)}, field="code")
    values = {name: data[name] for name in PLAN_FIELDS if name in data}
    _plan_validate({"code": code, **values})
    return Plan.objects.create(code=code, **values)


@transaction.atomic
def plan_update(*, plan: Plan, data: Mapping[str, Any]) -> Plan:
    """Change a plan; its code stays (invoices and logs name it). Lowered limits apply to the
    next store or interval asked for, never to what merchants already have."""
    values = {name: data[name] for name in PLAN_FIELDS if name in data}
    _plan_validate(values)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.save()
    return plan


# --- subscriptions ------------------------------------------------------------------------------


@transaction.atomic
def subscription_set(*, merchant: Merchant, plan_code: str, status: str | None = None, user=None) -> Subscription:
    """Put a merchant on a plan (creating its subscription, its period starting this month) or
    change its plan or status. Every change is logged (SubscriptionChange) with who made it.

    A retired plan takes no merchant that is not on it already; a plan allowing fewer stores
    than the merchant has is refused (409), so that no merchant is over its plan by a change."""
    plan = Plan.objects.filter(code=plan_code).first() if isinstance(plan_code, str) else None
    if plan is None:
        raise InvalidInput(gettext("No plan has the code %(code)s.") % {"code": repr(plan_code)[:40]}, field="plan")
    if status is not None and status not in Subscription.Status.values:
        raise InvalidInput(
            gettext("Status must be one of %(allowed)s.") % {"allowed": ", ".join(Subscription.Status.values)},
            field="status",
        )
    subscription = Subscription.objects.select_for_update().filter(merchant=merchant).first()
    old_plan = subscription.plan.code if subscription else ""
    old_status = subscription.status if subscription else ""
    if plan.code != old_plan:
        if not plan.is_active:
            raise InvalidInput(
                gettext("The plan %(plan)s is retired: choose an active plan.") % {"plan": plan.name}, field="plan"
            )
        stores = merchant.stores.count()
        if stores > plan.max_stores:
            raise Conflict(
                gettext(
                    "The plan %(plan)s allows %(max)d store(s) and this merchant has %(count)d: "
                    "choose a larger plan, or delete or move stores first."
                )
                % {"plan": plan.name, "max": plan.max_stores, "count": stores}
            )
    if subscription is None:
        start, end = month_bounds(today())
        subscription = Subscription(merchant=merchant, current_period_start=start, current_period_end=end)
    subscription.plan = plan
    subscription.status = status or subscription.status or Subscription.Status.TRIALING
    if (old_plan, old_status) == (plan.code, subscription.status):
        return subscription
    subscription.save()
    SubscriptionChange.objects.create(
        subscription=subscription,
        old_plan_code=old_plan,
        new_plan_code=plan.code,
        old_status=old_status,
        new_status=subscription.status,
        changed_by=user if user is not None and user.is_authenticated else None,
    )
    logger.info("merchant %s: plan %s/%s → %s/%s", merchant.pk, old_plan, old_status, plan.code, subscription.status)
    return subscription


# --- the limits a plan sets (registered in stores.hooks by BillingConfig.ready) -----------------


def plan_store_limit_check(*, merchant: Merchant) -> None:
    """One more store for ``merchant``? Not beyond its plan's ``max_stores`` (409 naming the plan).

    The subscription row stays locked until the caller's transaction ends, so that two stores
    created at the same moment cannot both take the last place."""
    rows = Subscription.objects.filter(merchant=merchant).select_related("plan")
    if connection.in_atomic_block:
        rows = rows.select_for_update(of=("self",))
    subscription = rows.first()
    if subscription is None:  # a merchant on no plan has no limits (docs/billing.md)
        return
    plan = subscription.plan
    count = Store.objects.filter(merchant=merchant).count()
    if count >= plan.max_stores:
        raise Conflict(
            gettext(
                "The plan %(plan)s allows %(max)d store(s) and %(merchant)s has %(count)d: "
                "move the merchant to a larger plan to add one."
            )
            % {"plan": plan.name, "max": plan.max_stores, "merchant": merchant.name, "count": count},
            code="plan_store_limit",
        )


def plan_sync_interval_check(*, store: Store, minutes: int) -> None:
    """An auto-sync interval under the plan's ``min_sync_interval_minutes`` is refused (400)."""
    subscription = subscription_of(merchant_id=store.merchant_id)
    if subscription is None:
        return
    plan = subscription.plan
    if minutes < plan.min_sync_interval_minutes:
        raise InvalidInput(
            gettext(
                "The plan %(plan)s syncs at most every %(min)d minutes: choose %(min)d or more, "
                "or move to a plan with a shorter interval."
            )
            % {"plan": plan.name, "min": plan.min_sync_interval_minutes},
            field="sync_interval_minutes",
        )


# --- usage ------------------------------------------------------------------------------------


def _period_of(merchant_id: int) -> tuple[Subscription | None, date, date]:
    """The period an order imported now counts in: the subscription's, until it ends; the
    calendar month after (an ended period not yet closed by beat takes nothing more)."""
    subscription = subscription_of(merchant_id=merchant_id)
    if subscription is not None and today() < subscription.current_period_end:
        return subscription, subscription.current_period_start, subscription.current_period_end
    return subscription, *month_bounds(today())


def usage_orders_imported(*, store: Store, new_order_ids: Collection[int], unit_states=None) -> None:
    """Count the orders an import created in the merchant's current period (never refused: a
    missed order costs the merchant a customer). Crossing 80 % and 100 % of the plan's monthly
    orders tells the store's owners and managers and the admins, once per period each."""
    count = len(new_order_ids)
    if not count:
        return
    subscription, start, end = _period_of(store.merchant_id)
    usage_id, orders = _usage_add(merchant_id=store.merchant_id, start=start, end=end, count=count)
    if subscription is None or subscription.plan.monthly_order_limit <= 0 or start != subscription.current_period_start:
        return
    limit = subscription.plan.monthly_order_limit
    for percent, field in ((100, "warned_100_at"), (80, "warned_80_at")):
        if orders * 100 >= limit * percent:
            # One UPDATE decides who tells: the import that sets the mark.
            if UsagePeriod.objects.filter(pk=usage_id, **{f"{field}__isnull": True}).update(**{field: timezone.now()}):
                _usage_tell(store=store, subscription=subscription, percent=percent, orders=orders)


def _usage_add(*, merchant_id: int, start: date, end: date, count: int) -> tuple[int, int]:
    """Add ``count`` orders to the merchant's period, creating its row if it is missing; answers
    the row's id and its new count. One statement (an upsert adding to the count, atomic on
    SQLite and PostgreSQL alike), as an import runs it once per transaction of pages
    (docs/performance.md: an import's queries per page are constant)."""
    ops = connection.ops
    table = ops.quote_name(UsagePeriod._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (merchant_id, period_start, period_end, orders_imported, updated_at) "
            "VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (merchant_id, period_start) DO UPDATE SET "
            f"orders_imported = {table}.orders_imported + excluded.orders_imported, "
            "updated_at = excluded.updated_at "
            "RETURNING id, orders_imported",
            [
                merchant_id,
                ops.adapt_datefield_value(start),
                ops.adapt_datefield_value(end),
                count,
                ops.adapt_datetimefield_value(timezone.now()),
            ],
        )
        usage_id, orders = cursor.fetchone()
    return usage_id, orders


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _usage_tell(*, store: Store, subscription: Subscription, percent: int, orders: int) -> None:
    plan = subscription.plan
    if percent >= 100:
        title = gettext_noop("%(merchant)s is over its plan's monthly orders")
        message = gettext_noop(
            "%(orders)s orders were imported this period; the plan %(plan)s includes %(limit)s. Orders are "
            "never refused: those over the limit are billed as overage on the next invoice."
        )
    else:
        title = gettext_noop("%(merchant)s has used %(percent)s%% of its plan's monthly orders")
        message = gettext_noop(
            "%(orders)s of the %(limit)s orders the plan %(plan)s includes this period are used. Orders over "
            "the limit are never refused; they are billed as overage."
        )
    notification_raise(
        kind=USAGE_KIND,
        level=Notification.Level.ERROR if percent >= 100 else Notification.Level.WARNING,
        title=title,
        message=message,
        params={
            "merchant": subscription.merchant.name,
            "orders": orders,
            "limit": plan.monthly_order_limit,
            "plan": plan.name,
            "percent": percent,
        },
        store=store,
        incident_key=f"{USAGE_KIND}:{subscription.merchant_id}:{subscription.current_period_start}:{percent}",
        link=_url("portal:plan"),
        admin_link=_url("admin:billing_subscription_change", subscription.pk),
    )


# --- invoices ---------------------------------------------------------------------------------


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _next_number() -> int:
    """The next invoice number, without gaps: the sequence row is locked until the invoice's
    transaction ends, and rolled back with it."""
    sequence, _created = InvoiceSequence.objects.get_or_create(name="invoices")
    sequence = InvoiceSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def invoice_lines(*, plan: Plan, orders_imported: int) -> tuple[list[dict[str, str]], int, Decimal]:
    """The invoice's lines for a period: the plan's price, then the orders over its limit at
    its price per extra order. Returns (lines, overage orders, subtotal)."""
    lines = [
        {
            "description": f"{plan.name} ({plan.code})",
            "quantity": "1",
            "unit_price": str(plan.price_monthly),
            "amount": str(_money(plan.price_monthly)),
        }
    ]
    subtotal = _money(plan.price_monthly)
    overage = max(orders_imported - plan.monthly_order_limit, 0)
    if overage:
        amount = _money(plan.overage_price_per_order * overage)
        lines.append(
            {
                "description": gettext("Orders over %(limit)s") % {"limit": plan.monthly_order_limit},
                "quantity": str(overage),
                "unit_price": str(plan.overage_price_per_order),
                "amount": str(amount),
            }
        )
        subtotal += amount
    return lines, overage, subtotal


@transaction.atomic
def subscription_period_close(*, subscription_id: int, now=None) -> tuple[bool, Invoice | None]:
    """Close a subscription's period if it has ended: write its one invoice and start the next
    period. Idempotent: a period already closed (or not yet ended) writes nothing, and an
    invoice already written for it is returned as it is.

    A canceled subscription's period is closed without an invoice. Returns (whether a period
    was closed, its invoice)."""
    now = now or timezone.now()
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan", "merchant")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None:
        raise NotFound(gettext("Subscription %(id)s not found.") % {"id": subscription_id})
    if subscription.current_period_end > timezone.localdate(now):
        return False, None
    start, end = subscription.current_period_start, subscription.current_period_end
    invoice = Invoice.objects.filter(merchant=subscription.merchant, period_start=start).first()
    if invoice is None and subscription.status != Subscription.Status.CANCELED:
        usage = UsagePeriod.objects.filter(merchant=subscription.merchant, period_start=start).first()
        orders = usage.orders_imported if usage else 0
        lines, overage, subtotal = invoice_lines(plan=subscription.plan, orders_imported=orders)
        vat_rate = Decimal(str(settings.BILLING_VAT_RATE))
        vat = _money(subtotal * vat_rate)
        invoice = Invoice.objects.create(
            merchant=subscription.merchant,
            number=_next_number(),
            period_start=start,
            period_end=end,
            plan_code=subscription.plan.code,
            plan_name=subscription.plan.name,
            lines=lines,
            orders_imported=orders,
            overage_orders=overage,
            subtotal=subtotal,
            vat_rate=vat_rate,
            vat_amount=vat,
            total=subtotal + vat,
            currency=settings.BILLING_CURRENCY,
            issued_at=now,
        )
        transaction.on_commit(lambda: payments.invoice_issued(invoice_id=invoice.pk))
    next_start, next_end = month_bounds(end)
    subscription.current_period_start, subscription.current_period_end = next_start, next_end
    subscription.save(update_fields=["current_period_start", "current_period_end", "updated_at"])
    UsagePeriod.objects.get_or_create(
        merchant=subscription.merchant, period_start=next_start, defaults={"period_end": next_end}
    )
    return True, invoice


def periods_close(*, now=None) -> dict[str, int]:
    """Close every ended period (the beat task's work), each in its own transaction. A
    subscription left behind for several months is closed month by month."""
    now = now or timezone.now()
    closed = invoices = 0
    due = Subscription.objects.filter(current_period_end__lte=timezone.localdate(now)).values_list("pk", flat=True)
    for subscription_id in list(due):
        for _month in range(MAX_MONTHS_BEHIND):
            done, invoice = subscription_period_close(subscription_id=subscription_id, now=now)
            if not done:
                break
            closed += 1
            invoices += invoice is not None
    return {"periods_closed": closed, "invoices": invoices}
