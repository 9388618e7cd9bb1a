"""With real processes: beat writes its heartbeat, and a worker's counts reach /metrics."""

import pytest

from config.tests.clients import api_client_for
from config.tests.processes import start_worker, stop, wait_for
from letzshop.imports import orders_import
from letzshop.models import LetzshopFulfillmentQueue
from letzshop.services.fulfillment import order_confirm
from letzshop.tests.helpers import clean_order
from monitoring.models import Heartbeat
from monitoring.tests.helpers import metric

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_beat_beats_and_a_workers_counts_add_up_in_the_web_processs_metrics(
    sandbox_store, letzshop_sandbox, tmp_path, admin_user
):
    orders_import(store=sandbox_store, triggered_by="command")  # counted in this process
    order = clean_order(sandbox_store)
    item, _ = order_confirm(order=order)
    scrape = api_client_for(admin_user)
    before = scrape.get("/metrics").content.decode()
    assert metric(before, "letzshop_imports_total", store=sandbox_store.code, status="success") >= 1

    worker = start_worker(tmp_path, "metrics")
    try:
        wait_for(lambda: Heartbeat.objects.filter(name="beat").exists(), 60, "beat's heartbeat", tmp_path)
        wait_for(
            lambda: LetzshopFulfillmentQueue.objects.filter(pk=item.pk, status="completed").exists(),
            60,
            "the worker to complete the confirmation",
            tmp_path,
        )
    finally:
        stop(worker)

    assert scrape.get("/readyz").json()["checks"]["beat"] == "ok"
    after = scrape.get("/metrics").content.decode()
    # The worker's counts and this process's, in one answer.
    completed = ("letzshop_fulfillment_operations_total", {"operation": "confirm", "outcome": "completed"})
    assert metric(after, completed[0], **completed[1]) == metric(before, completed[0], **completed[1]) + 1
    requests = ("letzshop_api_request_seconds_count", {"operation": "ConfirmInventoryUnits", "outcome": "ok"})
    assert metric(after, requests[0], **requests[1]) >= metric(before, requests[0], **requests[1]) + 1
    assert metric(after, "letzshop_imports_total", store=sandbox_store.code, status="success") >= 1
    assert metric(after, "letzshop_fulfillment_queue_items", status="completed") >= 1
