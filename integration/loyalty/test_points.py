"""Points: earned when a confirmation completes, once per order, taken back on returns."""

from decimal import ROUND_FLOOR, Decimal

import pytest

from config.tests.clients import api_client_for
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder
from letzshop.services.fulfillment import order_confirm, queue_item_process
from letzshop.services.imports import orders_import
from loyalty.models import LoyaltyMember, PointTransaction
from loyalty.services import points_adjust, points_earn_for_units
from notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.loyalty]


def clean_order(store, units: int = 2) -> LetzshopOrder:
    """An imported order without product exceptions, with ``units`` units or more, all priced."""
    for order in LetzshopOrder.objects.filter(store=store).select_related("local_order").order_by("pk"):
        local = order.local_order
        if local.item_exceptions.exists() or len(order.inventory_units) < units or not local.customer_email:
            continue
        if all(item.unit_price > 0 for item in local.items.all()):
            return order
    raise AssertionError("no such order in the seeded data")


def expected_points(order: LetzshopOrder, unit_ids=None, rate=Decimal("1.50")) -> int:
    total = Decimal("0")
    for item in order.local_order.items.all():
        for unit_id in item.inventory_unit_ids:
            if unit_ids is None or unit_id in unit_ids:
                total += item.unit_price
    return int((total * rate).to_integral_value(rounding=ROUND_FLOOR))


def confirm(order: LetzshopOrder, user=None, unit_ids=None) -> LetzshopFulfillmentQueue:
    item, _created = order_confirm(order=order, user=user, inventory_unit_ids=unit_ids)
    return item


def member_of(order: LetzshopOrder) -> LoyaltyMember:
    return LoyaltyMember.objects.get(email=order.local_order.customer_email.lower())


def test_points_are_earned_when_the_confirmation_completes_not_when_queued(imported, program, store_user):
    order = clean_order(imported)
    response = api_client_for(store_user).post(f"/api/v1/store/letzshop/orders/{order.pk}/confirm")
    assert response.status_code == 202
    assert not PointTransaction.objects.exists()  # only queued
    queue_item_process(item_id=response.json()["queue_id"])
    earned = PointTransaction.objects.get()
    assert earned.reason == "earned" and earned.order_id == order.local_order_id
    assert earned.points == expected_points(order) > 0
    assert member_of(order).points_balance == earned.points == earned.balance_after


def test_a_retried_confirmation_earns_once(imported, program, letzshop_sandbox, settings):
    settings.LETZSHOP_QUEUE_BACKOFF_BASE_SECONDS = 0
    order = clean_order(imported)
    letzshop_sandbox.state.update_faults({"fail_next": [500]})
    item = confirm(order)
    first = queue_item_process(item_id=item.pk)
    assert first.status == "pending" and not PointTransaction.objects.exists()
    LetzshopFulfillmentQueue.objects.filter(pk=item.pk).update(next_attempt_at=first.created_at)
    assert queue_item_process(item_id=item.pk).status == "completed"
    # The receiver told again (a settle run twice, a second confirmation of the same order).
    points_earn_for_units(order_id=order.local_order_id, unit_ids=[u["id"] for u in order.inventory_units])
    assert PointTransaction.objects.filter(reason="earned").count() == 1
    assert member_of(order).points_balance == expected_points(order)


def test_a_second_confirmation_of_other_units_earns_nothing_more(imported, program):
    order = clean_order(imported)
    first, second = (unit["id"] for unit in order.inventory_units[:2])
    queue_item_process(item_id=confirm(order, unit_ids=[first]).pk)
    order.refresh_from_db()
    queue_item_process(item_id=confirm(order, unit_ids=[second]).pk)
    earned = PointTransaction.objects.get(reason="earned")
    assert earned.unit_ids == [first]
    assert earned.points == expected_points(order, unit_ids={first})


def test_a_reimport_changes_no_balance(imported, program):
    order = clean_order(imported)
    queue_item_process(item_id=confirm(order).pk)
    balance = member_of(order).points_balance
    orders_import(store=imported, triggered_by="command", include_confirmed=True, full=True)
    assert member_of(order).points_balance == balance
    assert PointTransaction.objects.count() == 1


def test_no_points_without_an_active_program(imported, store):
    order = clean_order(imported)
    queue_item_process(item_id=confirm(order).pk)
    assert not PointTransaction.objects.exists()


def _return_on_letzshop(sandbox, unit_ids) -> None:
    with sandbox.state.lock:
        for unit_id in unit_ids:
            unit, _shipment = sandbox.state._units[unit_id]
            unit["state"] = "returned"


def test_units_returned_take_their_points_back(imported, program, letzshop_sandbox):
    order = clean_order(imported)
    queue_item_process(item_id=confirm(order).pk)
    earned = member_of(order).points_balance
    units = [unit["id"] for unit in order.inventory_units]
    _return_on_letzshop(letzshop_sandbox, units[:1])
    orders_import(store=imported, triggered_by="command", include_confirmed=True)
    back = PointTransaction.objects.get(reason="returned")
    assert back.unit_ids == units[:1] and back.order_id == order.local_order_id
    partial = member_of(order).points_balance
    assert 0 < -back.points < earned and partial == earned + back.points
    # The same import again takes nothing more; the rest returned takes back the rest, exactly.
    orders_import(store=imported, triggered_by="command", include_confirmed=True, full=True)
    assert PointTransaction.objects.filter(reason="returned").count() == 1
    _return_on_letzshop(letzshop_sandbox, units)
    orders_import(store=imported, triggered_by="command", include_confirmed=True)
    assert PointTransaction.objects.filter(reason="returned").count() == 2
    assert member_of(order).points_balance == 0


def test_a_return_after_points_were_spent_goes_below_zero_and_says_so(imported, program, letzshop_sandbox, store):
    order = clean_order(imported)
    queue_item_process(item_id=confirm(order).pk)
    member = member_of(order)
    points_adjust(merchant=store.merchant, email=member.email, points=-member.points_balance, reason="Voucher")
    _return_on_letzshop(letzshop_sandbox, [unit["id"] for unit in order.inventory_units])
    orders_import(store=imported, triggered_by="command", include_confirmed=True)
    member.refresh_from_db()
    assert member.points_balance == -expected_points(order)
    back = PointTransaction.objects.get(reason="returned")
    assert "below zero" in back.note
    assert Notification.objects.filter(kind="loyalty_negative_balance", store=store).exists()
