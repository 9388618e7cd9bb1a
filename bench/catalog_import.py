"""Benchmark: a catalog import of 20,000 products into a store with 5,000 pending exceptions.

The exceptions (one per order item, four items per order, each with its own GTIN) are written
straight into the database; the import's products include all their GTINs, spread over the file.
Each variant imports the same products into a fresh store through ``stores.services.catalog_import``
and prints products per second and the SQL queries it ran in total, with the part spent in
auto-matching. The floor is the same import into a store without exceptions; the query total
must be the same whatever the number of exceptions resolved (bulk updates, not one per row).

    make bench-catalog                                  # SQLite, 20,000 products, 5,000 / 500 / 0 exceptions
    make bench-catalog args="--database-url postgres://postgres@127.0.0.1:5432/letzshop_bench_catalog"
    .venv/bin/python bench/catalog_import.py --products 5000 --exceptions 1000 200 --rounds 1
"""

import argparse
import random
import statistics
import time

from _common import QueryCounter, peak_rss_mb, setup_django

ITEMS_PER_ORDER = 4


def gtin13(prefix: str, n: int) -> str:
    from stores.gtin import gs1_check_digit

    body = f"{prefix}{n:09d}"
    return body + str(gs1_check_digit(body))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument(
        "--exceptions", type=int, nargs="+", default=[5_000, 500], help="pending exceptions, one variant each"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (the database is recreated)")
    args = parser.parse_args()
    if max(args.exceptions) > args.products:
        parser.error("--exceptions cannot exceed --products: every exception's GTIN is in the import")

    database = setup_django(args.database_url, "catalog")
    from django.db import connection

    import stores.services
    from exceptions.models import OrderItemException
    from merchants.models import Merchant
    from orders.models import OrderItem
    from stores.services import catalog_import, store_create

    # The exceptions' GTINs first, then others; shuffled so that they spread over every batch.
    missing = [gtin13("590", n) for n in range(max(args.exceptions))]
    rows = [
        {"name": f"Product {n}", "sku": f"SKU-{n:06d}", "gtin": gtin, "price": "9.90"}
        for n, gtin in enumerate(missing + [gtin13("480", n) for n in range(args.products - len(missing))])
    ]
    random.Random(7).shuffle(rows)

    # Time and queries of the auto-matching step alone, inside the import.
    auto_match = stores.services.catalog_gtins_added
    spent = {"seconds": 0.0}

    def timed_auto_match(**kwargs):
        started = time.perf_counter()
        try:
            return auto_match(**kwargs)
        finally:
            spent["seconds"] += time.perf_counter() - started

    stores.services.catalog_gtins_added = timed_auto_match

    merchant = Merchant.objects.create(name="Bench")
    variants = [*args.exceptions, 0]
    results: dict[int, list[dict]] = {count: [] for count in variants}
    number = 0
    for round_number in range(1, args.rounds + 1):
        for count in variants:
            number += 1
            store = store_create(merchant=merchant, name=f"Bench store {number}", code=f"bench-catalog-{number}")
            started = time.perf_counter()
            pending_exceptions_create(store=store, gtins=missing[:count])
            setup_time = time.perf_counter() - started

            counter = QueryCounter()
            spent["seconds"] = 0.0
            started, cpu_started = time.perf_counter(), time.process_time()
            with connection.execute_wrapper(counter):
                result = catalog_import(store=store, rows=[dict(row) for row in rows])
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started

            assert (result.created, result.errors) == (args.products, []), result.errors[:3]
            assert result.exceptions_resolved == count
            resolved = OrderItemException.objects.filter(store=store, status=OrderItemException.Status.RESOLVED)
            assert resolved.count() == count
            assert not OrderItem.objects.filter(order__store=store, needs_product_match=True).exists()
            results[count].append(
                {
                    "seconds": elapsed,
                    "cpu": cpu,
                    "queries": counter.count,
                    "auto_match": spent["seconds"],
                    "setup": setup_time,
                }
            )
            print(
                f"  round {round_number}, {count:>5} exceptions: import {elapsed:6.2f} s (CPU {cpu:.2f} s), "
                f"{counter.count} queries, auto-match {spent['seconds']:.3f} s "
                f"(set-up of the exceptions {setup_time:.2f} s)"
            )

    print(
        f"Catalog import benchmark on {database}: {args.products} products, batches of {stores.services.IMPORT_BATCH}"
    )
    print(
        f"  (medians of {args.rounds} rounds; each import into a fresh store; CPU time is steadier on a busy machine)"
    )
    floor = statistics.median(r["seconds"] for r in results[0])
    for count in variants:
        seconds = statistics.median(r["seconds"] for r in results[count])
        queries = sorted({r["queries"] for r in results[count]})
        label = "floor: no exceptions" if count == 0 else f"{count} pending exceptions resolved"
        report(label, f"{seconds:7.2f} s  {args.products / seconds:8.0f} products/s  (× {seconds / floor:.2f} floor)")
        report("  CPU time of this process", f"{statistics.median(r['cpu'] for r in results[count]):7.2f} s")
        report("  SQL queries in total", ", ".join(str(q) for q in queries))
        report("  of which auto-matching", f"{statistics.median(r['auto_match'] for r in results[count]):7.3f} s")
    # The floor resolves nothing, so it skips the one UPDATE of order items: compare the others.
    totals = {count: statistics.median(r["queries"] for r in results[count]) for count in args.exceptions}
    same = len(set(totals.values())) == 1
    report("queries independent of exceptions", "yes" if same else f"NO: {totals}")
    report("peak memory (max RSS)", f"{peak_rss_mb():7.0f} MB  (the whole benchmark process)")
    if not same:
        raise SystemExit(1)


def pending_exceptions_create(*, store, gtins: list[str]) -> None:
    """One pending exception per GTIN, on items of orders of ``store`` (bulk inserts)."""
    from config.bulk import insert_rows
    from exceptions.models import OrderItemException
    from orders.models import Order, OrderItem
    from stores.gtin import gtin_normalize
    from stores.services import placeholder_product_get

    if not gtins:
        return
    placeholder = placeholder_product_get(store=store)
    order_count = -(-len(gtins) // ITEMS_PER_ORDER)
    order_ids = insert_rows(
        Order,
        [
            {
                "store_id": store.pk,
                "channel": Order.Channel.LETZSHOP,
                "status": Order.Status.PENDING,
                "external_order_number": f"R{store.pk:03d}{n:06d}",
                "external_shipment_id": f"bench-{store.pk}-{n}",
            }
            for n in range(order_count)
        ],
    )
    item_rows = [
        {
            "order_id": order_ids[n // ITEMS_PER_ORDER],
            "product_id": placeholder.pk,
            "product_name": f"Unlisted item {n}",
            "gtin": gtin,
            "quantity": 1,
            "external_item_key": f"variant-{n}",
            "needs_product_match": True,
        }
        for n, gtin in enumerate(gtins)
    ]
    item_ids = insert_rows(OrderItem, item_rows)
    insert_rows(
        OrderItemException,
        [
            {
                "store_id": store.pk,
                "order_id": item["order_id"],
                "order_item_id": item_id,
                "exception_type": OrderItemException.Type.PRODUCT_NOT_FOUND,
                "status": OrderItemException.Status.PENDING,
                "original_gtin": item["gtin"],
                "gtin_normalized": gtin_normalize(item["gtin"]).gtin14,
                "original_product_name": item["product_name"],
            }
            for item, item_id in zip(item_rows, item_ids, strict=True)
        ],
    )


def report(label: str, value: str) -> None:
    print(f"  {label + ':':<40}{value}")


if __name__ == "__main__":
    main()
