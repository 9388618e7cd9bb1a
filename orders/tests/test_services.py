"""The services other apps call to keep a local order in step with its sales channel."""

import pytest

from orders.models import Order
from orders.services import order_follow_channel_status, order_follow_channel_tracking
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_orders_follow_the_channel_along_allowed_transitions_only():
    pending, confirmed, cancelled, shipped = (
        OrderFactory(status=status) for status in ("pending", "confirmed", "cancelled", "shipped")
    )
    ids = [pending.pk, confirmed.pk, cancelled.pk, shipped.pk]

    assert order_follow_channel_status(order_ids=ids, status="confirmed") == 1
    statuses = dict(Order.objects.filter(pk__in=ids).values_list("pk", "status"))
    # pending moved; a cancelled order stays cancelled, a shipped one never goes back.
    assert statuses == {
        pending.pk: "confirmed",
        confirmed.pk: "confirmed",
        cancelled.pk: "cancelled",
        shipped.pk: "shipped",
    }

    assert order_follow_channel_status(order_ids=ids, status="shipped") == 2
    moved = Order.objects.get(pk=pending.pk)
    assert moved.status == "shipped" and moved.shipped_at is not None
    shipped.refresh_from_db()
    assert shipped.shipped_at is None  # it did not move: its shipping time is not invented


def test_following_refuses_an_unknown_status_and_an_empty_list_costs_nothing(django_assert_num_queries):
    with pytest.raises(ValueError):
        order_follow_channel_status(order_ids=[1], status="lost")
    with django_assert_num_queries(0):
        assert order_follow_channel_status(order_ids=[], status="confirmed") == 0


def test_tracking_keeps_a_carrier_chosen_before():
    chosen = OrderFactory(shipping_carrier="greco")
    bare = OrderFactory()
    order_follow_channel_tracking(order_id=chosen.pk, tracking_number=" 1Z999 ", carrier="ups")
    order_follow_channel_tracking(order_id=bare.pk, tracking_number="1Z998", carrier="ups")
    chosen.refresh_from_db()
    bare.refresh_from_db()
    assert (chosen.tracking_number, chosen.shipping_carrier) == ("1Z999", "greco")
    assert (bare.tracking_number, bare.shipping_carrier) == ("1Z998", "ups")
