"""A real server with its broker down: confirming loses no operation (the row is the queue)."""

import json

import pytest

from config.tests.clients import api_client_for
from config.tests.processes import child_database_url, free_port, request, runserver
from letzshop.imports import orders_import
from letzshop.models import LetzshopFulfillmentQueue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_lost_broker_loses_no_operation(tmp_path, sandbox_store, store_user):
    orders_import(store=sandbox_store, triggered_by="command")
    order = next(
        o
        for o in sandbox_store.letzshop_orders.select_related("local_order").order_by("pk")
        if not o.local_order.item_exceptions.exists()
    )
    token = api_client_for(store_user)._credentials["HTTP_AUTHORIZATION"]
    broker_down = f"redis://127.0.0.1:{free_port()}/6"
    with runserver(tmp_path, DATABASE_URL=child_database_url(), CELERY_BROKER_URL=broker_down) as base:
        status, _, body = request(
            f"{base}/api/v1/store/letzshop/orders/{order.pk}/confirm",
            method="POST",
            data=b"{}",
            headers={"Authorization": token, "Content-Type": "application/json"},
        )
    assert status == 202, body[:300]
    row = LetzshopFulfillmentQueue.objects.get(pk=json.loads(body)["queue_id"])
    # No message is on its way: the row is left for the sweep to wake once the broker is back.
    assert (row.status, row.woken_at) == ("pending", None)
