"""Real Celery workers: one killed in the middle of an operation loses nothing."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from letzshop.models import LetzshopFulfillmentQueue, LetzshopSyncLog
from letzshop.services.fulfillment import order_confirm
from letzshop.services.imports import orders_import
from letzshop.tests.test_fulfillment import clean_order, units_on_letzshop
from letzshop.tests.test_import_concurrency import database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def start_worker(tmp_path: Path, name: str) -> subprocess.Popen:
    """``celery worker --beat`` on the test database, sweeping the queue every second."""
    broker = settings.CELERY_BROKER_URL
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # the key the stored API key was encrypted with
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker if broker.startswith("redis") else "filesystem://",
        "VAR_DIR": str(tmp_path),  # the filesystem broker's folders
        "LETZSHOP_ALLOWED_HOSTS": ",".join(settings.LETZSHOP_ALLOWED_HOSTS),
        "LETZSHOP_QUEUE_SWEEP_SECONDS": "1",
        "LETZSHOP_QUEUE_STUCK_SECONDS": "3",
    }
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--beat",
            "--concurrency=1",
            "--purge",
            "--loglevel=INFO",
            "-n",
            f"{name}@%h",
            "-s",
            str(tmp_path / f"{name}-beat"),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(condition, timeout: float, what: str, logs: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(
        f"timed out waiting for {what}; worker logs:\n"
        + "\n".join(path.read_text()[-3000:] for path in sorted(logs.glob("*.log")))
    )


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    process.wait(timeout=20)


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
