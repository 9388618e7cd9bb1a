"""Fulfillment against the sandbox on a real port: confirm, decline, tracking, the queue."""

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from config.tests.clients import api_client_for
from exceptions.models import OrderItemException
from exceptions.services import exception_ignore, exception_resolve
from letzshop.imports import orders_import
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog
from letzshop.services.fulfillment import (
    order_confirm,
    queue_item_process,
    queue_process_due,
    queue_rescue_stuck,
)
from letzshop.tests.helpers import clean_order, units_on_letzshop
from stores.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
Queue = LetzshopFulfillmentQueue


@pytest.fixture
def imported(sandbox_store, letzshop_sandbox):
    orders_import(store=sandbox_store, triggered_by="command")
    return sandbox_store


def blocked_order(store) -> LetzshopOrder:
    exception = OrderItemException.objects.filter(store=store).select_related("order").first()
    return exception.order.letzshop_order


def test_confirm_through_the_api_reaches_letzshop(imported, store_user, letzshop_sandbox):
    order = clean_order(imported)
    response = api_client_for(store_user).post(f"/api/v1/store/letzshop/orders/{order.pk}/confirm")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending" and body["duplicate"] is False
    assert set(units_on_letzshop(letzshop_sandbox, order).values()) == {"unconfirmed"}  # only queued so far

    item = queue_item_process(item_id=body["queue_id"])
    assert item.status == "completed" and item.attempts == 1 and item.error_message == ""
    assert set(units_on_letzshop(letzshop_sandbox, order).values()) == {"confirmed_available"}
    order.refresh_from_db()
    assert (order.letzshop_state, order.sync_status, order.local_order.status) == (
        "confirmed",
        "confirmed",
        "confirmed",
    )
    log = LetzshopSyncLog.objects.get(queue_item=item)
    assert (log.operation_type, log.direction, log.status, log.triggered_by) == (
        "confirm",
        "outbound",
        "success",
        str(store_user.pk),
    )
    assert log.completed_at >= log.started_at


def test_an_order_with_a_pending_or_ignored_exception_answers_409(imported, store_user):
    order = blocked_order(imported)
    client = api_client_for(store_user)
    count = order.local_order.item_exceptions.count()
    response = client.post(f"/api/v1/store/letzshop/orders/{order.pk}/confirm")
    assert response.status_code == 409
    assert response.json() == {"detail": f"Order has {count} unresolved exception(s)"}
    for exception in order.local_order.item_exceptions.all():
        exception_ignore(exception=exception, user=store_user, reason="never in stock")
    assert client.post(f"/api/v1/store/letzshop/orders/{order.pk}/confirm").status_code == 409
    product = ProductFactory(store=imported)
    for exception in order.local_order.item_exceptions.all():
        exception_resolve(exception=exception, product_id=product.pk, user=store_user)
    assert client.post(f"/api/v1/store/letzshop/orders/{order.pk}/confirm").status_code == 202
    assert Queue.objects.filter(letzshop_order=order).count() == 1


def test_partial_confirmation_of_listed_units(imported, store_user, letzshop_sandbox):
    order = clean_order(imported, units=3)
    first, *others = [unit["id"] for unit in order.inventory_units]
    client = api_client_for(store_user)
    response = client.post(
        f"/api/v1/store/letzshop/orders/{order.pk}/confirm", {"inventory_unit_ids": [first]}, format="json"
    )
    queue_item_process(item_id=response.json()["queue_id"])
    states = units_on_letzshop(letzshop_sandbox, order)
    assert states[first] == "confirmed_available" and {states[u] for u in others} == {"unconfirmed"}
    order.refresh_from_db()
    assert order.letzshop_state == "unconfirmed" and order.sync_status == "confirmed"
    unknown = client.post(
        f"/api/v1/store/letzshop/orders/{order.pk}/confirm", {"inventory_unit_ids": ["nope"]}, format="json"
    )
    assert unknown.status_code == 400 and "nope" in unknown.json()["inventory_unit_ids"][0]


