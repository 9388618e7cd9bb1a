"""Two real Celery workers draining one key's fulfillment queue share its rate limit: together they
never send the key more than its limit in any second, and a 429 pauses both."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings

from config.tests.processes import child_database_url, stop, wait_for
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder
from letzshop.services.credentials import credentials_save
from letzshop.services.fulfillment import order_confirm
from letzshop.services.imports import orders_import
from sandbox import SandboxServer, StoreFleet, demo_catalog, fleet_key
from stores.services import catalog_import

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.letzshop]

LIMIT = 4  # requests per second, Letzshop's (the sandbox's) and the workers' alike
RETRY_AFTER = 4
# Slots 1.5 / LIMIT apart: room for a loaded machine's scheduling jitter between a worker's send
# and the sandbox's count (without the shared limit, four worker processes would send 16 a second).
MARGIN = 0.5


def start_worker(tmp_path: Path, name: str, *, beat: bool) -> subprocess.Popen:
    broker = settings.CELERY_BROKER_URL
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": child_database_url(),
        "CELERY_BROKER_URL": broker if broker.startswith("redis") else "filesystem://",
        "VAR_DIR": str(tmp_path),  # both workers share the filesystem broker's folders
        "LETZSHOP_ALLOWED_HOSTS": ",".join(settings.LETZSHOP_ALLOWED_HOSTS),
        "LETZSHOP_QUEUE_SWEEP_SECONDS": "1",
        "LETZSHOP_QUEUE_WAKE_LOST_SECONDS": "2",
        "LETZSHOP_RATE_LIMIT_PER_SECOND": str(LIMIT),
        "LETZSHOP_RATE_LIMIT_MARGIN": str(MARGIN),
    }
    args = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=2", "--loglevel=INFO"]
    args += ["-n", f"{name}@%h", "-Q", "celery,imports,fulfillment"]
    if beat:
        args += ["--beat", "-s", str(tmp_path / f"{name}-beat")]
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        args, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _confirm_all(orders: list[LetzshopOrder]) -> list[int]:
    return [order_confirm(order=order)[0].pk for order in orders]


def _arrivals(fleet: StoreFleet, key: str) -> list[tuple[float, int | None]]:
    return [
        (datetime.fromisoformat(entry["at"]).timestamp(), entry["status"])
        for entry in fleet.stores[key].request_log()
        if entry["operationName"] == "ConfirmInventoryUnits"
    ]


def test_two_workers_never_exceed_a_keys_limit_and_a_429_pauses_both(store, tmp_path, settings):
    settings.LETZSHOP_RATE_LIMIT_PER_SECOND = LIMIT  # this process's import takes its turns too
    settings.LETZSHOP_RATE_LIMIT_MARGIN = MARGIN
    key = fleet_key(1)
    fleet = StoreFleet(stores=1, shipments=60, rate_limit=LIMIT, units_per_shipment=1)
    with SandboxServer(fleet, port=0) as server:
        catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
        credentials_save(store=store, api_key=key, api_endpoint=server.url)
        orders_import(store=store, triggered_by="command")
        orders = list(LetzshopOrder.objects.filter(store=store).order_by("pk"))
        assert len(orders) == 60
        queue = LetzshopFulfillmentQueue.objects

        workers = [start_worker(tmp_path, "first", beat=True), start_worker(tmp_path, "second", beat=False)]
        try:
            for name in ("first", "second"):
                wait_for(lambda n=name: "ready." in (tmp_path / f"{n}.log").read_text(), 60, f"{name} ready", tmp_path)
            first_round = _confirm_all(orders[:30])
            wait_for(
                lambda: queue.filter(pk__in=first_round, status="completed").count() == 30,
                120,
                "the first 30 confirmations",
                tmp_path,
            )
            stats = fleet.key_stats()[key]
            assert stats["throttled"] == 0
            assert stats["max_sliding_second"] <= LIMIT

            second_round = _confirm_all(orders[30:])
            wait_for(lambda: len(_arrivals(fleet, key)) >= 36, 60, "the second round under way", tmp_path)
            fleet.stores[key].update_faults({"fail_next": [429], "retry_after": RETRY_AFTER})
            wait_for(
                lambda: queue.filter(pk__in=second_round, status="completed").count() == 30,
                120,
                "the second 30 confirmations",
                tmp_path,
            )
        finally:
            for worker in workers:
                stop(worker)

    arrivals = _arrivals(fleet, key)
    throttled_at = [at for at, status in arrivals if status == 429]
    assert len(throttled_at) == 1
    paused = throttled_at[0]
    # Calls whose slots were handed out before the 429 may still leave (at most one per worker
    # process, each a slot apart); after them, nothing until Retry-After has passed.
    grace = 4 * (1 + MARGIN) / LIMIT
    during = [at for at, _ in arrivals if paused + grace < at < paused + RETRY_AFTER - 0.1]
    assert during == []
    assert any(at >= paused + RETRY_AFTER - 0.1 for at, _ in arrivals)
    # No request beyond the limit, and no operation used an attempt on the 429 or failed.
    assert fleet.key_stats()[key]["max_sliding_second"] <= LIMIT
    assert set(queue.filter(store=store).values_list("status", "attempts")) == {("completed", 1)}
    # Both workers did their share.
    for name in ("first", "second"):
        log = (tmp_path / f"{name}.log").read_text()
        assert re.search(r"letzshop\.tasks\.fulfillment_queue_process\[[^]]+\] succeeded", log), name
