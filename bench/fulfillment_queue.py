"""Benchmark: drain N queued confirmations against the sandbox (default 2,000).

Prints operations per second and SQL queries per operation. Each operation is one
``confirmInventoryUnits`` call over HTTP to the sandbox (in its own process) plus the queue's
bookkeeping: claim, settle, order and unit states, the sync log row.

    make bench-queue
    make bench-queue args="--database-url postgres://postgres@127.0.0.1:5432/letzshop_bench"
"""

import argparse
import os
import time

from _common import QueryCounter, sandbox_control, sandbox_process, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operations", type=int, default=2000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (the database is recreated)")
    args = parser.parse_args()

    os.environ["CELERY_BROKER_URL"] = "memory://"  # rows are drained here, not by a worker
    database = setup_django(args.database_url, "queue")
    from django.db import connection

    from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder
    from letzshop.services.credentials import credentials_save
    from letzshop.services.fulfillment import order_confirm, queue_process_due
    from letzshop.services.imports import orders_import
    from merchants.models import Merchant
    from sandbox import DEFAULT_API_KEY, demo_catalog
    from stores.services import catalog_import, store_create

    seed = {"shipments": args.operations, "seed": 9, "unmatched_ratio": 0.0, "units_per_shipment": 3}
    with sandbox_process(**seed) as url:
        store = store_create(merchant=Merchant.objects.create(name="Bench"), name="Bench store", code="bench")
        catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
        credentials_save(store=store, api_key=DEFAULT_API_KEY, api_endpoint=url)
        orders_import(store=store, triggered_by="command")
        for order in LetzshopOrder.objects.filter(store=store):
            order_confirm(order=order)
        queued = LetzshopFulfillmentQueue.objects.filter(status="pending").count()

        counter = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            counts = queue_process_due()
        elapsed = time.perf_counter() - started
        on_letzshop = sandbox_control(url, "/_sandbox/state")["units_by_state"]

    assert queued == args.operations and counts["completed"] == queued, counts
    assert on_letzshop.get("confirmed_available") == 3 * queued, on_letzshop
    print(f"Fulfillment queue benchmark on {database}: {queued} confirmations (3 units each)")
    print(f"  drained in:              {elapsed:7.2f} s")
    print(f"  operations per second:   {queued / elapsed:7.0f}")
    print(f"  SQL queries per op:      {counter.count / queued:7.1f}   ({counter.count} in all)")
    print(f"  completed / failed:      {counts['completed']} / {counts['failed']}")


if __name__ == "__main__":
    main()
