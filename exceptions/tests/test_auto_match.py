"""Products entering a store's catalog resolve its pending exceptions with the same GTIN."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exceptions.models import OrderItemException
from exceptions.tests.factories import OrderItemExceptionFactory, unlisted_gtin13
from stores.models import Product
from stores.services import catalog_import, product_create, product_update
from stores.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

Status = OrderItemException.Status
GTIN = "4006381333931"


def _statuses(*rows):
    for row in rows:
        row.refresh_from_db()
    return [row.status for row in rows]


def test_creating_a_product_resolves_the_pending_exceptions_of_its_gtin(store, other_store):
    as_gtin13 = OrderItemExceptionFactory(store=store, original_gtin=GTIN)
    as_gtin14 = OrderItemExceptionFactory(store=store, original_gtin="0" + GTIN)
    ignored = OrderItemExceptionFactory(store=store, original_gtin=GTIN, status=Status.IGNORED, ignore_reason="x")
    elsewhere = OrderItemExceptionFactory(store=other_store, original_gtin=GTIN)
    unrelated = OrderItemExceptionFactory(store=store)

    product, resolved = product_create(store=store, data={"name": "Found", "sku": "F-1", "gtin": "0" + GTIN})

    assert resolved == 2
    assert _statuses(as_gtin13, as_gtin14, ignored, elsewhere, unrelated) == [
        Status.RESOLVED,
        Status.RESOLVED,
        Status.IGNORED,
        Status.PENDING,
        Status.PENDING,
    ]
    for exception in (as_gtin13, as_gtin14):
        exception.order_item.refresh_from_db()
        assert exception.resolved_product == product
        assert exception.order_item.product == product
        assert exception.order_item.needs_product_match is False
        assert exception.resolved_by is None and exception.resolved_at is not None
        assert "Auto-matched" in exception.notes


def test_an_inactive_product_matches_nothing_until_it_is_activated(store):
    exception = OrderItemExceptionFactory(store=store, original_gtin=GTIN)

    product, resolved = product_create(
        store=store, data={"name": "Later", "sku": "L-1", "gtin": GTIN, "is_active": "no"}
    )
    assert resolved == 0
    assert _statuses(exception) == [Status.PENDING]

    _, resolved = product_update(product=product, data={"is_active": True})
    assert resolved == 1
    assert _statuses(exception) == [Status.RESOLVED]


def test_a_gtin_shared_by_two_products_stays_for_a_person_to_decide(store):
    exception = OrderItemExceptionFactory(store=store, original_gtin=GTIN)
    rows = [{"name": "Red", "sku": "R", "gtin": GTIN}, {"name": "Blue", "sku": "B", "gtin": GTIN}]

    assert catalog_import(store=store, rows=rows).exceptions_resolved == 0
    assert _statuses(exception) == [Status.PENDING]

    # Once one of them is deactivated, the other is the match.
    product_update(product=Product.objects.get(store=store, sku="B"), data={"is_active": False})
    exception.refresh_from_db()
    assert exception.status == Status.RESOLVED
    assert exception.resolved_product.sku == "R"


def test_importing_an_unchanged_catalog_again_resolves_what_was_left_pending(store):
    # A product written around the services (an interrupted import, a data fix) left it pending.
    ProductFactory(store=store, sku="KEEP", name="Kept", gtin=GTIN, price="1.00")
    exception = OrderItemExceptionFactory(store=store, original_gtin=GTIN)

    result = catalog_import(store=store, rows=[{"name": "Kept", "sku": "KEEP", "gtin": GTIN, "price": "1.00"}])

    assert (result.created, result.updated, result.exceptions_resolved) == (0, 0, 1)
    assert _statuses(exception) == [Status.RESOLVED]


def test_catalog_import_queries_do_not_grow_with_the_exceptions_it_resolves(store, other_store):
    rows = [{"name": f"P{n}", "sku": f"S{n}", "gtin": unlisted_gtin13(n)} for n in range(300)]

    def run(target, exceptions: int) -> tuple[int, int]:
        for n in range(exceptions):
            OrderItemExceptionFactory(store=target, original_gtin=unlisted_gtin13(n))
        with CaptureQueriesContext(connection) as queries:
            result = catalog_import(store=target, rows=rows)
        return result.exceptions_resolved, len(queries.captured_queries)

    few, few_queries = run(store, 2)
    many, many_queries = run(other_store, 60)

    assert (few, many) == (2, 60)
    assert many_queries == few_queries
