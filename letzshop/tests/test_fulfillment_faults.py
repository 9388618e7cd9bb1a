"""The fulfillment queue under faults, in this process: a 429 storm, a row a stopped worker left,
a database error after Letzshop's answer, the sweep's wake messages (docs/fulfillment.md)."""

import threading
import time
from datetime import timedelta

import pytest
from celery import current_app
from django.db import OperationalError, connection, connections
from django.utils import timezone

from letzshop.client.errors import RateLimited
from letzshop.imports import orders_import
from letzshop.models import LetzshopFulfillmentQueue, LetzshopSyncLog
from letzshop.services import fulfillment
from letzshop.services.fulfillment import (
    order_confirm,
    order_set_tracking,
    queue_item_process,
    queue_rescue_stuck,
    queue_sweep,
)
from letzshop.tests.helpers import clean_order, units_on_letzshop

pytestmark = pytest.mark.django_db
Queue = LetzshopFulfillmentQueue


@pytest.fixture
def imported(sandbox_store, letzshop_sandbox):
    orders_import(store=sandbox_store, triggered_by="command")
    return sandbox_store


def clean_orders(store, count: int):
    orders = []
    for order in store.letzshop_orders.select_related("local_order").order_by("pk"):
        if not order.local_order.item_exceptions.exists() and order.letzshop_state == "unconfirmed":
            orders.append(order)
    assert len(orders) >= count, "not enough orders in the seeded data"
    return orders[:count]


def make_due(item) -> None:
    Queue.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())


def stuck(item, *, attempts: int = 1) -> None:
    """As a worker stopped in the middle of the row leaves it."""
    Queue.objects.filter(pk=item.pk).update(
        status="processing", locked_at=timezone.now() - timedelta(hours=1), attempts=attempts
    )


# --- 429: "later", not a failed attempt -------------------------------------------------------


def test_a_429_storm_uses_up_no_attempt(imported, letzshop_sandbox):
    item, _ = order_confirm(order=clean_order(imported))
    letzshop_sandbox.state.update_faults({"fail_next": [429] * 6, "retry_after": 1})
    for _ in range(6):  # twice the attempts a failing call gets
        make_due(item)
        item = queue_item_process(item_id=item.pk)
        assert (item.status, item.attempts) == ("pending", 0)
        assert item.rate_limited_since is not None and "429" in item.error_message
    make_due(item)
    item = queue_item_process(item_id=item.pk)
    assert (item.status, item.attempts, item.rate_limited_since) == ("completed", 1, None)
    logs = LetzshopSyncLog.objects.filter(queue_item=item).order_by("pk")
    assert [log.status for log in logs] == ["failed"] * 6 + ["success"]
    assert all(log.details.get("rate_limited") for log in logs[:6])


def test_throttled_rows_come_back_spread_out_never_before_retry_after(imported, letzshop_sandbox, settings):
    settings.LETZSHOP_MAX_RETRY_AFTER_SECONDS = 10
    orders = clean_orders(imported, 20)
    items = [order_confirm(order=order)[0] for order in orders]
    letzshop_sandbox.state.update_faults({"rate_429": 1.0, "retry_after": 4})
    items = [queue_item_process(item_id=item.pk) for item in items]
    assert all(item.status == "pending" and item.attempts == 0 for item in items)
    answered = dict(LetzshopSyncLog.objects.filter(queue_item__in=items).values_list("queue_item", "completed_at"))
    waits = sorted((item.next_attempt_at - answered[item.pk]).total_seconds() for item in items)
    assert waits[0] >= 4 and waits[-1] <= 6  # never before Retry-After, at most half of it again
    assert waits[-1] - waits[0] >= 0.5 and len(set(waits)) == len(waits)  # not all at one instant


def test_a_row_throttled_for_longer_than_the_bound_fails_with_a_clear_message(imported, letzshop_sandbox, settings):
    settings.LETZSHOP_QUEUE_RATE_LIMIT_GIVE_UP_SECONDS = 3600
    item, _ = order_confirm(order=clean_order(imported))
    letzshop_sandbox.state.update_faults({"rate_429": 1.0})
    item = queue_item_process(item_id=item.pk)
    assert item.status == "pending"  # an hour is not over yet
    Queue.objects.filter(pk=item.pk).update(rate_limited_since=timezone.now() - timedelta(hours=1, seconds=1))
    make_due(item)
    item = queue_item_process(item_id=item.pk)
    assert (item.status, item.attempts, item.next_attempt_at) == ("failed", 0, None)
    assert item.error_message.startswith("Letzshop rate limited this operation without a break for 1.0 h")
    assert "Retry it once Letzshop accepts calls again" in item.error_message
    log = LetzshopSyncLog.objects.filter(queue_item=item).latest("pk")
    assert log.error_details["will_retry"] is False and log.error_details["message"] == item.error_message


class PausedKeyClient:
    """What the client does while its key is paused by the shared limit: refuses without sending."""

    def __init__(self):
        self.calls = 0

    def confirm_inventory_units(self, units):
        self.calls += 1
        raise RateLimited("Letzshop key paused: retry after 7 s", retry_after=7, status_code=None)

    def close(self):
        pass


