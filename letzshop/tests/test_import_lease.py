"""The import lease and the sweep of imports whose process died (docs/import.md)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from letzshop.imports import (
    ImportStart,
    ImportStatus,
    LeaseLost,
    ProgressTracker,
    import_begin,
    import_lock_acquire,
    import_lock_renew,
    import_resume,
    import_run,
    imports_sweep,
    orders_import,
)
from letzshop.models import LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials

pytestmark = pytest.mark.django_db


def lapse(store, seconds: int = 31) -> None:
    """The holder stopped renewing ``seconds`` ago (its process died)."""
    StoreLetzshopCredentials.objects.filter(store=store).update(
        import_started_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_a_live_lease_holds_and_a_lapsed_one_is_taken_over(sandbox_store):
    start = import_begin(store=sandbox_store, triggered_by="test")
    assert isinstance(start, ImportStart)
    again = import_begin(store=sandbox_store, triggered_by="test")
    assert again.status == ImportStatus.ALREADY_RUNNING and again.sync_log_id == start.sync_log.pk
    lapse(sandbox_store, seconds=29)
    assert import_lock_acquire(store=sandbox_store) is None  # within LETZSHOP_IMPORT_LOCK_SECONDS
    lapse(sandbox_store)
    assert import_lock_acquire(store=sandbox_store) is not None


def test_a_run_whose_lease_was_taken_over_stops_and_says_why(sandbox_store):
    start = import_begin(store=sandbox_store, triggered_by="test")
    lapse(sandbox_store)
    assert import_lock_acquire(store=sandbox_store) is not None
    with pytest.raises(LeaseLost):
        import_lock_renew(store=sandbox_store, lease=start.lease)
    result = import_run(start)
    assert result.status == ImportStatus.FAILED and "took over" in result.message


def test_the_sweep_closes_a_dead_run_with_what_it_did_and_imports_the_store_again(sandbox_store, imports_inline):
    start = import_begin(store=sandbox_store, triggered_by="test")
    progress = {"pages": 3, "shipments": 7, "imported": 5, "updated": 2, "unchanged": 0, "exceptions_created": 1}
    LetzshopSyncLog.objects.filter(pk=start.sync_log.pk).update(
        details={"progress": progress}, started_at=timezone.now() - timedelta(minutes=2)
    )
    assert imports_sweep() == {"leases_freed": 0, "runs_interrupted": 0, "imports_restarted": 0}  # alive
    lapse(sandbox_store)

    outcome = imports_sweep()

    assert outcome == {"leases_freed": 1, "runs_interrupted": 1, "imports_restarted": 1}
    dead = LetzshopSyncLog.objects.get(pk=start.sync_log.pk)
    assert dead.status == "interrupted" and dead.completed_at is not None
    assert (dead.details["imported"], dead.details["updated"], dead.details["pages"]) == (5, 2, 3)
    assert dead.records_succeeded == 7 and "interrupted after 7 shipments" in dead.details["message"]
    again = LetzshopSyncLog.objects.filter(store=sandbox_store).exclude(pk=dead.pk).get()
    assert again.status == "success" and again.triggered_by == "scheduler"
    assert LetzshopOrder.objects.filter(store=sandbox_store).count() == again.details["imported"] > 0
    credentials = StoreLetzshopCredentials.objects.get(store=sandbox_store)
    assert credentials.import_started_at is None and credentials.import_sync_log_id is None


def test_a_row_left_running_without_a_lease_is_closed(sandbox_store, imports_inline):
    """A run whose lease another import took over (its row never ended) is closed too."""
    start = import_begin(store=sandbox_store, triggered_by="test")
    LetzshopSyncLog.objects.filter(pk=start.sync_log.pk).update(started_at=timezone.now() - timedelta(minutes=5))
    StoreLetzshopCredentials.objects.filter(store=sandbox_store).update(import_sync_log_id=None)
    assert imports_sweep()["runs_interrupted"] == 1
    assert LetzshopSyncLog.objects.get(pk=start.sync_log.pk).status == "interrupted"


def test_a_second_delivery_of_the_task_does_not_run_the_import_twice(sandbox_store):
    start = import_begin(store=sandbox_store, triggered_by="test")
    first = import_resume(sync_log_id=start.sync_log.pk, lease=start.lease)
    assert first.status == ImportStatus.SUCCESS
    assert import_resume(sync_log_id=start.sync_log.pk, lease=start.lease) is None
    # A delivery while the run goes on (its lease renewed since) does nothing either.
    running = import_begin(store=sandbox_store, triggered_by="test")
    StoreLetzshopCredentials.objects.filter(store=sandbox_store).update(import_started_at=timezone.now())
    assert import_resume(sync_log_id=running.sync_log.pk, lease=running.lease) is None


def test_progress_carries_an_estimate_of_the_time_left(sandbox_store, letzshop_sandbox):
    letzshop_sandbox.state.reset(shipments=30, seed=2)
    orders_import(store=sandbox_store, triggered_by="test")
    start = import_begin(store=sandbox_store, triggered_by="test")
    tracker = ProgressTracker(store=sandbox_store, log=start.sync_log, include_confirmed=False)
    expected = LetzshopOrder.objects.filter(store=sandbox_store, letzshop_state="unconfirmed").count()
    assert tracker.expected == expected > 10
    tracker.started -= 10  # ten seconds for the first ten shipments
    snapshot = tracker.snapshot(10)
    assert snapshot["seconds_left"] == expected - 10 and snapshot["expected"] == expected
    assert tracker.snapshot(expected + 1)["seconds_left"] is None  # past the estimate: unknown
    snapshots = []
    import_run(start, page_size=5, progress=snapshots.append)
    assert snapshots and all("seconds_left" in snapshot for snapshot in snapshots)


def test_a_broker_out_of_reach_frees_the_store_at_once(sandbox_store, monkeypatch):
    from kombu.exceptions import OperationalError

    from config.celery import app

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to the broker")

    monkeypatch.setattr(app.tasks["letzshop.tasks.store_orders_import_run"], "apply_async", refuse)
    from letzshop.imports import import_dispatch

    start = import_begin(store=sandbox_store, triggered_by="test")
    with pytest.raises(OperationalError):
        import_dispatch(start)
    log = LetzshopSyncLog.objects.get(pk=start.sync_log.pk)
    assert log.status == "failed" and "could not be handed to a worker" in log.details["message"]
    assert isinstance(import_begin(store=sandbox_store, triggered_by="test"), ImportStart)
