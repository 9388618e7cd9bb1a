"""The Exceptions tab: counts, Resolve through a product search within the order's store, the
"apply to all with this GTIN" box, and Ignore with a reason."""

import pytest
from django.contrib.messages import get_messages

from exceptions.models import OrderItemException
from exceptions.tests.factories import OrderItemExceptionFactory
from stores.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

EXCEPTIONS = "/admin/exceptions/orderitemexception/"
GTIN = "4006381333931"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_tab_opens_on_pending_with_the_counts(admin_client, store, other_store):
    pending = OrderItemExceptionFactory.create_batch(2, store=store)
    OrderItemExceptionFactory(store=store, order=pending[0].order, status="ignored", ignore_reason="Gift")
    OrderItemExceptionFactory(store=store, status="resolved")
    OrderItemExceptionFactory(store=other_store)

    response = admin_client.get(EXCEPTIONS)
    assert {row.pk for row in response.context["cl"].result_list} == {e.pk for e in pending} | {
        OrderItemException.objects.get(store=other_store).pk
    }
    assert response.context["exception_stats"] == {
        "pending": 3,
        "resolved": 1,
        "ignored": 1,
        "total": 5,
        "orders_with_exceptions": 3,
    }

    mine = admin_client.get(f"{EXCEPTIONS}?store={store.pk}&status=all")
    assert len(mine.context["cl"].result_list) == 4
    assert mine.context["exception_stats"]["pending"] == 2
    assert mine.context["exception_stats"]["orders_with_exceptions"] == 2
    page = mine.content.decode()
    assert "Orders affected" in page and f"?store={store.pk}&amp;exceptions=unresolved" in page
    blocking = admin_client.get(f"{EXCEPTIONS}?order={pending[0].order_id}&status=blocking")
    assert len(blocking.context["cl"].result_list) == 2


def test_the_product_search_stays_within_the_orders_store(admin_client, store, other_store):
    exception = OrderItemExceptionFactory(store=store)
    honey = ProductFactory(store=store, name="Organic Honey 500g", sku="HON-1", gtin=GTIN)
    ProductFactory(store=other_store, name="Organic Honey 1kg")

    found = admin_client.get(f"{EXCEPTIONS}{exception.pk}/products/?q=honey").json()["results"]
    assert [product["id"] for product in found] == [honey.pk]
    by_sku = admin_client.get(f"{EXCEPTIONS}{exception.pk}/products/?q=HON-1").json()["results"]
    by_gtin = admin_client.get(f"{EXCEPTIONS}{exception.pk}/products/?q=0{GTIN}").json()["results"]
    assert [p["id"] for p in by_sku] == [p["id"] for p in by_gtin] == [honey.pk]
    assert admin_client.get(f"{EXCEPTIONS}{exception.pk}/products/?q=").json()["results"] == []

    # Without the script, the same search renders on the page.
    page = admin_client.get(f"{EXCEPTIONS}{exception.pk}/resolve/?q=honey")
    assert [product.pk for product in page.context["products"]] == [honey.pk]
    assert "Organic Honey 1kg" not in page.content.decode()


def test_resolve_with_apply_to_all_resolves_every_pending_exception_with_the_gtin(admin_client, store):
    exception, same, *_ = OrderItemExceptionFactory.create_batch(3, store=store, original_gtin=GTIN)
    other_gtin = OrderItemExceptionFactory(store=store)
    OrderItemException.objects.filter(original_gtin=GTIN).update(gtin_normalized="0" + GTIN)
    product = ProductFactory(store=store)

    page = admin_client.get(f"{EXCEPTIONS}{exception.pk}/resolve/")
    assert page.context["same_gtin_pending"] == 2

    response = admin_client.post(
        f"{EXCEPTIONS}{exception.pk}/resolve/",
        {"product_id": product.pk, "apply_to_all_with_gtin": "on", "notes": "Same bottle"},
    )

    assert response.status_code == 302
    assert messages_of(response) == [f"Resolved 3 exceptions with {product.name}."]
    resolved = OrderItemException.objects.filter(status="resolved")
    assert set(resolved.values_list("pk", flat=True)) == set(
        OrderItemException.objects.filter(original_gtin=GTIN).values_list("pk", flat=True)
    )
    same.refresh_from_db()
    assert (same.resolved_product_id, same.order_item.product_id, same.order_item.needs_product_match) == (
        product.pk,
        product.pk,
        False,
    )
    other_gtin.refresh_from_db()
    assert other_gtin.status == "pending"