def test_the_clients_shared_limit_counts_as_a_429(imported, letzshop_sandbox):
    item, _ = order_confirm(order=clean_order(imported))
    requests = letzshop_sandbox.state.summary()["requests"]
    paused = PausedKeyClient()
    item = queue_item_process(item_id=item.pk, clients={imported.pk: paused})
    assert paused.calls == 1 and letzshop_sandbox.state.summary()["requests"] == requests
    assert (item.status, item.attempts) == ("pending", 0) and item.rate_limited_since is not None
    assert 7 <= (item.next_attempt_at - timezone.now()).total_seconds() <= 7 + 3.5 + 0.5


# --- a row a stopped worker left: checked on Letzshop before anything is sent again ------------


def test_a_confirmation_letzshop_already_accepted_completes_without_sending(imported, letzshop_sandbox):
    order = clean_order(imported)
    item, _ = order_confirm(order=order)
    stuck(item)
    # The worker's request reached Letzshop, then the worker died before writing anything down.
    units = [unit["id"] for unit in order.inventory_units]
    letzshop_sandbox.state.confirm_inventory_units(
        {"inventoryUnits": [{"inventoryUnitId": unit, "isAvailable": True} for unit in units]}
    )
    assert queue_rescue_stuck() == 1
    item = queue_item_process(item_id=item.pk)
    assert (item.status, item.attempts, item.error_message) == ("completed", 1, "")
    assert letzshop_sandbox.state.summary()["mutations"] == 0  # nothing was sent again
    assert item.response_data["verified_on_letzshop"] is True
    order.refresh_from_db()
    assert (order.sync_status, order.letzshop_state, order.local_order.status) == (
        "confirmed",
        "confirmed",
        "confirmed",
    )
    log = LetzshopSyncLog.objects.get(queue_item=item)
    assert (log.status, log.details["checked_on_letzshop"], log.details["sent"]) == ("success", True, False)


def test_only_the_units_letzshop_does_not_show_done_are_sent(imported, letzshop_sandbox):
    order = clean_order(imported, units=3)
    first, *others = [unit["id"] for unit in order.inventory_units]
    item, _ = order_confirm(order=order)
    stuck(item)
    letzshop_sandbox.state.confirm_inventory_units(
        {"inventoryUnits": [{"inventoryUnitId": first, "isAvailable": True}]}
    )
    queue_rescue_stuck()
    item = queue_item_process(item_id=item.pk)
    assert item.status == "completed"
    sent = [
        entry for entry in letzshop_sandbox.state.request_log() if entry["operationName"] == "ConfirmInventoryUnits"
    ]
    assert [[u["inventoryUnitId"] for u in entry["variables"]["input"]["inventoryUnits"]] for entry in sent] == [others]
    assert set(units_on_letzshop(letzshop_sandbox, order).values()) == {"confirmed_available"}
    assert set(item.response_data["units"]) == {first, *others}


@pytest.mark.parametrize("reads_back", [True, False])
def test_tracking_is_not_sent_again_when_letzshop_shows_it(imported, letzshop_sandbox, reads_back):
    letzshop_sandbox.state.reset(tracking_reads_back=reads_back)
    orders_import(store=imported, triggered_by="command")
    order = clean_order(imported)
    confirm, _ = order_confirm(order=order)
    assert queue_item_process(item_id=confirm.pk).status == "completed"
    item, _ = order_set_tracking(order=order, tracking_number="1Z999AA10123456784", tracking_carrier="ups")
    stuck(item)
    letzshop_sandbox.state.set_shipment_tracking(
        {"shipmentId": order.letzshop_shipment_id, "code": "1Z999AA10123456784", "provider": "ups"}
    )
    mutations = letzshop_sandbox.state.summary()["mutations"]
    queue_rescue_stuck()
    item = queue_item_process(item_id=item.pk)
    assert item.status == "completed"
    # Shown back: nothing sent. Not shown back: Letzshop cannot tell, so it is sent again.
    assert letzshop_sandbox.state.summary()["mutations"] == mutations + (0 if reads_back else 1)
    order.refresh_from_db()
    assert (order.sync_status, order.letzshop_state, order.local_order.status) == ("shipped", "shipped", "shipped")


def test_a_429_while_checking_keeps_the_check_for_the_next_try(imported, letzshop_sandbox):
    item, _ = order_confirm(order=clean_order(imported))
    stuck(item)
    queue_rescue_stuck()
    letzshop_sandbox.state.update_faults({"fail_next": [429]})
    item = queue_item_process(item_id=item.pk)
    assert (item.status, item.attempts, item.verify_before_send) == ("pending", 1, True)
    make_due(item)
    item = queue_item_process(item_id=item.pk)
    assert (item.status, item.attempts, item.verify_before_send) == ("completed", 2, False)


