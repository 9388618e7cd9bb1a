"""Two real processes importing the same store at once never create a duplicate row."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

from config.tests.processes import child_database_url
from exceptions.models import OrderItemException
from letzshop.models import LetzshopOrder
from orders.models import Order, OrderItem

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def start_import(store_code: str, lock_seconds: int, page_size: int = 20) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": child_database_url(),
        "LETZSHOP_IMPORT_LOCK_SECONDS": str(lock_seconds),
        "LETZSHOP_PAGE_SIZE": str(page_size),
    }
    if lock_seconds < 0:
        # With a lease that is always stale, a renewal would find the other run holding it and
        # stop this one (LeaseLost, tested in test_import_lease.py); no renewal during the run
        # keeps both importing to the end, the case this test is about.
        env["LETZSHOP_IMPORT_LEASE_RENEW_SECONDS"] = "3600"
        env["PYTHONUNBUFFERED"] = "1"  # its lines as they are written (see wait_for_line)
    return subprocess.Popen(
        [sys.executable, "manage.py", "letzshop_import", "--store", store_code],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_line(process: subprocess.Popen, text: str) -> str:
    """The process's output up to the first line holding ``text`` (all of it if it ends first)."""
    lines = []
    for line in process.stdout:
        lines.append(line)
        if text in line:
            break
    return "".join(lines)


@pytest.mark.parametrize(
    "lock_seconds",
    [
        pytest.param(1800, id="with-the-lease"),
        # A lease that is always stale: both really import at once, and only the database's
        # unique constraints (and the page retry) stand between them and duplicates.
        pytest.param(-3600, id="lease-taken-over"),
    ],
)
def test_two_processes_never_duplicate(sandbox_store, letzshop_sandbox, lock_seconds):
    state = letzshop_sandbox.state
    state.reset(shipments=240, seed=11, unmatched_ratio=0.5, units_per_shipment=3)
    state.update_faults({"delay_ms": 15 if lock_seconds > 0 else 300})  # long enough for the two runs to overlap
    first = start_import(sandbox_store.code, lock_seconds)
    before = ""
    if lock_seconds < 0:
        # A run checks its lease once as it starts: the second starts once the first has passed
        # that check and written a page, takes the (always stale) lease over and, with pages six
        # times larger, catches up with the first: both write the same shipments at once.
        before = wait_for_line(first, "page 1,")
    second = start_import(sandbox_store.code, lock_seconds, page_size=20 if lock_seconds > 0 else 120)
    outputs = [process.communicate(timeout=120)[0] for process in (first, second)]
    outputs[0] = before + outputs[0]
    codes = [first.returncode, second.returncode]

    expected_shipments = {s["id"] for s in state.shipments if s["state"] == "unconfirmed"}
    shipments = list(LetzshopOrder.objects.filter(store=sandbox_store).values_list("letzshop_shipment_id", flat=True))
    assert sorted(shipments) == sorted(expected_shipments), outputs
    assert Order.objects.filter(store=sandbox_store).count() == len(expected_shipments)
    expected_items = sum(len({u["variant"]["id"] for u in s["inventoryUnits"]}) for s in state.shipments)
    assert OrderItem.objects.filter(order__store=sandbox_store).count() == expected_items
    flagged = OrderItem.objects.filter(order__store=sandbox_store, needs_product_match=True).count()
    assert OrderItemException.objects.filter(store=sandbox_store).count() == flagged > 0

    if lock_seconds > 0:
        # One of the two ran; the other either found it running or came after it.
        assert any("Import completed: 240 imported" in out for out in outputs), outputs
        assert all(code == 0 or "already running" in out for code, out in zip(codes, outputs, strict=True)), outputs
    else:
        assert codes == [0, 0], outputs
        # Each shipment created once, by one run or the other.
        imported = [int(re.search(r"Import completed: (\d+) imported", out).group(1)) for out in outputs]
        assert sum(imported) == len(expected_shipments), outputs
