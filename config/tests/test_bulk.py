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
