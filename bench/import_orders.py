"""Benchmark: import N sandbox shipments (3 units each, half with an unmatched item).

Prints shipments per second, SQL queries per page, peak memory, and the floor it is compared
with: the time to only fetch and parse the same pages through the client. Then a re-import of
the same, unchanged shipments.

    make bench-import                                   # SQLite, 5,000 shipments
    make bench-import args="--database-url postgres://postgres@127.0.0.1:5432/letzshop_bench"
    .venv/bin/python bench/import_orders.py --shipments 1000 --page-size 50
"""

import argparse
import time

from _common import QueryCounter, best_of, peak_rss_mb, sandbox_process, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shipments", type=int, default=5000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (the database is recreated)")
    args = parser.parse_args()

    vendor = setup_django(args.database_url, "import")
    from django.db import connection

    from letzshop.client import LetzshopClient
    from letzshop.models import LetzshopOrder
    from letzshop.sandbox import DEFAULT_API_KEY, demo_catalog
    from letzshop.services.credentials import credentials_save
    from letzshop.services.imports import orders_import
    from merchants.models import Merchant
    from stores.services import catalog_import, store_create

    seed = {"shipments": args.shipments, "seed": 7, "unmatched_ratio": 0.5, "units_per_shipment": 3}
    with sandbox_process(**seed) as url:
        store = store_create(merchant=Merchant.objects.create(name="Bench"), name="Bench store", code="bench")
        catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
        credentials_save(store=store, api_key=DEFAULT_API_KEY, api_endpoint=url)

        def fetch_only() -> int:
            with LetzshopClient(api_key=DEFAULT_API_KEY, endpoint=url) as client:
                return sum(len(p.shipments) for p in client.iter_shipment_pages(page_size=args.page_size))

        fetched = fetch_only()  # warm-up: connections, caches
        floor, fetched = best_of(3, fetch_only)

        rss_before = peak_rss_mb()
        counter = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            first = orders_import(store=store, triggered_by="command", page_size=args.page_size)
        first_time = time.perf_counter() - started
        rss_peak = peak_rss_mb()

        counter_again = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter_again):
            again = orders_import(store=store, triggered_by="command", page_size=args.page_size)
        again_time = time.perf_counter() - started

    assert first.orders_imported == fetched == args.shipments, first.message
    assert again.orders_unchanged == args.shipments and again.orders_imported == 0
    assert LetzshopOrder.objects.filter(store=store).count() == args.shipments

    print(f"Import benchmark on {vendor}: {args.shipments} shipments × 3 units, page size {args.page_size}")
    rate = args.shipments
    report("floor (fetch + parse only, best of 3)", f"{floor:7.2f} s  {rate / floor:8.0f} shipments/s")
    report("first import", f"{first_time:7.2f} s  {rate / first_time:8.0f} shipments/s")
    report("  ratio import / fetch", f"{first_time / floor:7.2f}   (goal ≤ 2)")
    report("  SQL queries per page", f"{counter.count / first.pages:7.1f}   ({counter.count} in {first.pages} pages)")
    report("  exceptions created", f"{first.exceptions_created:7d}")
    report("  peak memory (max RSS)", f"{rss_peak:7.0f} MB  (before the import: {rss_before:.0f} MB)")
    report("re-import, nothing changed", f"{again_time:7.2f} s  {rate / again_time:8.0f} shipments/s")
    report("  speed-up over the first import", f"{first_time / again_time:7.2f} ×  (goal ≥ 3)")
    report("  SQL queries per page", f"{counter_again.count / again.pages:7.1f}")


def report(label: str, value: str) -> None:
    print(f"  {label + ':':<40}{value}")


if __name__ == "__main__":
    main()
