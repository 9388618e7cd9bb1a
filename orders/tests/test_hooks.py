"""A receiver of the order hooks that fails is logged and undone alone; the caller goes on."""

import pytest

from orders import hooks
from orders.models import Order
from orders.tests.factories import OrderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.orders]


def test_a_failing_receiver_is_logged_and_the_others_still_run(store, caplog, monkeypatch):
    order = OrderFactory(store=store)
    heard = []

    def broken(*, order_id, unit_ids):
        Order.objects.filter(pk=order_id).update(customer_email="changed@example.lu")  # undone with it
        raise RuntimeError("a bug in a receiver")

    def working(*, order_id, unit_ids):
        heard.append((order_id, unit_ids))

    monkeypatch.setattr(hooks, "_units_confirmed", [broken, working])
    hooks.units_confirmed(order_id=order.pk, unit_ids=["u1"])
    assert heard == [(order.pk, ["u1"])]
    order.refresh_from_db()
    assert order.customer_email != "changed@example.lu"
    assert "a bug in a receiver" in caplog.text and "broken" in caplog.text


def test_nothing_to_tell_calls_no_receiver(store, monkeypatch):
    called = []
    monkeypatch.setattr(hooks, "_orders_imported", [lambda **kwargs: called.append(kwargs)])
    hooks.orders_imported(store=store, new_order_ids=[], unit_states={})
    assert called == []
    hooks.orders_imported(store=store, new_order_ids=[7], unit_states={})
    assert called[0]["new_order_ids"] == [7]
