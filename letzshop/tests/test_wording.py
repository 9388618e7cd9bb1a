"""What people read about Letzshop's answers: sentences from technical text, names for who
started a sync, counts per state, orders by the customer's date."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from config.errors import InvalidInput
from exceptions.models import OrderItemException
from exceptions.services import exception_resolve
from exceptions.tests.factories import OrderItemExceptionFactory
from letzshop.tests.factories import LetzshopOrderFactory, QueueItemFactory, SyncLogFactory
from letzshop.wording import error_explain, sync_log_error_text, trigger_label
from stores.tests.factories import ProductFactory, UserFactory


@pytest.mark.parametrize(
    ("technical", "sentence"),
    [
        ("Letzshop answered HTTP 503 (an HTML error page)", "Letzshop could not be reached"),
        ("Letzshop refused the API key (HTTP 401: Unauthorized)", "Letzshop refused the API key."),
        ("Authentication failed: the API key was refused by Letzshop", "Letzshop refused the API key."),
        ("HTTP 429: rate limited by Letzshop, retry after 30 s", "slow down"),
        ("Letzshop answered HTTP 301, a redirect to https://x/: redirects are not followed", "redirects"),
        ("GraphQL errors: Unknown field foo", "did not accept the request"),
        ("Letzshop rate limited this operation without a break for 2.0 h", "was given up"),
        ("The stored Letzshop API key cannot be decrypted with any key", "can no longer be read"),
        ("something nobody foresaw", "An operator can read the details"),
    ],
)
def test_technical_text_becomes_a_sentence(technical, sentence):
    assert sentence in error_explain(technical)
    assert "HTTP" not in error_explain(technical)


def test_the_sentence_follows_the_language():
    with override("de"):
        assert error_explain("Letzshop answered HTTP 503 (an HTML error page)").startswith(
            "Letzshop war nicht erreichbar"
        )
    with override("fr"):
        assert error_explain("HTTP 401").startswith("Letzshop a refusé la clé API")
    assert error_explain("") == ""


def test_an_imports_list_of_errors_is_read_as_one_text():
    assert sync_log_error_text([{"shipment_id": "s1", "error": "a"}, {"error": "b"}]) == "a; b"
    assert sync_log_error_text({"message": "m"}) == "m"
    assert sync_log_error_text(None) == ""


def test_who_started_a_sync_is_named():
    assert trigger_label("7", {7: "Olga Operator"}) == "Olga Operator"
    assert trigger_label("8", {}) == "a deleted user"
    assert trigger_label("scheduler", {}) == "Auto-Sync"


def test_sync_logs_name_people_in_one_query(store_api, store, store_user, django_assert_max_num_queries):
    people = [UserFactory(first_name=f"P{n}", last_name="Q") for n in range(5)]
    for person in people:
        SyncLogFactory(store=store, triggered_by=str(person.pk), error_details={"message": "HTTP 503"}, status="failed")
    SyncLogFactory(store=store, triggered_by="scheduler")
    with django_assert_max_num_queries(8):
        body = store_api.get("/api/v1/store/letzshop/logs").json()
    names = {row["triggered_by_name"] for row in body["results"]}
    assert names == {"P0 Q", "P1 Q", "P2 Q", "P3 Q", "P4 Q", "Auto-Sync"}
    failed = next(row for row in body["results"] if row["status"] == "failed")
    assert failed["error_summary"].startswith("Letzshop could not be reached")


def test_queue_rows_carry_their_sentence(store_api, store):
    QueueItemFactory(store=store, status="failed", error_message="Letzshop refused the API key (HTTP 401: nope)")
    row = store_api.get("/api/v1/store/letzshop/queue", HTTP_ACCEPT_LANGUAGE="fr").json()["results"][0]
    assert row["error_summary"].startswith("Letzshop a refusé la clé API")
    assert "HTTP 401" in row["error_message"]


def test_counts_per_state_are_the_stores_own(store_api, store, other_store):
    LetzshopOrderFactory(store=store)
    LetzshopOrderFactory(store=store, letzshop_state="confirmed")
    LetzshopOrderFactory(store=other_store)
    body = store_api.get("/api/v1/store/letzshop/orders/counts").json()
    assert body["all"] == 2
    assert body["states"]["unconfirmed"] == 1 and body["states"]["confirmed"] == 1 and body["states"]["shipped"] == 0


def test_orders_come_newest_order_date_first(store_api, store):
    now = timezone.now()
    old = LetzshopOrderFactory(store=store, local_order__ordered_at=now - timedelta(days=90))
    new = LetzshopOrderFactory(store=store, local_order__ordered_at=now - timedelta(hours=2))
    LetzshopOrderFactory(store=store, local_order__ordered_at=now - timedelta(days=5))
    rows = store_api.get("/api/v1/store/letzshop/orders").json()["results"]
    assert [rows[0]["id"], rows[-1]["id"]] == [new.pk, old.pk]
    assert rows[0]["ordered_at"]


def test_a_gtin_several_products_share_is_never_resolved_in_bulk(store):
    several = OrderItemExceptionFactory(store=store, exception_type=OrderItemException.Type.DUPLICATE_GTIN)
    OrderItemExceptionFactory(
        store=store, exception_type=OrderItemException.Type.DUPLICATE_GTIN, original_gtin=several.original_gtin
    )
    product = ProductFactory(store=store)
    with pytest.raises(InvalidInput) as refused:
        exception_resolve(exception=several, product_id=product.pk, user=None, apply_to_all_with_gtin=True)
    assert refused.value.field == "apply_to_all_with_gtin"
    assert OrderItemException.objects.filter(store=store, status="pending").count() == 2
    assert exception_resolve(exception=several, product_id=product.pk, user=None) == 1


def test_a_carrier_typed_any_way_is_kept_and_sent_as_its_code(store):
    from letzshop.services.fulfillment import order_set_tracking
    from orders.models import ShippingCarrier
    from orders.services import order_mark_shipped

    order = LetzshopOrderFactory(store=store, inventory_units=[{"id": "u1", "state": "confirmed_available"}])
    item, _ = order_set_tracking(order=order, tracking_number="1Z999", tracking_carrier="DHL Express")
    order.refresh_from_db()
    assert order.tracking_carrier == "dhl" and item.payload["tracking_carrier"] == "dhl"
    assert ShippingCarrier.objects.filter(code="dhl").exists()

    order_mark_shipped(order=order.local_order, shipping_carrier="Swiss Post")
    order.local_order.refresh_from_db()
    assert order.local_order.shipping_carrier == "swiss-post"
    assert ShippingCarrier.objects.get(code="swiss-post").name == "Swiss Post"


def test_money_in_admin_lists_is_written_as_the_language_writes_it():
    from decimal import Decimal

    from config.admin_helpers import money

    with override("de"):
        assert "1.234,50 EUR" in money(Decimal("1234.5"), "EUR")
    with override("fr"):
        assert "234,50" in money(Decimal("1234.5"), "EUR")
    with override("en"):
        assert "1,234.50 EUR" in money(Decimal("1234.5"), "EUR")
