from decimal import Decimal

import pytest

from orders.models import Order, ShippingCarrier
from orders.tests.factories import OrderFactory, OrderItemFactory
from stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def test_list_across_stores_with_filters(admin_api):
    one, two = StoreFactory(), StoreFactory()
    a = OrderFactory(store=one, status="pending", shipping_carrier="greco", customer_email="anna@example.lu")
    b = OrderFactory(store=two, status="confirmed", shipping_carrier="colissimo")
    OrderFactory(store=two, status="shipped", channel="manual")
    assert admin_api.get("/api/v1/admin/orders").json()["count"] == 3
    assert [r["id"] for r in admin_api.get("/api/v1/admin/orders", {"store_id": one.pk}).json()["results"]] == [a.pk]
    assert [r["id"] for r in admin_api.get("/api/v1/admin/orders", {"status": "confirmed"}).json()["results"]] == [b.pk]
    assert [r["id"] for r in admin_api.get("/api/v1/admin/orders", {"carrier": "greco"}).json()["results"]] == [a.pk]
    assert [r["id"] for r in admin_api.get("/api/v1/admin/orders", {"search": "ANNA@"}).json()["results"]] == [a.pk]
    assert admin_api.get("/api/v1/admin/orders", {"channel": "manual"}).json()["count"] == 1


def test_stats_and_stores(admin_api):
    store = StoreFactory(name="Alpha")
    OrderFactory(store=store, status="pending", total_amount=Decimal("10.00"))
    OrderFactory(store=store, status="confirmed", total_amount=Decimal("5.50"))
    StoreFactory(name="Empty")
    stats = admin_api.get("/api/v1/admin/orders/stats").json()
    assert stats["total"] == 2 and stats["total_amount"] == "15.50"
    assert stats["by_status"]["pending"] == 1 and stats["by_status"]["confirmed"] == 1
    assert stats["awaiting_shipment"] == 1
    assert admin_api.get("/api/v1/admin/orders/stats", {"status": "pending"}).json()["total"] == 1
    stores = admin_api.get("/api/v1/admin/orders/stores").json()
    assert stores == [{"id": store.pk, "name": "Alpha", "code": store.code, "order_count": 2}]


def test_detail_has_items(admin_api):
    item = OrderItemFactory()
    body = admin_api.get(f"/api/v1/admin/orders/{item.order_id}").json()
    assert [row["id"] for row in body["items"]] == [item.pk]
    assert body["total_amount"] == "59.90"


@pytest.mark.parametrize(
    "start, target, code",
    [
        ("pending", "confirmed", 200),
        ("confirmed", "shipped", 200),
        ("shipped", "pending", 409),
        ("rejected", "confirmed", 409),
    ],
)
def test_status_changes_only_along_allowed_transitions(admin_api, start, target, code):
    order = OrderFactory(status=start)
    response = admin_api.patch(f"/api/v1/admin/orders/{order.pk}/status", {"status": target}, format="json")
    assert response.status_code == code, response.content
    order.refresh_from_db()
    assert order.status == (target if code == 200 else start)
    if code == 409:
        assert "cannot become" in response.json()["detail"]


def test_unknown_status_is_400(admin_api):
    order = OrderFactory()
    response = admin_api.patch(f"/api/v1/admin/orders/{order.pk}/status", {"status": "lost"}, format="json")
    assert response.status_code == 400 and "status" in response.json()


def test_mark_shipped_locally(admin_api):
    order = OrderFactory(status="confirmed")
    payload = {
        "tracking_number": "1Z999AA10123456784",
        "tracking_url": "https://tracking.example.com/1Z999AA10123456784",
        "shipping_carrier": "ups",
    }
    body = admin_api.post(f"/api/v1/admin/orders/{order.pk}/ship", payload, format="json").json()
    assert body["status"] == "shipped" and body["shipped_at"] and body["tracking_number"] == payload["tracking_number"]
    bad = admin_api.post(f"/api/v1/admin/orders/{order.pk}/ship", {"tracking_url": "not a url"}, format="json")
    assert bad.status_code == 400 and "tracking_url" in bad.json()
    rejected = OrderFactory(status="rejected")
    assert admin_api.post(f"/api/v1/admin/orders/{rejected.pk}/ship", {}, format="json").status_code == 409


def test_shipping_label(admin_api):
    order = OrderFactory(shipping_carrier="greco", shipment_number="H74683403433")
    body = admin_api.get(f"/api/v1/admin/orders/{order.pk}/shipping-label").json()
    assert body == {
        "shipment_number": "H74683403433",
        "shipping_carrier": "greco",
        "label_url": "https://dispatchweb.fr/Tracky/Home/H74683403433",
        "tracking_number": None,
        "tracking_url": None,
        "message": None,
    }


@pytest.mark.parametrize(
    "carrier, number, says",
    [
        ("colissimo", "6A12345678901", "No label URL prefix is set for Colissimo"),
        ("greco", "", "no shipment number"),
        ("swiss-post", "123", "Unknown carrier 'swiss-post'"),
    ],
)
def test_shipping_label_says_what_is_missing(admin_api, carrier, number, says):
    order = OrderFactory(shipping_carrier=carrier, shipment_number=number)
    body = admin_api.get(f"/api/v1/admin/orders/{order.pk}/shipping-label").json()
    assert body["label_url"] is None and says in body["message"]


def test_label_prefix_edited_by_admins_is_used(admin_api):
    ShippingCarrier.objects.filter(code="colissimo").update(label_url_prefix="https://labels.example.com/")
    order = OrderFactory(shipping_carrier="colissimo", shipment_number="6A12345678901")
    body = admin_api.get(f"/api/v1/admin/orders/{order.pk}/shipping-label").json()
    assert body["label_url"] == "https://labels.example.com/6A12345678901"


def test_order_list_costs_constant_queries(admin_api, django_assert_max_num_queries):
    OrderFactory()
    with django_assert_max_num_queries(3):
        admin_api.get("/api/v1/admin/orders")
    OrderFactory.create_batch(100)
    with django_assert_max_num_queries(3):
        assert len(admin_api.get("/api/v1/admin/orders", {"page_size": 200}).json()["results"]) == 101
    assert Order.objects.count() == 101
