"""Real Celery workers: one killed in the middle of an operation loses nothing and sends nothing
twice; a 429 storm longer than three Retry-After periods fails nothing."""

import signal
import time

import pytest
from django.db import connections
from django.utils import timezone

from config.tests.processes import start_worker, stop, wait_for
from letzshop.imports import orders_import
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog
from letzshop.services.fulfillment import order_confirm
from letzshop.tests.helpers import clean_order, units_on_letzshop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_worker_killed_mid_operation_leaves_a_row_the_sweep_completes(sandbox_store, letzshop_sandbox, tmp_path):
    orders_import(store=sandbox_store, triggered_by="command")
    order = clean_order(sandbox_store)
    letzshop_sandbox.state.update_faults({"delay_ms": 15_000})  # Letzshop hangs on the operation
    item, _ = order_confirm(order=order)

    first = start_worker(tmp_path, "first")
    try:
        # Beat's sweep wakes the worker, which takes the row and waits on Letzshop.
        wait_for(
            lambda: LetzshopFulfillmentQueue.objects.filter(pk=item.pk, status="processing").exists(),
            60,
            "the first worker to take the row",
            tmp_path,
        )
    finally:
        stop(first, signal.SIGKILL)  # the whole process group, pool included, no goodbye
    item.refresh_from_db()
    assert (item.status, item.attempts) == ("processing", 1)

    letzshop_sandbox.state.update_faults({"delay_ms": 0})
    second = start_worker(tmp_path, "second")
    try:
        item = wait_for(
            lambda: LetzshopFulfillmentQueue.objects.filter(pk=item.pk, status="completed").first(),
            60,
            "the sweep to take the row back and a worker to complete it",
            tmp_path,
        )
    finally:
        stop(second)
    assert item.attempts == 2
    assert set(units_on_letzshop(letzshop_sandbox, order).values()) == {"confirmed_available"}
    assert LetzshopSyncLog.objects.filter(queue_item=item, status="success").count() == 1


def hold_write_lock(order_pk: int):
    """A second connection that holds what the worker needs to write down an outcome: the order's
    row on PostgreSQL, the database's write lock on SQLite. Returns its release."""
    other = connections.create_connection("default")
    cursor = other.cursor()
    if other.display_name == "SQLite":
        cursor.execute("BEGIN IMMEDIATE")
    else:
        cursor.execute("BEGIN")
        cursor.execute("SELECT 1 FROM letzshop_orders WHERE id = %s FOR UPDATE", [order_pk])

    def release():
        cursor.execute("ROLLBACK")
        cursor.close()
        other.close()

    return release


def test_a_worker_killed_after_letzshops_200_never_sends_again(sandbox_store, letzshop_sandbox, tmp_path):
    orders_import(store=sandbox_store, triggered_by="command")
    order = clean_order(sandbox_store)
    letzshop_sandbox.state.update_faults({"delay_ms": 2_000})  # time to take the lock after the claim
    item, _ = order_confirm(order=order)
    mutations = letzshop_sandbox.state.summary()["mutations"]

    # Without the key's shared rate limit: with the embedded broker its slot is a database write
    # too, which the lock below would hold back before the call instead of after the answer.
    first = start_worker(tmp_path, "first", env_extra={"LETZSHOP_RATE_LIMIT_PER_SECOND": "0"})
    release = None
    try:
        wait_for(
            lambda: LetzshopFulfillmentQueue.objects.filter(pk=item.pk, status="processing").exists(),
            60,
            "the first worker to take the row",
            tmp_path,
        )
        release = hold_write_lock(order.pk)

        def answered():
            log = letzshop_sandbox.state.request_log()
            return any(e["operationName"] == "ConfirmInventoryUnits" and e["status"] == 200 for e in log)

        wait_for(answered, 30, "Letzshop to answer 200", tmp_path)
        time.sleep(1)  # the worker has the answer and waits for the lock to write it down
        stop(first, signal.SIGKILL)
    finally:
        stop(first, signal.SIGKILL)
        if release is not None:
            release()
    item.refresh_from_db()
    assert item.status == "processing"  # nothing written down
    assert letzshop_sandbox.state.summary()["mutations"] == mutations + 1
    assert set(units_on_letzshop(letzshop_sandbox, order).values()) == {"confirmed_available"}

    letzshop_sandbox.state.update_faults({"delay_ms": 0})
    second = start_worker(tmp_path, "second")
    try:
        item = wait_for(
            lambda: LetzshopFulfillmentQueue.objects.filter(pk=item.pk, status="completed").first(),
            60,
            "the sweep to take the row back and a worker to find it done on Letzshop",
            tmp_path,
        )
    finally:
        stop(second)
    assert letzshop_sandbox.state.summary()["mutations"] == mutations + 1  # never sent a second time
    assert item.attempts == 1 and item.response_data["verified_on_letzshop"] is True
    log = LetzshopSyncLog.objects.get(queue_item=item)
    assert (log.status, log.details["checked_on_letzshop"], log.details["sent"]) == ("success", True, False)
    order.refresh_from_db()
    assert (order.sync_status, order.local_order.status) == ("confirmed", "confirmed")


def test_a_429_storm_longer_than_three_retry_after_periods_fails_nothing(sandbox_store, letzshop_sandbox, tmp_path):
    orders_import(store=sandbox_store, triggered_by="command")
    orders = [
        o
        for o in LetzshopOrder.objects.filter(store=sandbox_store, letzshop_state="unconfirmed").order_by("pk")
        if not o.local_order.item_exceptions.exists()
    ][:6]
    items = [order_confirm(order=order)[0] for order in orders]
    rows = LetzshopFulfillmentQueue.objects.filter(pk__in=[item.pk for item in items])
    throttled = LetzshopSyncLog.objects.filter(queue_item__in=rows, details__rate_limited=True)
    letzshop_sandbox.state.update_faults({"rate_429": 1.0, "retry_after": 1})

    worker = start_worker(tmp_path, "storm", concurrency=2)
    try:
        first = wait_for(lambda: throttled.order_by("started_at").first(), 60, "the first 429", tmp_path)

        def every_row_throttled_more_often_than_it_may_fail():
            per_row = {row.pk: throttled.filter(queue_item=row).count() for row in rows.all()}
            return min(per_row.values()) > items[0].max_attempts

        # Letzshop answers 429 until each operation was told "later" more often than it has attempts.
        wait_for(every_row_throttled_more_often_than_it_may_fail, 120, "four 429s for every row", tmp_path)
        letzshop_sandbox.state.update_faults({"rate_429": 0.0})
        lifted = timezone.now()
        wait_for(lambda: not rows.exclude(status="completed").exists(), 90, "every operation to complete", tmp_path)
    finally:
        stop(worker)
    assert (lifted - first.started_at).total_seconds() > 3  # more than three Retry-After periods
    assert {(row.status, row.attempts, row.rate_limited_since) for row in rows.all()} == {("completed", 1, None)}
    assert not LetzshopFulfillmentQueue.objects.filter(status="failed").exists()
    for order in orders:
        assert set(units_on_letzshop(letzshop_sandbox, order).values()) == {"confirmed_available"}
