"""Orders in the admin: the shipping label link, Settings > Shipping, the items' match."""

import pytest
from django.contrib.messages import get_messages

from exceptions.tests.factories import OrderItemExceptionFactory
from orders.models import ShippingCarrier
from orders.tests.factories import OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db

ORDERS = "/admin/orders/order/"


def test_the_shipping_label_opens_at_the_carrier(admin_client, store):
    order = OrderFactory(store=store, shipping_carrier="greco", shipment_number="H74683403433")
    response = admin_client.get(f"{ORDERS}{order.pk}/shipping-label/")
    assert response.status_code == 302
    assert response["Location"] == "https://dispatchweb.fr/Tracky/Home/H74683403433"
    assert "Shipping label" in admin_client.get(f"{ORDERS}?store={store.pk}").content.decode()


def test_without_a_prefix_the_label_link_says_what_is_missing(admin_client, store):
    order = OrderFactory(store=store, shipping_carrier="colissimo", shipment_number="6A12345678901")
    page = f"http://testserver{ORDERS}{order.pk}/change/"
    response = admin_client.get(f"{ORDERS}{order.pk}/shipping-label/", HTTP_REFERER=page)
    assert response["Location"] == page
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith(f"{order}: no shipping label: No label URL prefix is set for Colissimo")
    assert "No label URL prefix is set for Colissimo" in admin_client.get(page).content.decode()


def test_settings_shipping_edits_the_label_prefixes(admin_client):
    carriers = list(ShippingCarrier.objects.order_by("name"))
    data = {
        "form-TOTAL_FORMS": str(len(carriers)),
        "form-INITIAL_FORMS": str(len(carriers)),
        "_save": "Save",
    }
    for n, carrier in enumerate(carriers):
        data[f"form-{n}-id"] = str(carrier.pk)
        data[f"form-{n}-label_url_prefix"] = carrier.label_url_prefix
    colissimo = next(n for n, carrier in enumerate(carriers) if carrier.code == "colissimo")
    data[f"form-{colissimo}-label_url_prefix"] = "https://labels.example.lu/colissimo/"

    page = admin_client.get("/admin/orders/shippingcarrier/").content.decode()
    assert (
        "<title>Settings &gt; Shipping: carrier label URL prefixes" in page
        and "https://dispatchweb.fr/Tracky/Home/H74683403433" in page
    )
    admin_client.post("/admin/orders/shippingcarrier/", data)

    assert ShippingCarrier.objects.get(code="colissimo").label_url_prefix == "https://labels.example.lu/colissimo/"


def test_an_order_shows_its_items_with_their_match(admin_client, store):
    order = OrderFactory(store=store)
    matched = OrderItemFactory(order=order, product_name="Riesling")
    exception = OrderItemExceptionFactory(store=store, order=order, original_product_name="Mystery jam")

    response = admin_client.get(f"{ORDERS}{order.pk}/change/")

    page = response.content.decode()
    assert matched.product.name in page and "matched" in page
    assert "none (placeholder)" in page
    assert f"/admin/exceptions/orderitemexception/{exception.pk}/resolve/" in page
    assert 'name="_save"' not in page  # status and shipping change through the actions only
