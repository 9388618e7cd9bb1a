"""Benchmark: drain N queued confirmations against the sandbox (default 2,000).

Prints operations per second and SQL queries per operation. Each operation is one
``confirmInventoryUnits`` call over HTTP to the sandbox (in its own process) plus the queue's
bookkeeping: claim, settle, order and unit states, the sync log row.

With ``--storm SECONDS``, the sandbox answers every call with 429 (``Retry-After``:
``--retry-after``) for that long from the start of the drain, and the drain goes on (sleeping
until the next row is due) until every operation is settled. It prints how long the backlog took
once the storm lifted, how many 429s Letzshop answered, the attempts used and the spread of the
retries.

    make bench-queue
    make bench-queue args="--database-url postgres://postgres@127.0.0.1:5432/letzshop_bench"
    make bench-queue args="--operations 100 --storm 20 --retry-after 5"
"""

import argparse
import os
import statistics
import threading
import time

from _common import QueryCounter, sandbox_control, sandbox_process, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operations", type=int, default=None, help="default 2,000 (100 with --storm)")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (the database is recreated)")
    parser.add_argument("--storm", type=float, default=0, help="seconds of 429 answers from the start of the drain")
    parser.add_argument("--retry-after", type=int, default=5, help="the Retry-After of the storm's 429s")
    args = parser.parse_args()
    operations = args.operations or (100 if args.storm else 2000)

    os.environ["CELERY_BROKER_URL"] = "memory://"  # rows are drained here, not by a worker
    database = setup_django(args.database_url, "queue")
    from django.db import connection

    from letzshop.imports import orders_import
    from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog
    from letzshop.services.credentials import credentials_save
    from letzshop.services.fulfillment import order_confirm, queue_process_due
    from merchants.models import Merchant
    from sandbox import DEFAULT_API_KEY, demo_catalog
    from stores.services import catalog_import, store_create

    seed = {"shipments": operations, "seed": 9, "unmatched_ratio": 0.0, "units_per_shipment": 3}
    with sandbox_process(**seed) as url:
        store = store_create(merchant=Merchant.objects.create(name="Bench"), name="Bench store", code="bench")
        catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
        credentials_save(store=store, api_key=DEFAULT_API_KEY, api_endpoint=url)
        orders_import(store=store, triggered_by="command")
        for order in LetzshopOrder.objects.filter(store=store):
            order_confirm(order=order)
        queue = LetzshopFulfillmentQueue.objects.all()
        queued = queue.filter(status="pending").count()

        if args.storm:
            sandbox_control(url, "/_sandbox/faults", {"rate_429": 1.0, "retry_after": args.retry_after})
            lift = threading.Timer(args.storm, sandbox_control, (url, "/_sandbox/faults", {"rate_429": 0.0}))
        counter = QueryCounter()
        started = time.perf_counter()
        totals = {"completed": 0, "failed": 0}
        first_retries = None
        with connection.execute_wrapper(counter):
            if args.storm:
                lift.start()
            while True:
                counts = queue_process_due()
                for key in totals:
                    totals[key] += counts[key]
                if first_retries is None and args.storm:
                    first_retries = list(queue.filter(status="pending").values_list("next_attempt_at", flat=True))
                waiting = queue.filter(status="pending").order_by("next_attempt_at").first()
                if waiting is None:
                    break
                time.sleep(max(0.0, (waiting.next_attempt_at.timestamp() - time.time())) + 0.01)
        elapsed = time.perf_counter() - started
        on_letzshop = sandbox_control(url, "/_sandbox/state")["units_by_state"]

    assert queued == operations and totals["completed"] == queued, totals
    assert on_letzshop.get("confirmed_available") == 3 * queued, on_letzshop
    print(f"Fulfillment queue benchmark on {database}: {queued} confirmations (3 units each)")
    if not args.storm:
        print(f"  drained in:              {elapsed:7.2f} s")
        print(f"  operations per second:   {queued / elapsed:7.0f}")
        print(f"  SQL queries per op:      {counter.count / queued:7.1f}   ({counter.count} in all)")
        print(f"  completed / failed:      {totals['completed']} / {totals['failed']}")
        return
    throttled = LetzshopSyncLog.objects.filter(details__rate_limited=True)
    per_row = [throttled.filter(queue_item=row).count() for row in queue]
    attempts = list(queue.values_list("attempts", flat=True))
    spread = (max(first_retries) - min(first_retries)).total_seconds() if first_retries else 0.0
    print(f"  429 storm:               {args.storm:7.1f} s, Retry-After {args.retry_after} s")
    print(f"  drained in:              {elapsed:7.2f} s   ({elapsed - args.storm:.2f} s after the storm lifted)")
    print(f"  429s answered:           {throttled.count():7d}")
    print(
        f"  429s per operation:      {min(per_row)}–{max(per_row)} (median {statistics.median(per_row):g}), "
        f"attempts used: {min(attempts)}–{max(attempts)} of {queue.first().max_attempts}"
    )
    print(
        f"  first retries spread:    {spread:7.2f} s   (the rows throttled in the first round come back over this span)"
    )
    print(f"  completed / failed:      {totals['completed']} / {totals['failed']}")


if __name__ == "__main__":
    main()
