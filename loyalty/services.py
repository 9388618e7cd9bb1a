"""Writes of loyalty: programs, points earned and taken back, adjustments (docs/loyalty.md).

Every change of a balance is a PointTransaction written with it, in one transaction, with the
member's row locked: the balance is always the sum of its transactions.
"""

import logging
from collections.abc import Collection, Mapping
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, gettext_noop

from config.errors import InvalidInput
from config.validation import row_errors
from loyalty.models import LoyaltyMember, LoyaltyProgram, PointTransaction
from merchants.models import Merchant
from notifications.models import Notification
from notifications.services import notification_raise
from orders.models import Order, OrderItem
from stores.models import Store

logger = logging.getLogger(__name__)

UNIT_RETURNED = "returned"
NEGATIVE_KIND = "loyalty_negative_balance"
Reason = PointTransaction.Reason


def program_get(*, merchant: Merchant) -> LoyaltyProgram:
    """The merchant's program (an inactive one, not yet saved, if it has none)."""
    return LoyaltyProgram.objects.filter(merchant=merchant).first() or LoyaltyProgram(merchant=merchant)


@transaction.atomic
def program_update(*, merchant: Merchant, data: Mapping[str, Any]) -> LoyaltyProgram:
    values = {name: data[name] for name in ("active", "points_per_eur") if name in data}
    errors = row_errors(LoyaltyProgram, values)
    if errors:
        field, messages = next(iter(errors.items()))
        raise InvalidInput(" ".join(messages), field=field)
    program, _created = LoyaltyProgram.objects.select_for_update().get_or_create(merchant=merchant)
    for name, value in values.items():
        setattr(program, name, value)
    program.save()
    return program


def email_normalize(email: str) -> str:
    return (email or "").strip().lower()


def _member_locked(*, program: LoyaltyProgram, email: str) -> LoyaltyMember:
    member, _created = LoyaltyMember.objects.get_or_create(program=program, email=email)
    return LoyaltyMember.objects.select_for_update().get(pk=member.pk)


def _record(member: LoyaltyMember, *, points: int, reason: str, note: str = "", **fields: Any) -> PointTransaction:
    """Change a locked member's balance and write the transaction that says why."""
    member.points_balance += points
    member.save(update_fields=["points_balance", "updated_at"])
    return PointTransaction.objects.create(
        member=member, points=points, reason=reason, balance_after=member.points_balance, note=note[:500], **fields
    )


def _unit_prices(order_ids: Collection[int]) -> dict[int, dict[str, Decimal]]:
    """Each order's units and their prices (one query)."""
    prices: dict[int, dict[str, Decimal]] = {}
    for order_id, unit_ids, unit_price in OrderItem.objects.filter(order_id__in=list(order_ids)).values_list(
        "order_id", "inventory_unit_ids", "unit_price"
    ):
        for unit_id in unit_ids or []:
            prices.setdefault(order_id, {})[str(unit_id)] = unit_price
    return prices


def points_for(amount: Decimal, points_per_eur: Decimal) -> int:
    """floor(amount × points per euro)."""
    return int((amount * points_per_eur).to_integral_value(rounding=ROUND_FLOOR))


def points_earn_for_units(*, order_id: int, unit_ids: Collection[str]) -> PointTransaction | None:
    """A confirmation completed and Letzshop shows these units confirmed available: the order's
    customer earns floor(sum of their prices × points per euro), once per order (a constraint:
    a retried confirmation or a second one earns nothing more). Nothing without an active
    program or a customer e-mail."""
    # One query when the merchant has no active program (most confirmations on a platform
    # without loyalty): the program found through the order's store.
    program = LoyaltyProgram.objects.filter(merchant__stores__orders__pk=order_id, active=True).first()
    if program is None:
        return None
    if PointTransaction.objects.filter(order_id=order_id, reason=Reason.EARNED).exists():
        return None
    order = Order.objects.filter(pk=order_id).select_related("store").first()
    email = email_normalize(order.customer_email) if order is not None else ""
    if not email:
        return None
    prices = _unit_prices([order_id]).get(order_id, {})
    earned_units = sorted(str(unit_id) for unit_id in unit_ids if str(unit_id) in prices)
    points = points_for(sum((prices[u] for u in earned_units), Decimal("0")), program.points_per_eur)
    if points <= 0:
        return None
    try:
        with transaction.atomic():
            member = _member_locked(program=program, email=email)
            return _record(
                member, points=points, reason=Reason.EARNED, order_id=order_id, store=order.store, unit_ids=earned_units
            )
    except IntegrityError:  # earned at the same moment by another worker: that one counts
        return None