def test_resolve_goes_back_to_the_list_it_came_from(admin_client, store):
    exception = OrderItemExceptionFactory(store=store)
    product = ProductFactory(store=store)
    listing = f"http://testserver{EXCEPTIONS}?store={store.pk}&status=pending"
    page = admin_client.get(f"{EXCEPTIONS}{exception.pk}/resolve/", HTTP_REFERER=listing)
    assert page.context["return_to"] == listing
    response = admin_client.post(
        f"{EXCEPTIONS}{exception.pk}/resolve/", {"product_id": product.pk, "_return_to": listing}
    )
    assert response["Location"] == listing


def test_a_product_of_another_store_is_refused(admin_client, store, other_store):
    exception = OrderItemExceptionFactory(store=store)
    foreign = ProductFactory(store=other_store)

    response = admin_client.post(f"{EXCEPTIONS}{exception.pk}/resolve/", {"product_id": foreign.pk})

    assert response.status_code == 200
    assert "is not in this store's catalog" in " ".join(response.context["form"].errors["product_id"])
    exception.refresh_from_db()
    assert exception.status == "pending"
    assert admin_client.post(f"{EXCEPTIONS}{exception.pk}/resolve/", {}).context["form"].errors["product_id"]


def test_ignore_asks_for_a_reason(admin_client, store):
    exception = OrderItemExceptionFactory(store=store)
    url = f"{EXCEPTIONS}{exception.pk}/ignore/"

    assert admin_client.post(url, {"reason": ""}).context["form"].errors["reason"]
    response = admin_client.post(url, {"reason": "Free gift, never in the catalog"})

    assert response.status_code == 302
    assert "still blocks the order's confirmation" in messages_of(response)[0]
    exception.refresh_from_db()
    assert (exception.status, exception.ignore_reason) == ("ignored", "Free gift, never in the catalog")


def test_ignore_several_at_once_with_one_reason(admin_client, store):
    first, second = OrderItemExceptionFactory.create_batch(2, store=store)
    resolved = OrderItemExceptionFactory(store=store, status="resolved")
    ids = [str(first.pk), str(second.pk), str(resolved.pk)]

    page = admin_client.post(
        f"{EXCEPTIONS}?status=all", {"action": "ignore_selected", "_selected_action": ids, "index": "0"}
    )
    assert page.status_code == 200 and "Reason" in page.content.decode()
    response = admin_client.post(
        f"{EXCEPTIONS}?status=all",
        {"action": "ignore_selected", "_selected_action": ids, "apply": "1", "reason": "Samples"},
    )

    text = messages_of(response)
    assert any("ignored (still blocks the order's confirmation)" in message for message in text)
    assert any("already resolved" in message for message in text)
    assert set(OrderItemException.objects.filter(status="ignored").values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_a_resolved_exception_can_be_given_another_product(admin_client, store):
    exception = OrderItemExceptionFactory(store=store)
    first, better = ProductFactory.create_batch(2, store=store)
    admin_client.post(f"{EXCEPTIONS}{exception.pk}/resolve/", {"product_id": first.pk})
    listing = admin_client.get(f"{EXCEPTIONS}?status=resolved").content.decode()
    assert "Change product" in listing and first.name in listing

    admin_client.post(f"{EXCEPTIONS}{exception.pk}/resolve/", {"product_id": better.pk})
    exception.refresh_from_db()
    assert exception.resolved_product_id == better.pk


@pytest.mark.parametrize("store", ["99999999999999999999999", "-1", "１２", "abc"])
def test_a_store_filter_that_is_no_id_filters_nothing_and_never_fails(admin_client, store):
    from exceptions.tests.factories import OrderItemExceptionFactory
    from letzshop.tests.factories import LetzshopOrderFactory

    order = LetzshopOrderFactory()
    OrderItemExceptionFactory(store=order.store, order=order.local_order)
    for url in (
        "/admin/exceptions/orderitemexception/?status=all",
        "/admin/orders/order/",
        "/admin/letzshop/letzshoporder/",
    ):
        response = admin_client.get(url, {"store": store})
        assert response.status_code == 200, (url, response.status_code)
        assert len(response.context["cl"].result_list) == 0, url


def test_a_pending_exception_has_one_colour_on_every_admin_page(admin_client):
    from exceptions.tests.factories import OrderItemExceptionFactory
    from letzshop.tests.factories import LetzshopOrderFactory

    order = LetzshopOrderFactory()
    OrderItemExceptionFactory(store=order.store, order=order.local_order)
    pages = [
        "/admin/exceptions/orderitemexception/",
        f"/admin/orders/order/{order.local_order_id}/change/",
        f"/admin/letzshop/letzshoporder/{order.pk}/change/",
    ]
    for url in pages:
        html = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'ls-badge--warn">Pending' in html, url
        assert 'ls-badge--error">Pending' not in html, url
