"""Benchmark: what a scrape of /metrics costs with a big fulfillment queue (default 1,000,000 rows).

Fills the queue with N rows (about 99.9 % completed, the rest pending, processing and failed:
what a queue looks like after months) and a sync log of N / 4 rows, then times, best of 5:
the queue gauge (``letzshop.metrics._queue_counts``), the whole /metrics answer, and the floor
it is compared with, an exact ``GROUP BY status`` over the whole table.

    make bench-metrics
    make bench-metrics args="--database-url postgres://postgres@127.0.0.1:5432/letzshop_bench"
"""

import argparse
import os

from _common import best_of, setup_django


def fill(rows: int) -> None:
    """Rows straight through SQL (generate_series / a recursive CTE): the set-up is not measured."""
    from django.db import connection

    from letzshop.models import LetzshopOrder
    from letzshop.tests.factories import LetzshopOrderFactory
    from stores.tests.factories import StoreFactory

    store = StoreFactory(code="bench", name="Bench")
    orders = [LetzshopOrderFactory(store=store).pk for _ in range(100)]
    status = (
        "CASE WHEN n %% 1000 = 0 THEN 'failed' WHEN n %% 1000 = 1 THEN 'pending' "
        "WHEN n %% 1000 = 2 THEN 'processing' ELSE 'completed' END"
    )
    with connection.cursor() as cursor:
        if connection.display_name == "PostgreSQL":
            series = "generate_series(1, %s) AS n"
            now = "now()"
        else:
            series = "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %s) SELECT n FROM s)"
            now = "datetime('now')"
        cursor.execute(
            f"""INSERT INTO letzshop_fulfillment_queue (store_id, letzshop_order_id, operation, payload, payload_digest,
                    status, attempts, max_attempts, error_message, created_at, updated_at)
                SELECT %s, %s + (n %% 100), 'confirm', '{{}}', 'digest-' || n, {status}, 1, 3, '', {now}, {now}
                FROM {series}""",
            [store.pk, orders[0], rows],
        )
        cursor.execute(
            f"""INSERT INTO letzshop_sync_logs (store_id, operation_type, direction, status, records_processed,
                    records_succeeded, records_failed, started_at, duration_seconds, duration_ms, triggered_by,
                    details, created_at)
                SELECT %s, 'confirm', 'outbound', 'success', 1, 1, 0, {now}, 0, 12, 'queue', '{{}}', {now}
                FROM {series}""",
            [store.pk, rows // 4],
        )
        cursor.execute("ANALYZE")
    assert LetzshopOrder.objects.count() == 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (the database is recreated)")
    args = parser.parse_args()
    os.environ["CELERY_BROKER_URL"] = "memory://"
    database = setup_django(args.database_url, "metrics")
    from django.db import connection
    from django.db.models import Count

    from letzshop.metrics import _queue_counts
    from letzshop.models import LetzshopFulfillmentQueue
    from monitoring.metrics import metrics_render

    fill(args.rows)
    gauge, counts = best_of(5, _queue_counts)
    scrape, (body, _type) = best_of(5, metrics_render)
    floor, _ = best_of(
        5, lambda: list(LetzshopFulfillmentQueue.objects.order_by().values("status").annotate(n=Count("pk")))
    )
    print(f"/metrics benchmark on {database}: {args.rows:,} queue rows, {args.rows // 4:,} sync log rows")
    print(f"  queue gauge:                 {gauge * 1000:8.1f} ms   {counts}")
    print(f"  whole /metrics answer:       {scrape * 1000:8.1f} ms   ({len(body):,} bytes)")
    print(f"  exact GROUP BY status (floor it avoids): {floor * 1000:8.1f} ms")
    connection.close()


if __name__ == "__main__":
    main()
