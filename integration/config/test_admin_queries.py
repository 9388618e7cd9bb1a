"""Every admin list costs a constant number of SQL queries, whatever the number of rows on the
page: measured with 1 row, then with 200 rows on one page, and bounded."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exceptions.models import OrderItemException
from exceptions.tests.factories import OrderItemExceptionFactory
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopStore, LetzshopSyncLog
from letzshop.tests.factories import CredentialsFactory, LetzshopOrderFactory, QueueItemFactory, SyncLogFactory
from orders.models import Order
from orders.tests.factories import OrderItemFactory
from stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12
ROWS = 200


def add_orders(store, count: int) -> None:
    """Orders as an import leaves them: a Letzshop order, its local order with an item, every
    other one with an exception, a failed queue row and a sync log row each."""
    for n in range(count):
        letzshop_order = LetzshopOrderFactory(store=store)
        OrderItemFactory(order=letzshop_order.local_order)
        if n % 2 == 0:
            OrderItemExceptionFactory(store=store, order=letzshop_order.local_order)
        QueueItemFactory(store=store, letzshop_order=letzshop_order, status=LetzshopFulfillmentQueue.Status.FAILED)
        SyncLogFactory(store=store)


def add_stores(count: int) -> None:
    """Configured stores, each with a pending order, an exception and a failed queue row."""
    for _ in range(count):
        add_orders(CredentialsFactory(auto_sync_enabled=True, last_sync_status="success").store, 1)


LISTS = {
    "letzshop orders": (LetzshopOrder, "/admin/letzshop/letzshoporder/"),
    "letzshop orders, filtered": (
        LetzshopOrder,
        "/admin/letzshop/letzshoporder/?store={store}&exceptions=unresolved&carrier=none&letzshop_state__exact=unconfirmed",
    ),
    "letzshop orders, searched": (LetzshopOrder, "/admin/letzshop/letzshoporder/?q=example.lu"),
    "orders": (Order, "/admin/orders/order/"),
    "orders, filtered": (Order, "/admin/orders/order/?store={store}&status__exact=pending&exceptions=unresolved"),
    "exceptions": (OrderItemException, "/admin/exceptions/orderitemexception/?status=all"),
    "exceptions of a store": (OrderItemException, "/admin/exceptions/orderitemexception/?store={store}"),
    "queue": (LetzshopFulfillmentQueue, "/admin/letzshop/letzshopfulfillmentqueue/"),
    "queue, failed rows of a store": (
        LetzshopFulfillmentQueue,
        "/admin/letzshop/letzshopfulfillmentqueue/?store={store}&status__exact=failed",
    ),
    "sync log": (LetzshopSyncLog, "/admin/letzshop/letzshopsynclog/?store={store}"),
}


def queries_of(client, url: str) -> tuple[int, int]:
    """(SQL queries, rows shown) of one page."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    changelist = response.context.get("cl")
    return len(captured), len(changelist.result_list) if changelist else 0


@pytest.fixture
def everything_on_one_page(monkeypatch):
    for model in (*{model for model, _ in LISTS.values()}, LetzshopStore):
        monkeypatch.setattr(admin.site._registry[model], "list_per_page", 250)


def test_the_lists_cost_the_same_queries_with_1_and_200_rows(client, admin_user, everything_on_one_page):
    client.force_login(admin_user)
    store = StoreFactory()
    urls = {name: url.format(store=store.pk) for name, (_model, url) in LISTS.items()}
    add_orders(store, 1)
    with_one = {name: queries_of(client, url) for name, url in urls.items()}
    assert {name: shown for name, (_queries, shown) in with_one.items()} == dict.fromkeys(urls, 1)
    add_orders(store, ROWS - 1)
    with_many = {name: queries_of(client, url) for name, url in urls.items()}

    # Half the orders have an exception: lists of exceptions, or of orders with or without one, show half.
    assert {name: shown >= ROWS // 2 - 1 for name, (_queries, shown) in with_many.items()} == dict.fromkeys(urls, True)
    assert {name: queries for name, (queries, _shown) in with_many.items()} == {
        name: queries for name, (queries, _shown) in with_one.items()
    }
    assert max(queries for queries, _shown in with_many.values()) <= MAX_QUERIES


def test_the_dashboard_costs_the_same_queries_with_1_and_200_stores(client, admin_user, everything_on_one_page):
    client.force_login(admin_user)
    add_stores(1)
    one, _ = queries_of(client, "/admin/letzshop/letzshopstore/")
    add_stores(ROWS - 1)
    many, shown = queries_of(client, "/admin/letzshop/letzshopstore/")
    assert shown == ROWS
    assert many == one <= MAX_QUERIES


def test_an_order_page_costs_the_same_queries_with_1_and_20_items(client, admin_user):
    client.force_login(admin_user)
    small, big = LetzshopOrderFactory(), LetzshopOrderFactory()
    OrderItemFactory(order=small.local_order)
    for _ in range(20):
        item = OrderItemFactory(order=big.local_order)
        OrderItemExceptionFactory(store=big.store, order=big.local_order, order_item=item)
    for url in ("/admin/letzshop/letzshoporder/{}/change/", "/admin/orders/order/{}/change/"):
        client.get(url.format(small.pk if "letzshop" in url else small.local_order_id))  # caches warmed
        one, _ = queries_of(client, url.format(small.pk if "letzshop" in url else small.local_order_id))
        many, _ = queries_of(client, url.format(big.pk if "letzshop" in url else big.local_order_id))
        assert many == one, url
