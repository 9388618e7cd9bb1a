"""Benchmark: where a first import's time goes, in CPU seconds per thread and process.

For N sandbox shipments (3 units each, half with an unmatched item), per round:
- the floor (fetch + parse only): the wall time, this process's CPU, the sandbox's CPU;
- a first import into a new store: the wall time, the writing thread's CPU, the other threads'
  and the fetch process's CPU (fetching, parsing and mapping the pages: in the process, a
  thread only relays its requests; with ``--fetch thread``, in the fetch thread), the
  sandbox's, and on PostgreSQL the database server's (the server runs on this machine);
- the fetching and mapping alone: the same pages fetched and mapped as in the import, received
  and not written (wall time): how long the writer would wait if writing cost nothing;
- the writing alone: the same pages fetched and mapped first, then only written (wall time), and
  the mapping alone (CPU).
The import's threads share one interpreter lock; the writing thread runs without it only inside
the database driver. Comparing the sum of the CPU with the wall time shows how much runs at once.

    .venv/bin/python bench/import_cpu.py
    .venv/bin/python bench/import_cpu.py --database-url postgres://postgres@127.0.0.1:5432/letzshop_cpu
"""

import argparse
import os
import resource
import statistics
import threading
import time
from dataclasses import replace
from pathlib import Path

from _common import sandbox_process, setup_django


def process_cpu(marker: bytes) -> float:
    """CPU seconds of the processes whose command line holds ``marker`` (the sandbox)."""
    total = 0.0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if marker in cmdline.read_bytes():
                fields = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return total


# PostgreSQL's processes name themselves "postgres: ..." (a backend, the WAL writer); the
# benchmark's own command line holds "postgres://", which this leaves out.
SERVER_MARKER = b"postgres: "