# --- a database error after Letzshop's answer ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_outcome_is_written_down_again_after_a_database_error(imported, letzshop_sandbox, monkeypatch):
    monkeypatch.setattr(fulfillment, "SETTLE_RETRY_SECONDS", 0.01)
    real_settle, calls = fulfillment._settle, []

    def settle_after_a_lost_connection(**kwargs):
        calls.append(kwargs["item"].pk)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_settle(**kwargs)

    monkeypatch.setattr(fulfillment, "_settle", settle_after_a_lost_connection)
    order = clean_order(imported)
    item, _ = order_confirm(order=order)
    item = queue_item_process(item_id=item.pk)
    assert len(calls) == 2 and (item.status, item.attempts) == ("completed", 1)
    assert letzshop_sandbox.state.summary()["mutations"] == 1
    assert LetzshopSyncLog.objects.filter(queue_item=item).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_connection_terminated_while_writing_down_is_replaced(imported, letzshop_sandbox, monkeypatch):
    """PostgreSQL: the server ends the worker's connection while it waits to write down the outcome."""
    if connection.display_name != "PostgreSQL":
        pytest.skip("terminating a server connection needs PostgreSQL")
    monkeypatch.setattr(fulfillment, "SETTLE_RETRY_SECONDS", 0.1)
    order = clean_order(imported)
    item, _ = order_confirm(order=order)
    connection.ensure_connection()
    worker_pid = connection.connection.info.backend_pid
    locked, done = threading.Event(), threading.Event()

    def hold_the_order_then_end_the_workers_connection():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute("SELECT 1 FROM letzshop_orders WHERE id = %s FOR UPDATE", [order.pk])
                locked.set()
                # The worker has Letzshop's answer and waits for the order's row lock.
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
                        [worker_pid],
                    )
                    if cursor.fetchone()[0]:
                        break
                    time.sleep(0.05)
                cursor.execute("SELECT pg_terminate_backend(%s)", [worker_pid])
                cursor.execute("COMMIT")
        finally:
            other.close()
            done.set()

    thread = threading.Thread(target=hold_the_order_then_end_the_workers_connection)
    thread.start()
    assert locked.wait(10)
    item = queue_item_process(item_id=item.pk)
    thread.join(20)
    assert done.is_set()
    assert (item.status, item.attempts) == ("completed", 1)
    assert letzshop_sandbox.state.summary()["mutations"] == 1
    assert connection.connection.info.backend_pid != worker_pid  # written down on a new connection
    item.refresh_from_db()
    assert item.status == "completed"


# --- the sweep: a row is woken once ------------------------------------------------------------


def queued_messages() -> int:
    """Messages waiting on the broker's queue of the task that tries a row."""
    queue = current_app.amqp.router.route({}, fulfillment.PROCESS_TASK)["queue"].name
    with current_app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(queue=queue).message_count


def test_the_sweep_wakes_a_row_once_until_it_is_claimed_or_its_message_is_lost(imported, settings):
    settings.LETZSHOP_QUEUE_WAKE_LOST_SECONDS = 60
    items = [order_confirm(order=order)[0] for order in clean_orders(imported, 5)]
    # Queued rows were woken when they committed: their messages are on their way.
    before = queued_messages()
    assert queue_sweep()["woken"] == 0 and queued_messages() == before

    # A row whose message was spent without a claim (its order busy with the confirmation before
    # it) is woken again once it can go, and only then.
    tracking, _ = order_set_tracking(order=items[0].letzshop_order, tracking_number="1Z9", tracking_carrier="ups")
    assert queue_item_process(item_id=tracking.pk) is None
    assert queue_sweep()["woken"] == 0
    Queue.objects.filter(pk=items[0].pk).update(status="failed")
    assert queue_sweep()["woken"] == 1 and queued_messages() == before + 1
    assert queue_sweep()["woken"] == 0 and queue_sweep()["woken"] == 0

    # A stray message before a row is due does not take its mark: its own message is coming.
    Queue.objects.filter(pk=items[2].pk).update(next_attempt_at=timezone.now() + timedelta(seconds=30))
    assert queue_item_process(item_id=items[2].pk) is None
    make_due(items[2])
    assert queue_sweep()["woken"] == 0

    # A message due longer ago than LETZSHOP_QUEUE_WAKE_LOST_SECONDS is taken as lost.
    Queue.objects.filter(pk=items[1].pk).update(woken_at=timezone.now() - timedelta(seconds=61))
    assert queue_sweep()["woken"] == 1 and queued_messages() == before + 2
    assert queue_sweep()["woken"] == 0


def test_a_retry_is_woken_by_its_own_message_not_by_the_sweep(imported, letzshop_sandbox):
    item, _ = order_confirm(order=clean_order(imported))
    letzshop_sandbox.state.update_faults({"fail_next": [500]})
    item = queue_item_process(item_id=item.pk)
    assert item.status == "pending" and item.woken_at == item.next_attempt_at
    make_due(item)  # due now, but its message (sent with the backoff as countdown) is on its way
    assert queue_sweep()["woken"] == 0
    stuck(item)
    assert queue_sweep() == {"rescued": 1, "woken": 1}  # a rescued row has no message waiting
