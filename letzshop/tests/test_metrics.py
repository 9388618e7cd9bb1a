"""The integration's metrics in /metrics, after a real import, 429s and a queue."""

import pytest

from letzshop.imports import orders_import
from letzshop.models import LetzshopFulfillmentQueue
from letzshop.services.connection import connection_test
from letzshop.tests.factories import QueueItemFactory
from monitoring.tests.helpers import metric

pytestmark = pytest.mark.django_db


def test_imports_requests_429s_queue_and_exceptions_are_in_the_metrics(sandbox_store, letzshop_sandbox, admin_api):
    code = sandbox_store.code
    before = admin_api.get("/metrics").content.decode()
    result = orders_import(store=sandbox_store, triggered_by="command")
    letzshop_sandbox.state.update_faults({"fail_next": [429]})
    connection_test(store=sandbox_store)  # answered 429, not waited on
    QueueItemFactory(store=sandbox_store, status=LetzshopFulfillmentQueue.Status.FAILED)
    text = admin_api.get("/metrics").content.decode()

    assert metric(text, "letzshop_imports_total", store=code, status="success") == 1 + metric(
        before, "letzshop_imports_total", store=code, status="success"
    )
    assert metric(text, "letzshop_imported_shipments_total", store=code) == result.orders_imported + metric(
        before, "letzshop_imported_shipments_total", store=code
    )
    assert metric(text, "letzshop_import_duration_seconds_count", status="success") >= 1
    assert metric(text, "letzshop_api_request_seconds_count", operation="Shipments", outcome="ok") >= 1
    assert 'letzshop_api_request_seconds_bucket{le="0.05",operation="Shipments",outcome="ok"}' in text
    assert metric(text, "letzshop_api_rate_limited_total", operation="Shipments") == 1 + metric(
        before, "letzshop_api_rate_limited_total", operation="Shipments"
    )
    assert metric(text, "letzshop_fulfillment_queue_items", status="failed") == 1
    assert metric(text, "letzshop_fulfillment_queue_items", status="pending") == 0
    assert metric(text, "letzshop_exceptions_pending", store=code) == result.exceptions_created > 0
    assert metric(text, "letzshop_store_last_sync_success", store=code) == 1
    assert metric(text, "letzshop_store_last_sync_timestamp_seconds", store=code) > 0
    assert "# TYPE letzshop_api_request_seconds histogram" in text


def test_the_queue_gauge_costs_one_query_on_the_status_index_whatever_the_rows(
    sandbox_store, django_assert_max_num_queries
):
    from django.db import connection

    from letzshop.metrics import _queue_counts

    for status in ("pending", "completed", "completed", "failed"):
        QueueItemFactory(store=sandbox_store, status=status)
    if connection.display_name == "PostgreSQL":
        # As autovacuum keeps it: completed rows are then the planner's estimate, not a count.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE letzshop_fulfillment_queue")
    with django_assert_max_num_queries(2):
        counts = _queue_counts()
    assert counts == {"pending": 1, "processing": 0, "completed": 2, "failed": 1}


def test_the_sample_alert_rules_name_only_metrics_that_exist(sandbox_store, letzshop_sandbox, admin_api):
    """docs/prometheus-alerts.yml and docs/operations.md against what /metrics really answers."""
    import re

    import yaml
    from django.conf import settings

    from monitoring.services import heartbeat_write

    orders_import(store=sandbox_store, triggered_by="command")
    sandbox_store.letzshop_credentials.__class__.objects.filter(store=sandbox_store).update(auto_sync_enabled=True)
    heartbeat_write()
    letzshop_sandbox.state.update_faults({"fail_next": [429]})
    connection_test(store=sandbox_store)
    text = admin_api.get("/metrics").content.decode()
    exposed = set(re.findall(r"^(letzshop_\w+?)(?:_bucket|_count|_sum|_created)?[{ ]", text, flags=re.MULTILINE))
    # Counters appear once counted: those defined but not yet counted in this run count too.
    from prometheus_client.metrics import MetricWrapperBase

    from letzshop import metrics

    defined = [value._name for value in vars(metrics).values() if isinstance(value, MetricWrapperBase)]
    exposed |= set(defined) | {f"{name}_total" for name in defined}

    rules = yaml.safe_load((settings.BASE_DIR / "docs" / "prometheus-alerts.yml").read_text())
    expressions = " ".join(rule["expr"] for group in rules["groups"] for rule in group["rules"])
    used = set(re.findall(r"\bletzshop_[a-z_]+", expressions))
    used = {re.sub(r"_bucket$", "", name) for name in used}
    assert used and used <= exposed, used - exposed
    documented = set(re.findall(r"`(letzshop_[a-z_]+)`", (settings.BASE_DIR / "docs" / "operations.md").read_text()))
    assert documented <= exposed | {"letzshop_updated_shipments_total", "letzshop_notifications_raised_total"}, (
        documented - exposed
    )
