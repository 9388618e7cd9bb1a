"""The exception endpoints, for platform admins and for stores: the same verbs and answers."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from config.tests.clients import api_client_for
from exceptions.models import OrderItemException
from exceptions.tests.factories import OrderItemExceptionFactory
from orders.tests.factories import OrderFactory
from stores.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

Status = OrderItemException.Status
GTIN = "4006381333931"
ADMIN = "/api/v1/admin/order-exceptions"
STORE = "/api/v1/store/order-exceptions"


@dataclass
class Caller:
    client: APIClient
    base: str
    username: str
    is_admin: bool

    def url(self, suffix: str = "") -> str:
        return f"{self.base}{suffix}"

    def bulk_url(self, store) -> str:
        return self.url("/bulk-resolve") + (f"?store_id={store.pk}" if self.is_admin else "")


@pytest.fixture(params=["admin", "store"])
def caller(request, store, store_user, admin_user) -> Caller:
    if request.param == "admin":
        return Caller(api_client_for(admin_user), ADMIN, admin_user.username, True)
    return Caller(api_client_for(store_user), STORE, store_user.username, False)


def test_list_answers_the_order_the_item_and_the_state(caller, store):
    exception = OrderItemExceptionFactory(
        store=store, original_gtin=GTIN, original_sku="LS-9", order_item__product_sku="LS-9", order_item__quantity=3
    )

    response = caller.client.get(caller.url())

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == exception.pk
    assert row["store_id"] == store.pk
    assert (row["order_id"], row["order_number"]) == (exception.order_id, exception.order.external_order_number)
    assert row["order_item"] == {
        "id": exception.order_item_id,
        "name": exception.original_product_name,
        "sku": "LS-9",
        "gtin": GTIN,
        "quantity": 3,
        "product_id": exception.order_item.product_id,
        "needs_product_match": True,
    }
    assert (row["status"], row["exception_type"], row["blocks_confirmation"]) == ("pending", "product_not_found", True)
    assert (row["original_gtin"], row["gtin_normalized"]) == (GTIN, "0" + GTIN)
    assert row["resolved_product"] is None and row["resolved_by"] is None and row["resolved_at"] is None
    assert caller.client.get(caller.url(f"/{exception.pk}")).json() == row


def test_list_filters(caller, store):
    order = OrderFactory(store=store)
    in_order = OrderItemExceptionFactory(store=store, order=order, original_gtin=GTIN)
    ignored = OrderItemExceptionFactory(store=store, status=Status.IGNORED, ignore_reason="x")
    mismatch = OrderItemExceptionFactory(
        store=store, original_gtin="12-34", exception_type=OrderItemException.Type.GTIN_MISMATCH
    )

    def ids(**params) -> list[int]:
        response = caller.client.get(caller.url(), params)
        assert response.status_code == 200, response.content
        return sorted(row["id"] for row in response.json()["results"])

    assert ids(status="ignored") == [ignored.pk]
    assert ids(status="pending") == sorted([in_order.pk, mismatch.pk])
    assert ids(type="gtin_mismatch") == [mismatch.pk]
    assert ids(gtin=GTIN) == ids(gtin="0" + GTIN) == ids(gtin="400-6381-33393-1") == [in_order.pk]
    assert ids(gtin="12-34") == [mismatch.pk]
    assert ids(order=order.pk) == [in_order.pk]
    assert ids(blocking="true") == sorted([in_order.pk, ignored.pk, mismatch.pk])
    response = caller.client.get(caller.url(), {"status": "maybe"})
    assert response.status_code == 400 and "status" in response.json()


def test_admins_filter_by_store_and_see_every_store(admin_api, store, other_store):
    own = OrderItemExceptionFactory(store=store)
    foreign = OrderItemExceptionFactory(store=other_store)

    everything = {row["id"] for row in admin_api.get(ADMIN).json()["results"]}
    only_other = {row["id"] for row in admin_api.get(ADMIN, {"store_id": other_store.pk}).json()["results"]}

    assert everything == {own.pk, foreign.pk}
    assert only_other == {foreign.pk}


def test_resolve_answers_the_updated_exception_with_who_and_when(caller, store):
    exception = OrderItemExceptionFactory(store=store)
    product = ProductFactory(store=store, name="Riesling 2022", sku="RI-22", gtin=GTIN)

    response = caller.client.post(
        caller.url(f"/{exception.pk}/resolve"),
        {"product_id": product.pk, "notes": "Matched to correct product manually"},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["exceptions_resolved"] == 1
    assert (body["status"], body["blocks_confirmation"]) == ("resolved", False)
    assert body["resolved_product"] == {"id": product.pk, "name": "Riesling 2022", "sku": "RI-22", "gtin": GTIN}
    assert body["resolved_by"]["username"] == caller.username
    assert body["resolved_at"] and body["notes"] == "Matched to correct product manually"
    assert body["order_item"]["product_id"] == product.pk
    assert body["order_item"]["needs_product_match"] is False


def test_resolve_can_apply_to_every_pending_exception_with_the_gtin(caller, store):
    first, second = OrderItemExceptionFactory.create_batch(2, store=store, original_gtin=GTIN)
    other = OrderItemExceptionFactory(store=store)
    product = ProductFactory(store=store)

    body = caller.client.post(
        caller.url(f"/{first.pk}/resolve"), {"product_id": product.pk, "apply_to_all_with_gtin": True}, format="json"
    ).json()

    assert body["exceptions_resolved"] == 2
    second.refresh_from_db()
    other.refresh_from_db()
    assert (second.status, other.status) == (Status.RESOLVED, Status.PENDING)


def test_resolve_input_errors_name_the_field(caller, store, other_store):
    exception = OrderItemExceptionFactory(store=store)
    url = caller.url(f"/{exception.pk}/resolve")

    missing = caller.client.post(url, {"notes": "no product"}, format="json")
    foreign = caller.client.post(url, {"product_id": ProductFactory(store=other_store).pk}, format="json")
    inactive = caller.client.post(url, {"product_id": ProductFactory(store=store, is_active=False).pk}, format="json")

    assert missing.status_code == foreign.status_code == inactive.status_code == 400
    assert "product_id" in missing.json()
    assert "not in this store's catalog" in foreign.json()["product_id"][0]
    assert "inactive" in inactive.json()["product_id"][0]
    exception.refresh_from_db()
    assert exception.status == Status.PENDING


def test_ignore_needs_a_reason_and_answers_the_exception(caller, store):
    exception = OrderItemExceptionFactory(store=store)
    url = caller.url(f"/{exception.pk}/ignore")

    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": None}):
        response = caller.client.post(url, body, format="json")
        assert response.status_code == 400, body
        assert response.json() == {"reason": ["Say why this exception is ignored."]}

    response = caller.client.post(url, {"reason": "Discontinued", "notes": "Told the customer"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["ignore_reason"], body["notes"]) == ("ignored", "Discontinued", "Told the customer")
    assert body["blocks_confirmation"] is True
    assert body["resolved_by"]["username"] == caller.username


def test_ignoring_a_resolved_exception_is_a_conflict(caller, store):
    exception = OrderItemExceptionFactory(store=store)
    product = ProductFactory(store=store)
    caller.client.post(caller.url(f"/{exception.pk}/resolve"), {"product_id": product.pk}, format="json")

    response = caller.client.post(caller.url(f"/{exception.pk}/ignore"), {"reason": "x"}, format="json")

    assert response.status_code == 409


def test_bulk_resolve_by_gtin(caller, store, other_store):
    mine = OrderItemExceptionFactory.create_batch(3, store=store, original_gtin=GTIN)
    theirs = OrderItemExceptionFactory(store=other_store, original_gtin=GTIN)
    product = ProductFactory(store=store)

    response = caller.client.post(
        caller.bulk_url(store),
        {"gtin": GTIN, "product_id": product.pk, "notes": "Product imported to catalog"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"store_id": store.pk, "gtin": GTIN, "product_id": product.pk, "exceptions_resolved": 3}
    assert OrderItemException.objects.filter(pk__in=[e.pk for e in mine], status=Status.RESOLVED).count() == 3
    theirs.refresh_from_db()
    assert theirs.status == Status.PENDING


def test_admin_bulk_resolve_needs_the_store(admin_api, store):
    product = ProductFactory(store=store)
    body = {"gtin": GTIN, "product_id": product.pk}

    missing = admin_api.post(f"{ADMIN}/bulk-resolve", body, format="json")
    malformed = admin_api.post(f"{ADMIN}/bulk-resolve?store_id=abc", body, format="json")
    unknown = admin_api.post(f"{ADMIN}/bulk-resolve?store_id={store.pk + 1000}", body, format="json")
    wrong_store = admin_api.post(f"{ADMIN}/bulk-resolve?store_id={ProductFactory().store_id}", body, format="json")

    assert (missing.status_code, list(missing.json())) == (400, ["store_id"])
    assert (malformed.status_code, list(malformed.json())) == (400, ["store_id"])
    assert unknown.status_code == 404
    assert (wrong_store.status_code, list(wrong_store.json())) == (400, ["product_id"])


def test_stats(caller, store, other_store):
    OrderItemExceptionFactory.create_batch(2, store=store)
    OrderItemExceptionFactory(store=store, status=Status.IGNORED, ignore_reason="x")
    OrderItemExceptionFactory(store=other_store)

    response = caller.client.get(caller.url("/stats") + (f"?store_id={store.pk}" if caller.is_admin else ""))

    assert response.status_code == 200, response.content
    assert response.json() == {"pending": 2, "resolved": 0, "ignored": 1, "total": 3, "orders_with_exceptions": 3}


def test_admin_stats_without_a_store_count_every_store(admin_api, store, other_store):
    OrderItemExceptionFactory(store=store)
    OrderItemExceptionFactory(store=other_store)

    assert admin_api.get(f"{ADMIN}/stats").json()["pending"] == 2


def test_every_store_role_works_the_exceptions(store, staff_member):
    client = api_client_for(staff_member)
    first, second = OrderItemExceptionFactory.create_batch(2, store=store)
    third = OrderItemExceptionFactory(store=store, original_gtin=GTIN)
    product = ProductFactory(store=store)

    assert client.get(STORE).status_code == 200
    assert client.post(f"{STORE}/{first.pk}/resolve", {"product_id": product.pk}, format="json").status_code == 200
    assert client.post(f"{STORE}/{second.pk}/ignore", {"reason": "Gone"}, format="json").status_code == 200
    bulk = client.post(f"{STORE}/bulk-resolve", {"gtin": GTIN, "product_id": product.pk}, format="json")
    assert (bulk.status_code, bulk.json()["exceptions_resolved"]) == (200, 1)
    third.refresh_from_db()
    assert third.resolved_by == staff_member


def test_unknown_exception_is_404(caller):
    assert caller.client.get(caller.url("/999999")).status_code == 404
    assert caller.client.post(caller.url("/999999/resolve"), {"product_id": 1}, format="json").status_code == 404


def test_list_costs_the_same_queries_for_1_and_60_rows(caller, store, django_assert_max_num_queries):
    product = ProductFactory(store=store)
    first = OrderItemExceptionFactory(store=store)
    caller.client.post(caller.url(f"/{first.pk}/resolve"), {"product_id": product.pk}, format="json")
    with django_assert_max_num_queries(5):
        assert len(caller.client.get(caller.url()).json()["results"]) == 1
    rows = OrderItemExceptionFactory.create_batch(59, store=store)
    for row in rows[:20]:
        caller.client.post(caller.url(f"/{row.pk}/ignore"), {"reason": "x"}, format="json")
    with django_assert_max_num_queries(5):
        assert len(caller.client.get(caller.url(), {"page_size": 100}).json()["results"]) == 60