def children_cpu() -> float:
    """CPU seconds of this process's children that ended and were waited for (the import's
    fetch processes; the sandbox is waited for only at the end)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shipments", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--fetch", choices=["process", "thread"], default="process", help="where the pages are mapped")
    args = parser.parse_args()
    database = setup_django(args.database_url, "import_cpu")
    from django.conf import settings

    settings.LETZSHOP_IMPORT_FETCH_PROCESS = args.fetch == "process"

    from config.bulk import bulk_allocations
    from letzshop.client import LetzshopClient
    from letzshop.imports import orders_import
    from letzshop.imports.fetch import BATCH_SHIPMENTS, PREFETCH_PAGES, PageWork, pages_walk, prefetched
    from letzshop.imports.fetch_process import FetchProcess
    from letzshop.imports.match import MappedPage, shipments_map
    from letzshop.imports.write import mapped_page_write
    from letzshop.services.credentials import credentials_save
    from merchants.models import Merchant
    from sandbox import DEFAULT_API_KEY, demo_catalog
    from stores.services import catalog_import, placeholder_product_get, store_create

    # Each thread's CPU time, read as it ends.
    thread_cpu: dict[str, float] = {}
    run = threading.Thread.run

    def measured_run(self):
        try:
            run(self)
        finally:
            thread_cpu[self.name] = time.thread_time()

    threading.Thread.run = measured_run
    seed = {"shipments": args.shipments, "seed": 7, "unmatched_ratio": 0.5, "units_per_shipment": 3}
    merchant = Merchant.objects.create(name="CPU")
    figures: dict[str, list[float]] = {}

    def note(key: str, value: float) -> None:
        figures.setdefault(key, []).append(value)

    with sandbox_process(**seed) as url:

        def fetch() -> list:
            with LetzshopClient(api_key=DEFAULT_API_KEY, endpoint=url) as client, bulk_allocations():
                return list(client.iter_shipment_pages(page_size=100))

        def prepare(work: PageWork) -> PageWork:  # as the run's: the rows, not the shipments
            work = work.read()
            return replace(work, shipments=(), mapped=shipments_map(work.shipments))

        def fetch_and_map_only() -> int:
            """The import's pages fetched and mapped as in the import (in the fetch process, or
            with --fetch thread in a thread), received by this thread and not written: how long
            the writer would wait for them if writing cost nothing."""
            received = 0

            def walk(client):
                return pages_walk(client, state="unconfirmed", page_size=100, needs_fetch=None, adaptive=True)

            with LetzshopClient(api_key=DEFAULT_API_KEY, endpoint=url) as client, bulk_allocations():
                if args.fetch == "process":
                    process = FetchProcess(client, walk, prepare)
                    process.start()
                    try:
                        for batch in process.batches(batch_shipments=BATCH_SHIPMENTS):
                            received += sum(len(work.mapped.shipments) for work in batch)
                    finally:
                        process.wait()
                else:
                    work_done = (prepare(work) for work in walk(client))
                    with prefetched(work_done, depth=PREFETCH_PAGES, batch_shipments=BATCH_SHIPMENTS) as batches:
                        for batch in batches:
                            received += sum(len(work.mapped.shipments) for work in batch)
            return received

        pages = fetch()  # warm-up, and the pages the writing alone is measured with
        for number in range(1, args.rounds + 1):
            sandbox, started, cpu = process_cpu(b"letzshop_sandbox"), time.perf_counter(), time.thread_time()
            fetch()
            note("floor wall", time.perf_counter() - started)
            note("floor client CPU", time.thread_time() - cpu)
            note("floor sandbox CPU", process_cpu(b"letzshop_sandbox") - sandbox)

            store = store_create(merchant=merchant, name=f"CPU {number}", code=f"cpu-{number}")
            catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
            credentials_save(store=store, api_key=DEFAULT_API_KEY, api_endpoint=url)
            thread_cpu.clear()
            children = children_cpu()
            server = process_cpu(SERVER_MARKER) if database == "PostgreSQL" else 0.0
            sandbox, started, cpu = process_cpu(b"letzshop_sandbox"), time.perf_counter(), time.thread_time()
            orders_import(store=store, triggered_by="command", page_size=100)
            note("import wall", time.perf_counter() - started)
            note("import writing thread CPU", time.thread_time() - cpu)
            # With the fetch process, a thread only relays the child's requests (the run reads
            # the pages itself); with --fetch thread, the fetch thread fetches and maps them.
            note("import other threads CPU", sum(thread_cpu.values()))
            note("import fetch process CPU", children_cpu() - children)
            note("import sandbox CPU", process_cpu(b"letzshop_sandbox") - sandbox)
            if database == "PostgreSQL":  # the server's backends and its writers, on the same cores
                note("import database server CPU", process_cpu(SERVER_MARKER) - server)

            started = time.perf_counter()
            received = fetch_and_map_only()
            note("fetching and mapping alone (wall)", time.perf_counter() - started)
            assert received == args.shipments, received

            cpu = time.thread_time()
            with bulk_allocations():
                mapped = [shipments_map(page.shipments) for page in pages]
            note("mapping alone CPU", time.thread_time() - cpu)
            batches, batch = [], MappedPage()
            for page in mapped:
                batch.extend(page)
                if len(batch.shipments) >= BATCH_SHIPMENTS:
                    batches.append(batch)
                    batch = MappedPage()
            batches += [batch] if batch.shipments else []
            alone = store_create(merchant=merchant, name=f"CPU alone {number}", code=f"cpu-alone-{number}")
            catalog_import(store=alone, rows=[dict(row) for row in demo_catalog()])
            placeholder_id = placeholder_product_get(store=alone).pk
            started = time.perf_counter()
            with bulk_allocations():
                for batch in batches:
                    mapped_page_write(store=alone, page=batch, placeholder_id=placeholder_id)
            note("writing alone wall", time.perf_counter() - started)

    print(
        f"Where a first import's time goes on {database}, fetched in a {args.fetch}: "
        f"{args.shipments} shipments × 3 units, page size 100"
    )
    print(f"  (medians of {args.rounds} rounds; seconds)")
    for key, values in figures.items():
        print(f"  {key + ':':<36}{statistics.median(values):6.2f}   ({min(values):.2f}–{max(values):.2f})")


if __name__ == "__main__":
    main()