def test_decline_with_a_reason(imported, store_user, letzshop_sandbox):
    order = blocked_order(imported)  # declining needs no product match
    client = api_client_for(store_user)
    missing = client.post(f"/api/v1/store/letzshop/orders/{order.pk}/reject", {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()
    response = client.post(
        f"/api/v1/store/letzshop/orders/{order.pk}/reject", {"reason": "Out of stock"}, format="json"
    )
    assert response.status_code == 202
    queue_item_process(item_id=response.json()["queue_id"])
    assert set(units_on_letzshop(letzshop_sandbox, order).values()) == {"confirmed_unavailable"}
    order.refresh_from_db()
    assert (order.sync_status, order.local_order.status, order.decline_reason) == (
        "rejected",
        "rejected",
        "Out of stock",
    )


def test_tracking_is_kept_locally_whatever_letzshop_reads_back(imported, store_user, letzshop_sandbox):
    letzshop_sandbox.state.tracking_reads_back = False
    order = clean_order(imported)
    client = api_client_for(store_user)
    refused = client.post(
        f"/api/v1/store/letzshop/orders/{order.pk}/tracking",
        {"tracking_number": "1Z999", "tracking_carrier": "ups"},
        format="json",
    )
    assert refused.status_code == 409  # nothing confirmed yet
    confirm = client.post(f"/api/v1/store/letzshop/orders/{order.pk}/confirm").json()["queue_id"]
    tracking = client.post(
        f"/api/v1/store/letzshop/orders/{order.pk}/tracking",
        {"tracking_number": "1Z999AA10123456784", "tracking_carrier": "ups"},
        format="json",
    ).json()["queue_id"]
    assert queue_item_process(item_id=tracking) is None  # waits for the confirmation queued before it
    assert queue_item_process(item_id=confirm).status == "completed"
    assert queue_item_process(item_id=tracking).status == "completed"
    stored = letzshop_sandbox.state.shipment_detail(order.letzshop_shipment_id)["storedTracking"]
    assert stored["code"] == "1Z999AA10123456784"
    orders_import(store=imported, triggered_by="command")  # Letzshop does not show it back
    order.refresh_from_db()
    assert (order.tracking_number, order.tracking_carrier, order.sync_status) == (
        "1Z999AA10123456784",
        "ups",
        "shipped",
    )
    assert order.local_order.status == "shipped" and order.local_order.tracking_number == "1Z999AA10123456784"


def test_a_duplicate_request_is_not_queued_twice(imported, store_user):
    order = clean_order(imported)
    client = api_client_for(store_user)
    first = client.post(f"/api/v1/store/letzshop/orders/{order.pk}/confirm").json()
    second = client.post(f"/api/v1/store/letzshop/orders/{order.pk}/confirm").json()
    assert second["queue_id"] == first["queue_id"] and second["duplicate"] is True
    assert Queue.objects.filter(letzshop_order=order).count() == 1


def test_a_500_then_success_retries_and_completes(imported, letzshop_sandbox, settings):
    settings.LETZSHOP_QUEUE_BACKOFF_BASE_SECONDS = 0.2
    order = clean_order(imported)
    item, _ = order_confirm(order=order)
    letzshop_sandbox.state.update_faults({"fail_next": [500]})
    item = queue_item_process(item_id=item.pk)
    assert (item.status, item.attempts) == ("pending", 1)
    assert "500" in item.error_message
    assert 0.05 <= (item.next_attempt_at - timezone.now()).total_seconds() <= 0.35  # backoff with jitter
    assert queue_item_process(item_id=item.pk) is None  # not due yet
    time.sleep(0.35)
    item = queue_item_process(item_id=item.pk)
    assert (item.status, item.attempts, item.error_message) == ("completed", 2, "")
    statuses = list(LetzshopSyncLog.objects.filter(queue_item=item).order_by("pk").values_list("status", flat=True))
    assert statuses == ["failed", "success"]


def test_a_429_waits_as_told(imported, letzshop_sandbox):
    order = clean_order(imported)
    item, _ = order_confirm(order=order)
    letzshop_sandbox.state.update_faults({"fail_next": [429], "retry_after": 2})
    item = queue_item_process(item_id=item.pk)
    assert (item.status, item.attempts) == ("pending", 0)  # "later" is not a failed attempt
    wait = (item.next_attempt_at - timezone.now()).total_seconds()
    assert 1.5 <= wait <= 3.0  # Retry-After, plus up to a second of jitter
    time.sleep(wait + 0.1)
    item = queue_item_process(item_id=item.pk)
    assert (item.status, item.attempts) == ("completed", 1)


def test_a_wrong_key_fails_at_once_without_retrying(imported, letzshop_sandbox):
    order = clean_order(imported)
    item, _ = order_confirm(order=order)
    letzshop_sandbox.state.api_key = "rotated-on-letzshop"
    item = queue_item_process(item_id=item.pk)
    assert (item.status, item.attempts, item.max_attempts) == ("failed", 1, 3)
    assert "API key" in item.error_message or "Unauthorized" in item.error_message
    assert letzshop_sandbox.state.summary()["mutations"] == 0


def test_failing_sandbox_ends_failed_keeps_the_error_and_can_be_retried_by_hand(imported, letzshop_sandbox, store_user):
    order = clean_order(imported)
    item, _ = order_confirm(order=order)
    letzshop_sandbox.state.update_faults({"fail_next": [500, 502, 503]})
    for attempt in range(1, 4):
        Queue.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
        item = queue_item_process(item_id=item.pk)
        assert item.attempts == attempt
    assert item.status == "failed" and "503" in item.error_message
    assert item.payload == {"inventory_unit_ids": [u["id"] for u in order.inventory_units]}

    client = api_client_for(store_user)
    listed = client.get("/api/v1/store/letzshop/queue", {"status": "failed"}).json()
    assert [row["id"] for row in listed["results"]] == [item.pk]
    assert listed["results"][0]["error_message"] == item.error_message
    response = client.post(f"/api/v1/store/letzshop/queue/{item.pk}/retry")
    assert response.status_code == 202 and response.json()["status"] == "pending"
    assert queue_item_process(item_id=item.pk).status == "completed"
    assert client.post(f"/api/v1/store/letzshop/queue/{item.pk}/retry").status_code == 409


def test_the_sweep_takes_back_rows_a_stopped_worker_left(imported, settings, letzshop_sandbox):
    settings.LETZSHOP_QUEUE_STUCK_SECONDS = 60
    order = clean_order(imported)
    item, _ = order_confirm(order=order)
    long_ago = timezone.now() - timedelta(minutes=5)
    Queue.objects.filter(pk=item.pk).update(status="processing", locked_at=long_ago, attempts=1)
    spent = Queue.objects.create(
        store=imported,
        letzshop_order=clean_order(imported, units=1),
        operation="confirm",
        payload={"inventory_unit_ids": ["x"]},
        payload_digest="other",
        status="processing",
        locked_at=long_ago,
        attempts=3,
    )
    assert queue_rescue_stuck() == 2
    item.refresh_from_db()
    spent.refresh_from_db()
    assert (item.status, item.locked_at, item.verify_before_send) == ("pending", None, True)
    assert (spent.status, spent.verify_before_send) == ("pending", True)

    # Letzshop does not show the confirmation: it is sent (a second attempt).
    item = queue_item_process(item_id=item.pk)
    assert (item.status, item.attempts, item.verify_before_send) == ("completed", 2, False)
    assert set(units_on_letzshop(letzshop_sandbox, order).values()) == {"confirmed_available"}
    # The other was on its last attempt: checked, not sent again.
    mutations = letzshop_sandbox.state.summary()["mutations"]
    spent = queue_item_process(item_id=spent.pk)
    assert spent.status == "failed" and "no attempt is left" in spent.error_message and spent.attempts == 3
    assert letzshop_sandbox.state.summary()["mutations"] == mutations


def test_process_queue_command(imported):
    order_confirm(order=clean_order(imported))
    out = StringIO()
    call_command("letzshop_process_queue", stdout=out)
    assert "1 completed, 0 failed" in out.getvalue()


def test_queue_drain_sends_everything_due(imported, letzshop_sandbox):
    orders = [o for o in LetzshopOrder.objects.filter(store=imported) if not o.local_order.item_exceptions.exists()]
    for order in orders[:5]:
        order_confirm(order=order)
    counts = queue_process_due()
    assert counts["completed"] == 5 and counts["failed"] == 0
    assert Queue.objects.filter(status="completed").count() == 5


def test_an_unexpected_error_is_kept_on_the_row_not_lost(imported, monkeypatch):
    import letzshop.services.fulfillment as fulfillment

    def broken(client, item, **kwargs):
        raise KeyError("inventoryUnits")

    monkeypatch.setattr(fulfillment, "_send", broken)
    item, _ = order_confirm(order=clean_order(imported))
    item = queue_item_process(item_id=item.pk)
    assert item.status == "failed" and item.error_message == "Unexpected error: KeyError: 'inventoryUnits'"
