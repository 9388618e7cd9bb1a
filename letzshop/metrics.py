"""The integration's metrics (docs/operations.md lists them with what to alert on).

Counters and histograms are counted where things happen (the client, the end of an import, the
settling of a queue row) and add up across processes (monitoring.metrics). Gauges of what the
database holds are read at scrape time by ``scrape``, registered in LetzshopConfig.ready(); each
costs one query on an index, whatever the size of the tables.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric

IMPORTS = Counter("letzshop_imports", "Import runs that ended, by store and outcome", ["store", "status"])
IMPORTED_SHIPMENTS = Counter(
    "letzshop_imported_shipments", "Shipments imported for the first time, by store", ["store"]
)
UPDATED_SHIPMENTS = Counter("letzshop_updated_shipments", "Shipments an import changed, by store", ["store"])
IMPORT_SECONDS = Histogram(
    "letzshop_import_duration_seconds",
    "How long an import run took, by outcome",
    ["status"],
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600),
)
OPERATIONS = Counter(
    "letzshop_fulfillment_operations",
    "Attempts of fulfillment operations, by operation and outcome (completed, failed for good, retrying)",
    ["operation", "outcome"],
)
API_SECONDS = Histogram(
    "letzshop_api_request_seconds",
    "Requests to Letzshop's API, by operation and outcome",
    ["operation", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
RATE_LIMITED = Counter(
    "letzshop_api_rate_limited", "Answers 429 (rate limited) from Letzshop, by operation", ["operation"]
)
NOTIFICATIONS = Counter("letzshop_notifications_raised", "New incidents people were told about, by kind", ["kind"])


def api_request_observe(*, operation: str | None, outcome: str, seconds: float) -> None:
    operation = operation or "unknown"
    API_SECONDS.labels(operation=operation, outcome=outcome).observe(seconds)
    if outcome == "rate_limited":
        RATE_LIMITED.labels(operation=operation).inc()


# --- read at scrape time ---------------------------------------------------------------------


def _queue_counts() -> dict[str, int]:
    """Rows by status. Pending, processing and failed rows are few and counted on the status
    index; completed rows are most of the table and, on PostgreSQL, estimated from the planner's
    statistics (one catalogue read) instead of counted (a scan of the whole table)."""
    from django.db import connection
    from django.db.models import Count

    from letzshop.models import LetzshopFulfillmentQueue as Queue

    few = [Queue.Status.PENDING, Queue.Status.PROCESSING, Queue.Status.FAILED]
    counts = {status: 0 for status in Queue.Status.values}
    for row in Queue.objects.filter(status__in=few).order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    estimate = None
    if connection.display_name == "PostgreSQL":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [Queue._meta.db_table])
            row = cursor.fetchone()
        if row and row[0] is not None and row[0] >= 0:
            estimate = max(int(row[0]) - sum(counts[status] for status in few), 0)
    if estimate is None:
        estimate = Queue.objects.filter(status=Queue.Status.COMPLETED).count()
    counts[Queue.Status.COMPLETED] = estimate
    return counts


def scrape() -> Iterable[Metric]:
    from django.db.models import Count

    from exceptions.models import OrderItemException
    from letzshop.models import StoreLetzshopCredentials
    from notifications.selectors import unread_count_for_admin

    queue = GaugeMetricFamily("letzshop_fulfillment_queue_items", "Fulfillment queue rows by status", labels=["status"])
    for status, count in _queue_counts().items():
        queue.add_metric([status], count)
    yield queue

    pending = GaugeMetricFamily(
        "letzshop_exceptions_pending", "Product exceptions waiting for a person, by store", labels=["store"]
    )
    rows = (
        OrderItemException.objects.filter(status=OrderItemException.Status.PENDING)
        .order_by()
        .values("store__code")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        pending.add_metric([row["store__code"]], row["n"])
    yield pending

    last_sync = GaugeMetricFamily(
        "letzshop_store_last_sync_timestamp_seconds", "When a store's last import ended (Unix time)", labels=["store"]
    )
    last_ok = GaugeMetricFamily(
        "letzshop_store_last_sync_success", "1 if a store's last import succeeded", labels=["store"]
    )
    interval = GaugeMetricFamily(
        "letzshop_store_sync_interval_seconds",
        "The auto-sync interval of each store with auto-sync on",
        labels=["store"],
    )
    for code, at, status, enabled, minutes in StoreLetzshopCredentials.objects.filter(
        store__is_active=True
    ).values_list("store__code", "last_sync_at", "last_sync_status", "auto_sync_enabled", "sync_interval_minutes"):
        if at is not None:
            last_sync.add_metric([code], at.timestamp())
            last_ok.add_metric([code], 1 if status == "success" else 0)
        if enabled:
            interval.add_metric([code], minutes * 60)
    yield from (last_sync, last_ok, interval)

    yield GaugeMetricFamily(
        "letzshop_notifications_unread", "Notifications no platform admin has read yet", value=unread_count_for_admin()
    )
