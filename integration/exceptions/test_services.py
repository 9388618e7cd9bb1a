import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.errors import Conflict, InvalidInput
from exceptions.models import OrderItemException
from exceptions.selectors import blocking_exception_count, exception_stats
from exceptions.services import exception_ignore, exception_resolve, exceptions_bulk_resolve
from exceptions.tests.factories import OrderItemExceptionFactory
from orders.tests.factories import OrderFactory
from stores.services import placeholder_product_get
from stores.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

Status = OrderItemException.Status
GTIN = "4006381333931"


def _reload(*rows):
    for row in rows:
        row.refresh_from_db()
        row.order_item.refresh_from_db()


def test_resolve_points_the_item_at_the_product_and_keeps_who_when_and_notes(store, store_user):
    exception = OrderItemExceptionFactory(store=store)
    product = ProductFactory(store=store)

    count = exception_resolve(exception=exception, product_id=product.pk, user=store_user, notes="  Same bottle ")

    assert count == 1
    _reload(exception)
    assert exception.status == Status.RESOLVED
    assert exception.resolved_product == product
    assert exception.resolved_by == store_user
    assert exception.resolved_at is not None
    assert exception.notes == "Same bottle"
    assert exception.order_item.product == product
    assert exception.order_item.needs_product_match is False
    assert blocking_exception_count(order_id=exception.order_id) == 0


def test_another_stores_product_is_refused_like_a_missing_one(store, other_store, store_user):
    exception = OrderItemExceptionFactory(store=store)
    foreign = ProductFactory(store=other_store)

    with pytest.raises(InvalidInput) as foreign_error:
        exception_resolve(exception=exception, product_id=foreign.pk, user=store_user)
    with pytest.raises(InvalidInput) as missing_error:
        exception_resolve(exception=exception, product_id=foreign.pk + 1000, user=store_user)

    assert foreign_error.value.field == "product_id"
    assert foreign_error.value.message == missing_error.value.message.replace(str(foreign.pk + 1000), str(foreign.pk))
    assert foreign.name not in foreign_error.value.message
    _reload(exception)
    assert exception.status == Status.PENDING
    assert exception.order_item.needs_product_match is True


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("placeholder", "placeholder"), ("inactive", "inactive"), ("text", "Give the id")],
)
def test_placeholder_inactive_or_malformed_products_get_a_clear_error(store, store_user, kind, expected):
    exception = OrderItemExceptionFactory(store=store)
    product_id = {
        "placeholder": lambda: placeholder_product_get(store=store).pk,
        "inactive": lambda: ProductFactory(store=store, is_active=False).pk,
        "text": lambda: "abc",
    }[kind]()

    with pytest.raises(InvalidInput) as error:
        exception_resolve(exception=exception, product_id=product_id, user=store_user)

    assert error.value.field == "product_id"
    assert expected in error.value.message
    exception.refresh_from_db()
    assert exception.status == Status.PENDING


def test_apply_to_all_with_gtin_resolves_the_stores_pending_exceptions_of_any_gtin_form(store, other_store, store_user):
    exception = OrderItemExceptionFactory(store=store, original_gtin=GTIN)
    same_as_gtin14 = OrderItemExceptionFactory(store=store, original_gtin="0" + GTIN)
    ignored = OrderItemExceptionFactory(store=store, original_gtin=GTIN, status=Status.IGNORED, ignore_reason="x")
    other_gtin = OrderItemExceptionFactory(store=store)
    other_stores = OrderItemExceptionFactory(store=other_store, original_gtin=GTIN)
    product = ProductFactory(store=store)

    count = exception_resolve(
        exception=exception, product_id=product.pk, user=store_user, notes="n", apply_to_all_with_gtin=True
    )

    assert count == 2
    _reload(exception, same_as_gtin14, ignored, other_gtin, other_stores)
    assert [e.status for e in (exception, same_as_gtin14)] == [Status.RESOLVED, Status.RESOLVED]
    assert same_as_gtin14.order_item.product == product and same_as_gtin14.resolved_by == store_user
    assert [e.status for e in (ignored, other_gtin, other_stores)] == [Status.IGNORED, Status.PENDING, Status.PENDING]


def test_apply_to_all_needs_a_gtin(store, store_user):
    no_barcode = OrderItemExceptionFactory(
        store=store, original_gtin="", exception_type=OrderItemException.Type.GTIN_MISMATCH
    )
    also_no_barcode = OrderItemExceptionFactory(store=store, original_gtin="")
    product = ProductFactory(store=store)

    with pytest.raises(InvalidInput) as error:
        exception_resolve(exception=no_barcode, product_id=product.pk, user=store_user, apply_to_all_with_gtin=True)

    assert error.value.field == "apply_to_all_with_gtin"
    also_no_barcode.refresh_from_db()
    assert also_no_barcode.status == Status.PENDING


def test_an_ignored_exception_can_still_be_resolved(store, store_user):
    exception = OrderItemExceptionFactory(store=store, status=Status.IGNORED, ignore_reason="Discontinued")
    product = ProductFactory(store=store)

    exception_resolve(exception=exception, product_id=product.pk, user=store_user)

    exception.refresh_from_db()
    assert (exception.status, exception.ignore_reason) == (Status.RESOLVED, "")