def points_take_back_returned(
    *, store: Store, new_order_ids: Collection[int] = (), unit_states: Mapping[int, Mapping[str, str]]
) -> int:
    """A later import shows units ``returned``: the points they earned are taken back, each unit
    once. The points taken back for an order are its earned points in the share of the prices of
    the units returned (so that all units returned take back exactly what was earned).

    A balance is allowed below zero here (the customer may have spent points since), but never
    silently: the transaction says so and the store's people are told. Returns the transactions
    written."""
    returned = {
        order_id: {unit_id for unit_id, state in states.items() if state == UNIT_RETURNED}
        for order_id, states in unit_states.items()
    }
    returned = {order_id: units for order_id, units in returned.items() if units}
    if not returned:
        return 0
    earnings = {
        tx.order_id: tx
        for tx in PointTransaction.objects.filter(order_id__in=list(returned), reason=Reason.EARNED).select_related(
            "member"
        )
    }
    if not earnings:
        return 0
    back: dict[int, tuple[set[str], int]] = {}
    for order_id, unit_ids, points in PointTransaction.objects.filter(
        order_id__in=list(earnings), reason=Reason.RETURNED
    ).values_list("order_id", "unit_ids", "points"):
        units, total = back.get(order_id, (set(), 0))
        back[order_id] = (units | set(unit_ids), total - points)
    prices = _unit_prices(list(earnings))
    written = 0
    for order_id, earning in earnings.items():
        already_units, already_points = back.get(order_id, (set(), 0))
        earned_units = set(earning.unit_ids)
        target = already_units | (earned_units & returned[order_id])
        if target == already_units:
            continue
        order_prices = prices.get(order_id, {})
        earned_amount = sum((order_prices.get(u, Decimal("0")) for u in earned_units), Decimal("0"))
        target_amount = sum((order_prices.get(u, Decimal("0")) for u in target), Decimal("0"))
        if target == earned_units or earned_amount <= 0:
            total_back = earning.points
        else:
            total_back = int((earning.points * target_amount / earned_amount).to_integral_value(rounding=ROUND_FLOOR))
        points = total_back - already_points
        new_units = sorted(target - already_units)
        with transaction.atomic():
            member = LoyaltyMember.objects.select_for_update().get(pk=earning.member_id)
            negative = member.points_balance - points < 0
            note = (
                gettext("Balance below zero: the customer had %(balance)d points left.")
                % {"balance": member.points_balance}
                if negative
                else ""
            )
            _record(
                member,
                points=-points,
                reason=Reason.RETURNED,
                order_id=order_id,
                store_id=earning.store_id,
                unit_ids=new_units,
                note=note,
            )
        written += 1
        if negative:
            _negative_tell(store=store, member=member)
    return written


def _negative_tell(*, store: Store, member: LoyaltyMember) -> None:
    try:
        link = reverse("portal:loyalty") + f"?email={member.email}"
    except NoReverseMatch:
        link = ""
    notification_raise(
        kind=NEGATIVE_KIND,
        level=Notification.Level.WARNING,
        title=gettext_noop("A loyalty balance is below zero"),
        message=gettext_noop(
            "Units of an order by %(email)s were returned after the customer had used the points they earned: "
            "the balance is now %(balance)s points. Adjust it by hand if you want to settle it."
        ),
        params={"email": member.email, "balance": member.points_balance},
        store=store,
        incident_key=f"{NEGATIVE_KIND}:{member.pk}:{member.points_balance}",
        link=link,
    )


@transaction.atomic
def points_adjust(
    *, merchant: Merchant, email: str, points: int, reason: str, user=None, store: Store | None = None
) -> PointTransaction:
    """Add or take away points by hand, with the reason. A balance may not go below zero this way."""
    email = email_normalize(email)
    errors = row_errors(LoyaltyMember, {"email": email})
    if not email or errors:
        raise InvalidInput(gettext("Enter the member's e-mail address."), field="email")
    if isinstance(points, bool) or not isinstance(points, int) or points == 0 or abs(points) > 10**9:
        raise InvalidInput(gettext("Points are a whole number other than 0."), field="points")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(gettext("Say why the balance changes."), field="reason")
    if row_errors(PointTransaction, {"note": reason}):
        raise InvalidInput(gettext("The reason is at most 500 characters."), field="reason")
    program = LoyaltyProgram.objects.filter(merchant=merchant).first()
    if program is None:
        raise InvalidInput(gettext("This merchant has no loyalty program yet: set it up first."), field="email")
    member = _member_locked(program=program, email=email)
    if member.points_balance + points < 0:
        raise InvalidInput(
            gettext("The balance of %(email)s is %(balance)d points: it cannot go below zero.")
            % {"email": email, "balance": member.points_balance},
            field="points",
        )
    return _record(
        member,
        points=points,
        reason=Reason.ADJUSTMENT,
        note=reason,
        store=store,
        created_by=user if user is not None and user.is_authenticated else None,
    )
