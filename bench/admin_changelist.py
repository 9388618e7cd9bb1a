"""Benchmark: the admin's lists with 100,000 orders.

Fills a fresh database (bulk inserts, config.bulk.insert_rows) with N Letzshop orders spread
over 20 stores (half of them in one big store), each with its local order and items, a product
exception on 30% of them, a queue row on 10% and two sync log rows per 10 orders. Then requests
each admin page as a logged-in platform admin (Django's test client, the whole stack but the
socket) and prints the median time of 7 requests and the SQL queries of one. The floor is the
same list filtered to a store without rows: what a page costs before it shows any.

    make bench-admin                                     # SQLite, 100,000 orders
    make bench-admin args="--database-url postgres://postgres@127.0.0.1:5432/letzshop_bench_admin"
    .venv/bin/python bench/admin_changelist.py --orders 20000
"""

import argparse
import os
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from _common import QueryCounter, setup_django

STORES = 20
REPEAT = 7


def fill(orders: int) -> dict:
    """The rows, in bulk; returns the ids the pages need."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from config.bulk import insert_rows
    from exceptions.models import OrderItemException
    from letzshop.crypto import encrypt_value
    from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials
    from merchants.models import Merchant
    from orders.models import Order, OrderItem
    from stores.models import Product, Store
    from stores.services import placeholder_product_get

    rng = random.Random(7)
    now = timezone.now()
    merchant = Merchant.objects.create(name="Bench merchant")
    stores = [
        Store.objects.create(merchant=merchant, name=f"Bench store {n:02d}", code=f"bench-{n:02d}")
        for n in range(STORES)
    ]
    empty = Store.objects.create(merchant=merchant, name="Empty store", code="bench-empty")
    key = encrypt_value("letzshop-bench-key-0000")
    for store in stores:
        StoreLetzshopCredentials.objects.create(
            store=store,
            api_key_encrypted=key,
            api_endpoint="https://letzshop.lu/graphql",
            last_sync_at=now,
            last_sync_status="success",
        )
    products = {}
    for store in stores:
        placeholder = placeholder_product_get(store=store)
        ids = insert_rows(
            Product,
            [
                {"store_id": store.pk, "name": f"Product {n}", "sku": f"SKU-{n}", "price": Decimal("9.90")}
                for n in range(50)
            ],
        )
        products[store.pk] = (placeholder.pk, ids)
    carriers = ["greco", "colissimo", "xpresslogistics", ""]
    chunk = 5000
    for start in range(0, orders, chunk):
        count = min(chunk, orders - start)
        with transaction.atomic():
            rows, local_rows, store_ids = [], [], []
            for n in range(start, start + count):
                # Half the orders in the first store, the rest spread over the others.
                store = stores[0] if n % 2 == 0 else stores[1 + n % (STORES - 1)]
                created = now - timedelta(minutes=n * 90 * 24 * 60 // max(orders, 1))
                store_ids.append(store.pk)
                local_rows.append(
                    {
                        "store_id": store.pk,
                        "channel": "letzshop",
                        "status": "pending" if n % 5 else "confirmed",
                        "external_order_number": f"R{500000000 + n}",
                        "external_shipment_id": f"shp{n:010d}",
                        "shipment_number": f"H{74683400000 + n}",
                        "customer_email": f"customer{n}@example.lu",
                        "customer_first_name": "Anna",
                        "customer_last_name": f"Muller{n % 97}",
                        "total_amount": Decimal("59.90"),
                        "shipping_carrier": carriers[n % 4],
                        "created_at": created,
                    }
                )
            local_ids = insert_rows(Order, local_rows)
            for n, (local_id, local, store_id) in enumerate(zip(local_ids, local_rows, store_ids, strict=True), start):
                rows.append(
                    {
                        "store_id": store_id,
                        "letzshop_order_id": f"ord{n}",
                        "letzshop_shipment_id": local["external_shipment_id"],
                        "letzshop_order_number": local["external_order_number"],
                        "local_order_id": local_id,
                        "letzshop_state": "unconfirmed" if n % 5 else "confirmed",
                        "customer_email": local["customer_email"],
                        "customer_name": f"Anna {local['customer_last_name']}",
                        "total_amount": Decimal("59.90"),
                        "inventory_units": [{"id": f"unit{n}", "state": "unconfirmed"}],
                        "sync_status": "pending" if n % 5 else "confirmed",
                        "created_at": local["created_at"],
                    }
                )
            letzshop_ids = insert_rows(LetzshopOrder, rows)
            item_rows, unmatched = [], []
            for n, (local_id, store_id) in enumerate(zip(local_ids, store_ids, strict=True), start):
                placeholder, catalog = products[store_id]
                missing = n % 10 < 3
                item_rows.append(
                    {
                        "order_id": local_id,
                        "product_id": placeholder if missing else rng.choice(catalog),
                        "product_name": f"Item {n}",
                        "gtin": f"{4000000000000 + n}",
                        "external_item_key": f"variant{n}",
                        "needs_product_match": missing,
                    }
                )
                item_rows.append(
                    {"order_id": local_id, "product_id": rng.choice(catalog), "external_item_key": f"variant{n}b"}
                )
                unmatched.append(missing)
            item_ids = insert_rows(OrderItem, item_rows)
            exception_rows = [
                {
                    "store_id": store_id,
                    "order_id": local_id,
                    "order_item_id": item_ids[2 * (n - start)],
                    "exception_type": "product_not_found",
                    "status": "pending" if n % 3 else "resolved",
                    "original_gtin": f"{4000000000000 + n}",
                    "gtin_normalized": f"0{4000000000000 + n}",
                    "original_product_name": f"Item {n}",
                    "created_at": local_rows[n - start]["created_at"],
                }
                for n, (local_id, store_id, missing) in enumerate(
                    zip(local_ids, store_ids, unmatched, strict=True), start
                )
                if missing
            ]
            insert_rows(OrderItemException, exception_rows)
            queue_rows = [
                {
                    "store_id": store_ids[i],
                    "letzshop_order_id": letzshop_ids[i],
                    "operation": "confirm",
                    "payload": {"inventory_unit_ids": [f"unit{start + i}"]},
                    "payload_digest": f"digest{start + i}",
                    "status": "failed" if i % 3 == 0 else "completed",
                    "attempts": 3,
                    "error_message": "HTTP 500: Internal Server Error" if i % 3 == 0 else "",
                    "created_at": local_rows[i]["created_at"],
                }
                for i in range(0, count, 10)
            ]
            insert_rows(LetzshopFulfillmentQueue, queue_rows)
            log_rows = [
                {
                    "store_id": store_ids[i],
                    "operation_type": "confirm",
                    "direction": "outbound",
                    "status": "success",
                    "records_processed": 1,
                    "records_succeeded": 1,
                    "started_at": local_rows[i]["created_at"],
                    "completed_at": local_rows[i]["created_at"],
                    "duration_ms": 120,
                    "triggered_by": "queue",
                    "details": {"order": local_rows[i]["external_order_number"]},
                }
                for i in range(0, count, 5)
            ]
            insert_rows(LetzshopSyncLog, log_rows)
    admin = get_user_model().objects.create_superuser("bench-admin", "bench@example.lu", "bench-pass")
    some_order = LetzshopOrder.objects.filter(store=stores[0]).order_by("-id").first()
    return {"big": stores[0].pk, "small": stores[-1].pk, "empty": empty.pk, "admin": admin, "order": some_order}


def pages(ids: dict) -> list[tuple[str, str]]:
    big, small, empty = ids["big"], ids["small"], ids["empty"]
    order = ids["order"]
    return [
        ("floor: Letzshop orders of a store without any", f"/admin/letzshop/letzshoporder/?store={empty}"),
        ("Dashboard (Marketplace > Letzshop)", "/admin/letzshop/letzshopstore/"),
        ("Letzshop orders, first page", "/admin/letzshop/letzshoporder/"),
        ("Letzshop orders, a page in the middle", "/admin/letzshop/letzshoporder/?p={middle}"),
        ("Letzshop orders of the big store", f"/admin/letzshop/letzshoporder/?store={big}"),
        ("Letzshop orders of a small store", f"/admin/letzshop/letzshoporder/?store={small}"),
        (
            "Letzshop orders, unconfirmed + blocking exceptions",
            "/admin/letzshop/letzshoporder/?letzshop_state__exact=unconfirmed&exceptions=unresolved",
        ),
        (
            "Letzshop orders, carrier + past 7 days",
            "/admin/letzshop/letzshoporder/?carrier=greco&created_at__gte={week_ago}",
        ),
        ("Letzshop orders, search an order number", f"/admin/letzshop/letzshoporder/?q={order.letzshop_order_number}"),
        ("Letzshop orders, search a customer", "/admin/letzshop/letzshoporder/?q=customer4242%40example.lu"),
        ("All orders, first page", "/admin/orders/order/"),
        ("All orders of the big store, pending", f"/admin/orders/order/?store={big}&status__exact=pending"),
        ("Exceptions, pending (the tab's default)", "/admin/exceptions/orderitemexception/"),
        ("Exceptions of the big store", f"/admin/exceptions/orderitemexception/?store={big}"),
        ("Queue, failed rows", "/admin/letzshop/letzshopfulfillmentqueue/?status__exact=failed"),
        ("Sync log of the big store", f"/admin/letzshop/letzshopsynclog/?store={big}"),
        ("Sync log, every store", "/admin/letzshop/letzshopsynclog/"),
        ("A Letzshop order's page", f"/admin/letzshop/letzshoporder/{order.pk}/change/"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (the database is recreated)")
    args = parser.parse_args()

    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
    database = setup_django(args.database_url, "admin")
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    # Static files as in development: no collected manifest needed to render the pages.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    started = time.perf_counter()
    ids = fill(args.orders)
    if database == "PostgreSQL":
        # What autovacuum would have done to tables of this size by now.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"{database}: {args.orders:,} orders filled in {time.perf_counter() - started:.1f} s")

    client = Client()
    client.force_login(ids["admin"])
    week_ago = (timezone.now() - timedelta(days=7)).strftime("%Y-%m-%d")
    print(f"{'page':<55} {'median ms':>10} {'queries':>8} {'rows':>6}")
    for name, url in pages(ids):
        url = url.replace("{week_ago}", week_ago).replace("{middle}", str(args.orders // 200))
        response = client.get(url)  # warm: caches, first connection
        assert response.status_code == 200, (url, response.status_code)
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            response = client.get(url)
        listed = response.content.split(b'id="result_list"', 1)
        rows = listed[1].split(b"</table>", 1)[0].count(b"<tr") - 1 if len(listed) == 2 else 1
        times = []
        for _ in range(REPEAT):
            begin = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - begin) * 1000)
        print(f"{name:<55} {statistics.median(times):>10.1f} {counter.count:>8} {rows:>6}")


if __name__ == "__main__":
    main()
