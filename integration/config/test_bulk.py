"""Bulk helpers: the garbage collector's setting during bulk work, ids reserved for bulk inserts."""

import gc
import threading

import pytest
from django.db import connection

from config.bulk import BULK_GC_THRESHOLD, bulk_allocations
from stores.models import Store


def test_the_collector_runs_less_often_during_bulk_work_and_as_before_after_it():
    before = gc.get_threshold()
    with bulk_allocations():
        assert gc.get_threshold() == (max(BULK_GC_THRESHOLD, before[0]), *before[1:])
    assert gc.get_threshold() == before


def test_overlapping_bulk_work_in_two_threads_restores_the_setting_after_the_last():
    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with bulk_allocations():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with bulk_allocations():
            second_in.set()
            first_out.wait(5)
            seen["while the second still runs"] = gc.get_threshold()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen["while the second still runs"][0] == max(BULK_GC_THRESHOLD, before[0])
    assert gc.get_threshold() == before


def test_an_error_in_bulk_work_restores_the_setting():
    before = gc.get_threshold()
    try:
        with bulk_allocations():
            raise ValueError("the page could not be written")
    except ValueError:
        pass
    assert gc.get_threshold() == before


@pytest.mark.skipif(connection.display_name != "PostgreSQL", reason="reserves ids from PostgreSQL's sequences")
def test_ids_for_several_tables_come_in_one_query_on_postgresql(db, store, django_assert_num_queries):
    from config.bulk import ids_reserve, insert_rows
    from orders.models import Order
    from stores.models import Product

    with django_assert_num_queries(1):
        ids = ids_reserve({Order: 3, Product: 2, Store: 0})
    assert set(ids) == {Order, Product}
    assert len(ids[Order]) == 3 and ids[Order] == sorted(set(ids[Order]))
    assert len(ids[Product]) == 2
    rows = [{"store_id": store.pk, "name": f"P{n}", "sku": f"SKU-{n}"} for n in range(2)]
    assert insert_rows(Product, rows, ids=ids[Product]) == ids[Product]
    assert set(Product.objects.filter(sku__startswith="SKU-").values_list("id", flat=True)) == set(ids[Product])
    assert max(ids_reserve({Product: 1})[Product]) > max(ids[Product])  # never handed out again
    with pytest.raises(ValueError, match="1 ids reserved for 2 rows"):
        insert_rows(Product, rows, ids=ids[Product][:1])


def test_rows_are_inserted_at_the_ids_returned_and_a_deleted_rows_id_is_never_reused(db, store):
    from config.bulk import insert_rows
    from stores.models import Product

    rows = [{"store_id": store.pk, "name": f"P{n}", "sku": f"ID-{n}"} for n in range(3)]
    ids = insert_rows(Product, rows)
    assert dict(Product.objects.filter(pk__in=ids).values_list("pk", "sku")) == {
        pk: row["sku"] for pk, row in zip(ids, rows, strict=True)
    }
    Product.objects.filter(pk=max(ids)).delete()  # the highest id goes
    again = insert_rows(Product, [{"store_id": store.pk, "name": "Q", "sku": "ID-again"}])
    assert again[0] > max(ids)
    assert Product.objects.create(store=store, name="R", sku="ID-orm").pk > again[0]  # the sequence moved on


def test_a_column_missing_from_some_rows_takes_the_fields_default(db, store):
    from config.bulk import insert_rows
    from stores.models import Product

    ids = insert_rows(
        Product,
        [
            {"store_id": store.pk, "name": "With", "sku": "D-1", "gtin": "4006381333931"},
            {"store_id": store.pk, "name": "Without", "sku": "D-2"},
        ],
    )
    assert list(Product.objects.filter(pk__in=ids).order_by("pk").values_list("gtin", flat=True)) == [
        "4006381333931",
        "",
    ]


def test_a_column_check_never_lets_through_what_the_value_check_refuses(db):
    """The bulk writer settles a column in one pass when it can; every value it lets through
    must be one the field's own check accepts, or a bad value would be stored."""
    from decimal import Decimal

    from config.validation import column_checks
    from exceptions.models import OrderItemException
    from orders.models import Order, OrderItem

    samples = [
        None, "", "abc", "é" * 3, "x" * 70_000, "a\x00b", "\ud800", "pending", "resolved",
        0, 1, -1, 2**31, 2**63, -(2**63) - 1, True, 1.5,
        Decimal("0"), Decimal("1.23"), Decimal("1.234"), Decimal("-99999999.99"), Decimal("1E+20"),
        Decimal("NaN"), Decimal("Infinity"), Decimal("0E+30"),
        [], {}, ["a"],
    ]  # fmt: skip
    checked = 0
    for model in (Order, OrderItem, OrderItemException):
        for name, (check, column_fits) in column_checks(model, connection.display_name).items():
            if column_fits is None:
                continue
            for value in samples:
                if column_fits([value]):
                    assert check(value) is None, (model.__name__, name, value)
                    checked += 1
                # One bad value among good ones is never settled as fitting.
                if check(value) is not None:
                    good = [v for v in samples if check(v) is None]
                    assert not column_fits([*good, value]), (model.__name__, name, value)
    assert checked > 50
