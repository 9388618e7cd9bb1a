"""Each order earns once, even when two workers settle its confirmation at the same moment
(PostgreSQL: the unique constraint and the member's row lock are the point)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from loyalty.models import LoyaltyMember, PointTransaction
from loyalty.services import points_earn_for_units, program_update
from orders.tests.factories import OrderFactory, OrderItemFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.loyalty,
    pytest.mark.skipif(connection.display_name != "PostgreSQL", reason="concurrent writers: PostgreSQL only"),
]


def test_two_workers_earning_for_one_order_at_once_earn_once(store):
    program_update(merchant=store.merchant, data={"active": True, "points_per_eur": Decimal("1")})
    order = OrderFactory(store=store, customer_email="eve@example.lu")
    OrderItemFactory(order=order, unit_price=Decimal("25.00"), inventory_unit_ids=["u1"])
    barrier = threading.Barrier(3)

    def earn():
        try:
            barrier.wait()
            points_earn_for_units(order_id=order.pk, unit_ids=["u1"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=earn) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert PointTransaction.objects.filter(order=order, reason="earned").count() == 1
    assert LoyaltyMember.objects.get(email="eve@example.lu").points_balance == 25