def test_ignore_needs_a_reason_keeps_who_and_still_blocks_confirmation(store, staff_member):
    exception = OrderItemExceptionFactory(store=store)
    for reason in ("", "   ", None, "x" * 501):
        with pytest.raises(InvalidInput) as error:
            exception_ignore(exception=exception, user=staff_member, reason=reason)
        assert error.value.field == "reason"

    exception_ignore(exception=exception, user=staff_member, reason=" Never sold here ", notes="ask Letzshop")

    exception.refresh_from_db()
    assert exception.status == Status.IGNORED
    assert (exception.ignore_reason, exception.notes) == ("Never sold here", "ask Letzshop")
    assert exception.resolved_by == staff_member and exception.resolved_at is not None
    assert exception.blocks_confirmation
    assert blocking_exception_count(order_id=exception.order_id) == 1


def test_a_resolved_exception_cannot_be_ignored(store, store_user):
    exception = OrderItemExceptionFactory(store=store)
    exception_resolve(exception=exception, product_id=ProductFactory(store=store).pk, user=store_user)

    with pytest.raises(Conflict):
        exception_ignore(exception=exception, user=store_user, reason="changed my mind")


def test_bulk_resolve_takes_every_pending_exception_of_the_store_with_the_gtin(store, other_store, store_user):
    pending = OrderItemExceptionFactory.create_batch(3, store=store, original_gtin=GTIN)
    padded = OrderItemExceptionFactory(store=store, original_gtin="0" + GTIN)
    ignored = OrderItemExceptionFactory(store=store, original_gtin=GTIN, status=Status.IGNORED, ignore_reason="x")
    elsewhere = OrderItemExceptionFactory(store=other_store, original_gtin=GTIN)
    product = ProductFactory(store=store)

    count = exceptions_bulk_resolve(store=store, gtin=GTIN, product_id=product.pk, user=store_user, notes="bulk")

    assert count == 4
    _reload(*pending, padded, ignored, elsewhere)
    assert {e.status for e in (*pending, padded)} == {Status.RESOLVED}
    assert {e.order_item.product_id for e in (*pending, padded)} == {product.pk}
    assert {e.notes for e in (*pending, padded)} == {"bulk"}
    assert (ignored.status, elsewhere.status) == (Status.IGNORED, Status.PENDING)


def test_bulk_resolve_of_an_invalid_gtin_matches_the_same_text_only(store, store_user):
    typo = OrderItemExceptionFactory(
        store=store, original_gtin="4006381333932", exception_type=OrderItemException.Type.GTIN_MISMATCH
    )
    assert typo.gtin_normalized == ""
    product = ProductFactory(store=store)

    assert exceptions_bulk_resolve(store=store, gtin="4006381333932", product_id=product.pk, user=store_user) == 1
    with pytest.raises(InvalidInput) as error:
        exceptions_bulk_resolve(store=store, gtin=" ", product_id=product.pk, user=store_user)
    assert error.value.field == "gtin"


def test_bulk_resolve_costs_the_same_queries_for_1_and_40_exceptions(store, store_user):
    product = ProductFactory(store=store)
    OrderItemExceptionFactory(store=store, original_gtin=GTIN)
    with CaptureQueriesContext(connection) as one:
        assert exceptions_bulk_resolve(store=store, gtin=GTIN, product_id=product.pk, user=store_user) == 1
    OrderItemExceptionFactory.create_batch(40, store=store, original_gtin="96385074")
    other = ProductFactory(store=store)
    with CaptureQueriesContext(connection) as forty:
        assert exceptions_bulk_resolve(store=store, gtin="96385074", product_id=other.pk, user=store_user) == 40
    assert len(forty.captured_queries) == len(one.captured_queries) <= 6


def test_stats_count_by_status_and_orders_that_cannot_be_confirmed(store, other_store, store_user):
    order = OrderFactory(store=store)
    OrderItemExceptionFactory.create_batch(2, store=store, order=order)
    OrderItemExceptionFactory(store=store, status=Status.IGNORED, ignore_reason="x")
    done = OrderItemExceptionFactory(store=store)
    exception_resolve(exception=done, product_id=ProductFactory(store=store).pk, user=store_user)
    OrderItemExceptionFactory(store=other_store)

    assert exception_stats(store=store) == {
        "pending": 2,
        "resolved": 1,
        "ignored": 1,
        "total": 4,
        "orders_with_exceptions": 2,  # the order with two pending, the one with an ignored
    }
    assert exception_stats() == {"pending": 3, "resolved": 1, "ignored": 1, "total": 5, "orders_with_exceptions": 3}


def test_resolving_the_last_blocking_exception_makes_the_order_confirmable(store, store_user):
    from letzshop.services.fulfillment import order_confirm
    from letzshop.tests.factories import LetzshopOrderFactory

    letzshop_order = LetzshopOrderFactory(store=store)
    first, second = OrderItemExceptionFactory.create_batch(2, store=store, order=letzshop_order.local_order)
    product = ProductFactory(store=store)

    exception_resolve(exception=first, product_id=product.pk, user=store_user)
    with pytest.raises(Conflict, match="Order has 1 unresolved exception"):
        order_confirm(order=letzshop_order, user=store_user)

    exception_resolve(exception=second, product_id=product.pk, user=store_user)
    row, created = order_confirm(order=letzshop_order, user=store_user)
    assert created and row.operation == "confirm"
