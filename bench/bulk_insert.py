"""Benchmark: the import's bulk inserts (``config.bulk.insert_rows``) against Django's own
``QuerySet.bulk_create`` (on PostgreSQL it inserts with UNNEST), in the whole first import.

Each round imports the same N sandbox shipments into two new stores, one with each writer,
taking turns (which one goes first alternates), and prints the medians and their ratio. The
Django side builds model instances from the same row dicts and parses the raw shipment once
more (a JSONField takes data, not text).

    .venv/bin/python bench/bulk_insert.py                      # SQLite, 5,000 shipments, 5 rounds
    .venv/bin/python bench/bulk_insert.py --database-url postgres://postgres@127.0.0.1:5432/letzshop_bench
"""

import argparse
import statistics
import time

import orjson
from _common import sandbox_process, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shipments", type=int, default=5000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (the database is recreated)")
    args = parser.parse_args()

    database = setup_django(args.database_url, "bulk")
    from config.bulk import SerializedJSON, insert_rows
    from letzshop.imports import orders_import
    from letzshop.imports import write as import_write
    from letzshop.services.credentials import credentials_save
    from merchants.models import Merchant
    from sandbox import DEFAULT_API_KEY, demo_catalog
    from stores.services import catalog_import, store_create

    def django_insert_rows(model, rows, *, ids=None):
        """The same rows through bulk_create: instances from the dicts, ids read back."""
        objects = []
        for row in rows:
            values = {k: (orjson.loads(v.encode()) if isinstance(v, SerializedJSON) else v) for k, v in row.items()}
            objects.append(model(**values))
        if ids is not None:
            for obj, pk in zip(objects, ids, strict=True):
                obj.pk = pk
        model.objects.bulk_create(objects)
        return [obj.pk for obj in objects]

    writers = {"config.bulk.insert_rows": insert_rows, "QuerySet.bulk_create": django_insert_rows}
    seed = {"shipments": args.shipments, "seed": 7, "unmatched_ratio": 0.5, "units_per_shipment": 3}
    merchant = Merchant.objects.create(name="Bench")
    times: dict[str, list[float]] = {name: [] for name in writers}
    with sandbox_process(**seed) as url:
        number = 0
        for round_number in range(args.rounds):
            order = list(writers) if round_number % 2 == 0 else list(reversed(writers))
            for name in order:
                number += 1
                store = store_create(merchant=merchant, name=f"Bulk store {number}", code=f"bulk-{number}")
                catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
                credentials_save(store=store, api_key=DEFAULT_API_KEY, api_endpoint=url)
                import_write.insert_rows = writers[name]
                try:
                    started = time.perf_counter()
                    result = orders_import(store=store, triggered_by="command", page_size=args.page_size)
                    times[name].append(time.perf_counter() - started)
                finally:
                    import_write.insert_rows = insert_rows
                assert result.orders_imported == args.shipments, result.message
            print(f"  round {round_number + 1}: " + ", ".join(f"{name} {times[name][-1]:.2f} s" for name in writers))

    ours, django = (statistics.median(times[name]) for name in writers)
    print(f"First import of {args.shipments} shipments on {database} (medians of {args.rounds} rounds):")
    print(f"  config.bulk.insert_rows:  {ours:6.2f} s")
    print(f"  QuerySet.bulk_create:     {django:6.2f} s  ({(django / ours - 1) * 100:+.0f} %)")


if __name__ == "__main__":
    main()
