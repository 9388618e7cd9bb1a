"""One decision per unit: once a unit has a queued or completed confirm, a decline of it answers
409, and the other way round (docs/fulfillment.md, docs/security.md)."""

import threading

import pytest
from django.db import connection

from config.errors import Conflict
from config.tests.clients import api_client_for
from letzshop.imports import orders_import
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder
from letzshop.services.fulfillment import order_confirm, order_decline, queue_item_process
from letzshop.tests.helpers import clean_order

Queue = LetzshopFulfillmentQueue


@pytest.fixture
def imported(sandbox_store, letzshop_sandbox):
    orders_import(store=sandbox_store, triggered_by="command")
    return sandbox_store


@pytest.mark.django_db
def test_a_queued_confirm_refuses_a_reject_and_keeps_no_decline_reason(imported, store_user):
    order = clean_order(imported)
    client = api_client_for(store_user)
    assert client.post(f"/api/v1/store/letzshop/orders/{order.pk}/confirm").status_code == 202
    response = client.post(f"/api/v1/store/letzshop/orders/{order.pk}/reject", {"reason": "out of stock"})
    assert response.status_code == 409 and "confirmation is already queued" in response.json()["detail"]
    order.refresh_from_db()
    assert order.decline_reason == ""
    assert list(Queue.objects.filter(letzshop_order=order).values_list("operation", flat=True)) == ["confirm"]


@pytest.mark.django_db
def test_a_completed_reject_refuses_a_confirm_of_its_units_only(imported, store_user, letzshop_sandbox):
    order = clean_order(imported, units=2)
    first, second = (unit["id"] for unit in order.inventory_units)
    row, _ = order_decline(order=order, reason="broken", inventory_unit_ids=[first])
    assert queue_item_process(item_id=row.pk).status == "completed"
    client = api_client_for(store_user)
    refused = client.post(
        f"/api/v1/store/letzshop/orders/{order.pk}/confirm", {"inventory_unit_ids": [first]}, format="json"
    )
    assert refused.status_code == 409 and first in refused.json()["detail"]
    allowed = client.post(
        f"/api/v1/store/letzshop/orders/{order.pk}/confirm", {"inventory_unit_ids": [second]}, format="json"
    )
    assert allowed.status_code == 202


@pytest.mark.django_db(transaction=True)
def test_confirms_and_rejects_sent_at_once_queue_one_decision(imported):
    order = clean_order(imported)
    outcomes: list[str] = []
    start = threading.Barrier(10)

    def decide(operation: str) -> None:
        try:
            start.wait(10)
            fresh = LetzshopOrder.objects.get(pk=order.pk)
            if operation == "confirm":
                order_confirm(order=fresh)
            else:
                order_decline(order=fresh, reason="out of stock")
            outcomes.append(operation)
        except Conflict:
            outcomes.append("409")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(op,)) for op in ["confirm", "reject"] * 5]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == 10
    operations = set(Queue.objects.filter(letzshop_order=order).values_list("operation", flat=True))
    assert len(operations) == 1, operations
    decided = operations.pop()
    assert outcomes.count("409") == 5 and outcomes.count(decided) == 5
    order.refresh_from_db()
    assert (order.decline_reason != "") == (decided == "reject")
