"""Benchmark: import N sandbox shipments (3 units each, half with an unmatched item).

The first import fetches and maps its pages in the fetch process, as a worker does
(``--compare-thread`` also imports once more per round with them fetched in a thread). Prints
shipments per second, SQL queries per page, peak memory, and the floor it is compared
with: the time to only fetch and parse the same pages through the client. Then a re-import of
the same, unchanged shipments; then, once ``--changed`` shipments (default 20) had their
customer's e-mail or shipping address corrected on the sandbox, a re-import that must bring in
exactly those. Each round imports into a new store and measures its own floor
just before, so that a busy machine weighs on both sides alike; the medians are the figures.

    make bench-import                                   # SQLite, 5,000 shipments, 3 rounds
    make bench-import args="--delay-ms 50"              # each answer 50 ms slower, as over a network
    make bench-import args="--database-url postgres://postgres@127.0.0.1:5432/letzshop_bench"
    .venv/bin/python bench/import_orders.py --shipments 1000 --page-size 50 --rounds 1
"""

import argparse
import statistics
import time

from _common import QueryCounter, best_of, peak_rss_mb, sandbox_control, sandbox_process, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shipments", type=int, default=5000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--changed", type=int, default=20, help="shipments changed before the last re-import")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (the database is recreated)")
    parser.add_argument(
        "--delay-ms",
        type=int,
        default=0,
        help="the sandbox's time to answer each request, as Letzshop's own (default 0: as fast as it can)",
    )
    parser.add_argument(
        "--compare-thread",
        action="store_true",
        help="also, each round, a first import fetched in a thread (not the fetch process), into another store",
    )
    args = parser.parse_args()

    database = setup_django(args.database_url, "import")
    from django.conf import settings
    from django.db import connection

    from config.bulk import bulk_allocations
    from letzshop.client import LetzshopClient
    from letzshop.imports import orders_import
    from letzshop.models import LetzshopOrder
    from letzshop.services.credentials import credentials_save
    from merchants.models import Merchant
    from sandbox import DEFAULT_API_KEY, demo_catalog
    from stores.services import catalog_import, store_create

    seed = {
        "shipments": args.shipments,
        "seed": 7,
        "unmatched_ratio": 0.5,
        "units_per_shipment": 3,
        "delay_ms": args.delay_ms,
    }
    merchant = Merchant.objects.create(name="Bench")
    rounds = []
    with sandbox_process(**seed) as url:

        def fetch_pages(url: str):
            with LetzshopClient(api_key=DEFAULT_API_KEY, endpoint=url) as client:
                return list(client.iter_shipment_pages(page_size=args.page_size))

        def fetch_only() -> int:
            # With the garbage collector set as the import sets it: both sides parse alike.
            with LetzshopClient(api_key=DEFAULT_API_KEY, endpoint=url) as client, bulk_allocations():
                return sum(len(p.shipments) for p in client.iter_shipment_pages(page_size=args.page_size))

        def probe_only() -> int:
            # What a re-import of unchanged shipments asks: every page with the probe, digested.
            from letzshop.services.mapping import change_digest

            with LetzshopClient(api_key=DEFAULT_API_KEY, endpoint=url) as client, bulk_allocations():
                after, count = None, 0
                while True:
                    page = client.shipment_states_page(state="unconfirmed", first=args.page_size, after=after)
                    count += sum(1 for state in page.states if change_digest(state.raw))
                    if not page.has_next_page:
                        return count
                    after = page.end_cursor

        fetch_only()  # warm-up: connections, caches
        for number in range(1, args.rounds + 1):
            store = store_create(merchant=merchant, name=f"Bench store {number}", code=f"bench-{number}")
            catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
            credentials_save(store=store, api_key=DEFAULT_API_KEY, api_endpoint=url)
            floor, fetched = best_of(2, fetch_only)
            probe_floor, probed = best_of(2, probe_only)
            assert probed == fetched

            counter = QueryCounter()
            started = time.perf_counter()
            with connection.execute_wrapper(counter):
                first = orders_import(store=store, triggered_by="command", page_size=args.page_size)
            first_time = time.perf_counter() - started
            thread_time = None
            if args.compare_thread:  # the same import, in the same round, fetched in a thread
                other = store_create(merchant=merchant, name=f"Bench store {number} T", code=f"bench-{number}-t")
                catalog_import(store=other, rows=[dict(row) for row in demo_catalog()])
                credentials_save(store=other, api_key=DEFAULT_API_KEY, api_endpoint=url)
                settings.LETZSHOP_IMPORT_FETCH_PROCESS = False
                started = time.perf_counter()
                threaded = orders_import(store=other, triggered_by="command", page_size=args.page_size)
                thread_time = time.perf_counter() - started
                settings.LETZSHOP_IMPORT_FETCH_PROCESS = True
                assert threaded.orders_imported == args.shipments, threaded.message

            counter_again = QueryCounter()
            started = time.perf_counter()
            with connection.execute_wrapper(counter_again):
                again = orders_import(store=store, triggered_by="command", page_size=args.page_size)
            again_time = time.perf_counter() - started

            # A few shipments corrected on Letzshop (e-mail or address), spread over the pages.
            unconfirmed = [s.id for p in fetch_pages(url) for s in p.shipments]
            step = max(len(unconfirmed) // max(args.changed, 1), 1)
            for index, shipment_id in enumerate(unconfirmed[::step][: args.changed]):
                change = (
                    {"email": f"corrected-{number}-{index}@example.lu"}
                    if index % 2
                    else {"shipAddress": {"streetName": f"Rue corrigée {number}-{index}"}}
                )
                sandbox_control(url, f"/_sandbox/shipments/{shipment_id}", {"order": change})
            started = time.perf_counter()
            changed = orders_import(store=store, triggered_by="command", page_size=args.page_size)
            changed_time = time.perf_counter() - started

            assert changed.orders_updated == args.changed and changed.orders_imported == 0, changed.message
            assert first.orders_imported == fetched == args.shipments, first.message
            assert again.orders_unchanged == args.shipments and again.orders_imported == 0, again.message
            assert LetzshopOrder.objects.filter(store=store).count() == args.shipments
            rounds.append(
                {
                    "floor": floor,
                    "first": first_time,
                    "again": again_time,
                    "ratio": first_time / floor,
                    "speedup": first_time / again_time,
                    "probe": probe_floor / floor,
                    "changed": changed_time,
                    "speedup_changed": first_time / changed_time,
                    "queries": counter.count / first.pages,
                    "queries_again": counter_again.count / again.pages,
                    "exceptions": first.exceptions_created,
                    "thread_ratio": thread_time / floor if thread_time else None,
                }
            )
            print(
                f"  round {number}: floor {floor:.2f} s, import {first_time:.2f} s (ratio {first_time / floor:.2f}), "
                f"re-import {again_time:.2f} s (× {first_time / again_time:.1f}), "
                f"with {args.changed} changed {changed_time:.2f} s (× {first_time / changed_time:.1f})"
                + (f"; in a thread {thread_time:.2f} s (ratio {thread_time / floor:.2f})" if thread_time else "")
            )

    def median(key: str) -> float:
        return statistics.median(r[key] for r in rounds)

    n = args.shipments
    print(
        f"Import benchmark on {database}: {n} shipments × 3 units, page size {args.page_size}, "
        f"Letzshop answering in {args.delay_ms} ms + the sandbox's own time"
    )
    print(f"  (medians of {len(rounds)} rounds)")
    report("floor (fetch + parse only)", f"{median('floor'):7.2f} s  {n / median('floor'):8.0f} shipments/s")
    report("first import", f"{median('first'):7.2f} s  {n / median('first'):8.0f} shipments/s")
    report("  ratio import / fetch", f"{median('ratio'):7.2f}   (goal ≤ 1.5)")
    if args.compare_thread:
        report("  ratio, fetched in a thread", f"{median('thread_ratio'):7.2f}")
    report("  SQL queries per page", f"{median('queries'):7.1f}")
    report("  exceptions created", f"{rounds[0]['exceptions']:7d}")
    report("  peak memory (max RSS)", f"{peak_rss_mb():7.0f} MB  (the whole benchmark process)")
    report("  probe walk / fetch (the probe's cost)", f"{median('probe'):7.2f}")
    report("re-import, nothing changed", f"{median('again'):7.2f} s  {n / median('again'):8.0f} shipments/s")
    report("  speed-up over the first import", f"{median('speedup'):7.2f} ×  (goal ≥ 3)")
    report("  SQL queries per page", f"{median('queries_again'):7.1f}")
    report(f"re-import, {args.changed} changed", f"{median('changed'):7.2f} s")
    report("  speed-up over the first import", f"{median('speedup_changed'):7.2f} ×")


def report(label: str, value: str) -> None:
    print(f"  {label + ':':<40}{value}")


if __name__ == "__main__":
    main()
