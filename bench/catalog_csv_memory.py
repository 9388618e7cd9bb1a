"""Benchmark: the memory a catalog CSV of just under 20 MiB costs the web process (the import streams it).

Builds a CSV of about ``--mib`` MiB, then posts it as a ``text/csv`` body to
``/api/v1/store/products/import`` through the WSGI app in this process (Django's test client,
which itself holds one copy of the body), and prints how much the process's resident memory grew
at its peak during the call (VmHWM after resetting it), with the rows imported and the time.

    .venv/bin/python bench/catalog_csv_memory.py                   # SQLite, 19.9 MiB
    .venv/bin/python bench/catalog_csv_memory.py --database-url postgres://postgres@127.0.0.1:5432/letzshop_bench_csv
"""

import argparse
import gc
import time
from pathlib import Path

from _common import setup_django


def rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(field)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mib", type=float, default=19.9)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (the database is recreated)")
    args = parser.parse_args()
    database = setup_django(args.database_url, "catalog_csv_memory")

    from django.conf import settings
    from django.test import Client

    from stores.models import Product
    from stores.tests.factories import MembershipFactory

    settings.ALLOWED_HOSTS = ["testserver"]
    membership = MembershipFactory(role="owner")
    client = Client()
    client.force_login(membership.user)
    line = "Product {n} of the benchmark catalog,SKU-{n:08d},,,{p}.99,true\n"
    rows, size, n = ["name,sku,gtin,gtin_type,price,is_active\n"], 0, 0
    while size < args.mib * 1024 * 1024:
        text = line.format(n=n, p=n % 500)
        rows.append(text)
        size += len(text)
        n += 1
    body = "".join(rows).encode()
    del rows
    gc.collect()
    before = rss_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to the current size
    started = time.perf_counter()
    response = client.post("/api/v1/store/products/import", body, content_type="text/csv")
    elapsed = time.perf_counter() - started
    peak = rss_mb("VmHWM")
    result = response.json()
    print(
        f"{database}: {len(body) / 1024 / 1024:.1f} MiB CSV, {n} rows -> HTTP {response.status_code}, "
        f"created {result.get('created')}, errors {len(result.get('errors', []))}, {elapsed:.1f} s"
    )
    print(
        f"process RSS before {before:.0f} MB, peak during the call {peak:.0f} MB: grew {peak - before:.0f} MB "
        f"(the test client's copy of the body included); products stored: {Product.objects.count()}"
    )


if __name__ == "__main__":
    main()
