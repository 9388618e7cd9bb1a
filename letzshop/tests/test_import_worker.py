"""Real processes: an import whose process is killed holds its store for less than a minute;
its run is closed as interrupted with what it had done, and the store is imported again by the
next sweep, in an import worker (docs/import.md)."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from config.tests.processes import child_database_url, start_worker, stop, wait_for
from letzshop.models import LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def start_command_import(store_code: str, log_path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": child_database_url(),
        "LETZSHOP_PAGE_SIZE": "10",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "letzshop_import", "--store", store_code],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=open(log_path, "w"),  # noqa: SIM115 - closed with the process
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_a_killed_import_is_closed_and_the_store_imported_again_within_a_minute(
    sandbox_store, letzshop_sandbox, tmp_path
):
    state = letzshop_sandbox.state
    state.reset(shipments=120, seed=5, units_per_shipment=2)
    state.update_faults({"delay_ms": 400})  # a page every 0.4 s: the run lasts several seconds
    expected = {s["id"] for s in state.shipments if s["state"] == "unconfirmed"}
    # The worker (imports and fulfillment queues, with beat) sweeps at the default pace.
    worker = start_worker(tmp_path, "imports", queues="imports,fulfillment")
    importer = start_command_import(sandbox_store.code, tmp_path / "command.log")
    try:
        first = wait_for(
            lambda: LetzshopSyncLog.objects.filter(
                store=sandbox_store, status="running", details__progress__pages__gte=2
            ).first(),
            60,
            "the command's import to write its first pages",
            tmp_path,
        )
        os.killpg(importer.pid, signal.SIGKILL)
        importer.wait(timeout=20)
        killed_at = time.monotonic()
        written_before = LetzshopOrder.objects.filter(store=sandbox_store).count()
        assert 0 < written_before < len(expected)

        state.update_faults({"delay_ms": 0})
        second = wait_for(
            lambda: (
                LetzshopSyncLog.objects.filter(store=sandbox_store, operation_type="order_import")
                .exclude(pk=first.pk)
                .first()
            ),
            75,
            "the sweep to start the store's import again",
            tmp_path,
        )
        restarted_after = time.monotonic() - killed_at
        assert restarted_after < 60, restarted_after

        first.refresh_from_db()
        assert first.status == "interrupted"
        assert first.completed_at is not None
        assert first.details["pages"] >= 2 and first.records_succeeded > 0
        assert "interrupted" in first.details["message"]
        assert second.triggered_by == "scheduler"

        # Complete: its row written, then its lease released (a step after: stopping the
        # worker in between would leave the lease to lapse).
        wait_for(
            lambda: (
                LetzshopSyncLog.objects.filter(pk=second.pk, status="success").exists()
                and StoreLetzshopCredentials.objects.filter(store=sandbox_store, import_started_at=None).exists()
            ),
            60,
            "the new import to complete",
            tmp_path,
        )
    finally:
        stop(worker)
        if importer.poll() is None:
            os.killpg(importer.pid, signal.SIGKILL)
    shipments = list(LetzshopOrder.objects.filter(store=sandbox_store).values_list("letzshop_shipment_id", flat=True))
    assert sorted(shipments) == sorted(expected)
    credentials = StoreLetzshopCredentials.objects.get(store=sandbox_store)
    assert credentials.import_started_at is None and credentials.last_sync_status == "success"


def send_to_workers(tmp_path, task: str, args: list) -> None:
    """Send a task as a web process would, to the broker the workers of ``start_worker`` read
    (their filesystem broker under ``tmp_path``, or Redis)."""
    from celery import Celery

    broker = settings.CELERY_BROKER_URL
    if broker.startswith("redis"):
        sender = Celery(broker=broker)
    else:
        folder = tmp_path / "broker"
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        sender = Celery(
            broker="filesystem://",
            broker_transport_options={
                "data_folder_in": str(folder / "queue"),
                "data_folder_out": str(folder / "queue"),
                "processed_folder": str(folder / "processed"),
                "control_folder": str(folder / "control"),
                "store_processed": False,
            },
        )
    sender.conf.task_routes = settings.CELERY_TASK_ROUTES
    sender.send_task(task, args=args)


def test_a_worker_killed_during_an_import_leaves_the_store_imported_within_a_minute(
    sandbox_store, letzshop_sandbox, tmp_path
):
    """The import begun by a request runs in an import worker; that worker is killed mid-run.
    Another worker's beat frees the store and imports it again; nothing is imported twice."""
    from letzshop.imports import import_begin

    state = letzshop_sandbox.state
    state.reset(shipments=120, seed=6, units_per_shipment=2)
    state.update_faults({"delay_ms": 400})
    expected = {s["id"] for s in state.shipments if s["state"] == "unconfirmed"}
    first_worker = start_worker(tmp_path, "first", queues="imports,fulfillment", env_extra={"LETZSHOP_PAGE_SIZE": "10"})
    second_worker = None
    try:
        # Sent once the worker has bound its queues (a message to a queue nobody bound is lost).
        wait_for(lambda: " ready." in (tmp_path / "first.log").read_text(), 60, "the worker to start", tmp_path)
        start = import_begin(store=sandbox_store, triggered_by="test")
        send_to_workers(
            tmp_path, "letzshop.tasks.store_orders_import_run", [start.sync_log.pk, start.lease.isoformat()]
        )
        wait_for(
            lambda: LetzshopSyncLog.objects.filter(pk=start.sync_log.pk, details__progress__pages__gte=2).exists(),
            90,
            "the worker to import its first pages",
            tmp_path,
        )
        stop(first_worker, signal.SIGKILL)
        killed_at = time.monotonic()
        assert 0 < LetzshopOrder.objects.filter(store=sandbox_store).count() < len(expected)

        state.update_faults({"delay_ms": 0})
        second_worker = start_worker(tmp_path, "second", queues="imports,fulfillment")
        wait_for(
            lambda: LetzshopSyncLog.objects.filter(store=sandbox_store, status="success").exists(),
            90,
            "an import of the store to complete after the kill",
            tmp_path,
        )
        assert time.monotonic() - killed_at < 60 + 15  # the lease, a sweep, a worker's start
    finally:
        stop(first_worker, signal.SIGKILL)
        if second_worker is not None:
            stop(second_worker)
    first = LetzshopSyncLog.objects.get(pk=start.sync_log.pk)
    assert first.status in ("interrupted", "success")  # closed by the sweep, or resumed by a redelivery
    shipments = list(LetzshopOrder.objects.filter(store=sandbox_store).values_list("letzshop_shipment_id", flat=True))
    assert sorted(shipments) == sorted(expected)
