"""Marketplace > Letzshop in the admin: the dashboard, credentials, store actions, orders,
the queue and the sync log, driven through the admin's pages as a browser would post them."""

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from exceptions.tests.factories import OrderItemExceptionFactory
from letzshop.crypto import decrypt_value
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials
from letzshop.services.credentials import credentials_api_key, credentials_save
from letzshop.tests.factories import CredentialsFactory, LetzshopOrderFactory, QueueItemFactory, SyncLogFactory
from orders.models import Order
from orders.tests.factories import OrderFactory
from sandbox import DEFAULT_API_KEY
from stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/letzshop/letzshopstore/"
ORDERS = "/admin/letzshop/letzshoporder/"
LOCAL_ORDERS = "/admin/orders/order/"
QUEUE = "/admin/letzshop/letzshopfulfillmentqueue/"
LOG = "/admin/letzshop/letzshopsynclog/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def act(client, url: str, action: str, ids, **data):
    """Choose ``action`` for the rows ``ids`` on a change list (the first click)."""
    return client.post(url, {"action": action, "_selected_action": [str(i) for i in ids], "index": "0", **data})


def apply(client, url: str, action: str, ids, **data):
    """Submit an action's own page (the reason, the tracking numbers...)."""
    return client.post(url, {"action": action, "_selected_action": [str(i) for i in ids], "apply": "1", **data})


def blocked_order(store):
    order = LetzshopOrderFactory(store=store)
    OrderItemExceptionFactory.create_batch(2, store=store, order=order.local_order)
    return order


# --- the dashboard ----------------------------------------------------------------------------


def test_the_dashboard_shows_every_stores_integration_at_a_glance(admin_client):
    configured = CredentialsFactory(
        auto_sync_enabled=True,
        sync_interval_minutes=30,
        last_sync_at=timezone.now(),
        last_sync_status="failed",
        last_sync_error="Boom",
    ).store
    first, *_ = LetzshopOrderFactory.create_batch(3, store=configured)
    LetzshopOrderFactory(store=configured, letzshop_state="confirmed")
    OrderItemExceptionFactory(store=configured)
    QueueItemFactory(store=configured, letzshop_order=first, status="failed")
    bare = StoreFactory(name="Unconfigured shop")

    response = admin_client.get(DASHBOARD)
    rows = {row.pk: row for row in response.context["cl"].result_list}

    assert rows[bare.pk].is_configured is False
    shown = rows[configured.pk]
    assert (shown.is_configured, shown.pending_orders, shown.pending_exceptions, shown.failed_queue_items) == (
        True,
        3,
        1,
        1,
    )
    page = response.content.decode()
    assert "every 30 min" in page and "Failed" in page and "An operator can read the details. Boom" in page
    # Each count links to the rows it counts, filtered to the store.
    assert f"?store={configured.pk}&amp;letzshop_state__exact=unconfirmed" in page
    assert f"?store={configured.pk}&amp;status=pending" in page
    assert f"?store={configured.pk}&amp;status__exact=failed" in page
    assert f"/admin/letzshop/letzshopstore/{configured.pk}/change/" in page


def test_the_dashboard_filters_by_configuration_and_auto_sync(admin_client):
    on = CredentialsFactory(auto_sync_enabled=True).store
    off = CredentialsFactory(auto_sync_enabled=False).store
    bare = StoreFactory()

    def shown(query):
        return {row.pk for row in admin_client.get(f"{DASHBOARD}?{query}").context["cl"].result_list}

    assert shown("configured=no") == {bare.pk}
    assert shown("autosync=on") == {on.pk}
    assert shown("autosync=off") == {off.pk, bare.pk}


def test_a_store_page_shows_status_masked_key_recent_log_and_failed_rows(admin_client, store):
    credentials_save(store=store, api_key="letzshop-secret-key-1234")
    SyncLogFactory(store=store, details={"message": "Import completed: 4 imported, 0 updated"})
    failed = QueueItemFactory(store=store, status="failed", error_message="HTTP 500: Internal Server Error")

    page = admin_client.get(f"{DASHBOARD}{store.pk}/change/").content.decode()

    assert "letz****" in page and "letzshop-secret-key-1234" not in page
    assert "Import completed: 4 imported" in page
    assert "HTTP 500: Internal Server Error" in page
    assert f"/admin/letzshop/letzshopfulfillmentqueue/{failed.pk}/retry/" in page


# --- credentials ------------------------------------------------------------------------------


def test_the_first_credentials_need_a_key(admin_client, store):
    response = admin_client.post(f"{DASHBOARD}{store.pk}/credentials/", {"api_endpoint": "https://letzshop.lu/graphql"})
    assert response.status_code == 200
    assert "api_key" in response.context["form"].errors
    assert not StoreLetzshopCredentials.objects.filter(store=store).exists()


def test_save_and_test_saves_the_key_encrypted_and_reports_the_connection(admin_client, store, letzshop_sandbox):
    url = f"{DASHBOARD}{store.pk}/credentials/"
    response = admin_client.post(
        url,
        {
            "api_key": DEFAULT_API_KEY,
            "api_endpoint": letzshop_sandbox.url,
            "sync_interval_minutes": "20",
            "auto_sync_enabled": "on",
            "_save_test": "Save & Test",
        },
    )

    assert response.status_code == 302 and response["Location"] == f"{DASHBOARD}{store.pk}/change/"
    assert any("connection successful" in message for message in messages_of(response))
    credentials = StoreLetzshopCredentials.objects.get(store=store)
    assert decrypt_value(credentials.api_key_encrypted) == DEFAULT_API_KEY
    assert DEFAULT_API_KEY not in credentials.api_key_encrypted
    assert (credentials.auto_sync_enabled, credentials.sync_interval_minutes) == (True, 20)
    assert PeriodicTask.objects.get(name=f"letzshop-import-store-{store.pk}").enabled
    # The form never renders the key back; it shows the masked one.
    form_page = admin_client.get(url).content.decode()
    assert DEFAULT_API_KEY not in form_page and "letz****" in form_page


def test_a_blank_key_keeps_the_stored_one(admin_client, store):
    credentials_save(store=store, api_key="letzshop-first-key-1234")
    admin_client.post(
        f"{DASHBOARD}{store.pk}/credentials/",
        {"api_key": "", "api_endpoint": "https://letzshop.lu/graphql", "sync_interval_minutes": "60", "_save": "Save"},
    )
    credentials = StoreLetzshopCredentials.objects.get(store=store)
    assert decrypt_value(credentials.api_key_encrypted) == "letzshop-first-key-1234"
    assert credentials.sync_interval_minutes == 60


def test_the_services_rules_show_on_their_field(admin_client, store):
    response = admin_client.post(
        f"{DASHBOARD}{store.pk}/credentials/",
        {"api_key": "some-key-123456", "api_endpoint": "https://evil.example.com/graphql", "sync_interval_minutes": 15},
    )
    assert response.status_code == 200
    assert "is not allowed" in " ".join(response.context["form"].errors["api_endpoint"])
    assert not StoreLetzshopCredentials.objects.filter(store=store).exists()


def test_save_and_test_with_a_refused_key_saves_nothing_and_says_why(admin_client, store, letzshop_sandbox):
    response = admin_client.post(
        f"{DASHBOARD}{store.pk}/credentials/",
        {
            "api_key": "not-the-right-key-123",
            "api_endpoint": letzshop_sandbox.url,
            "sync_interval_minutes": 15,
            "_save_test": "1",
        },
    )
    assert response.status_code == 200
    error = " ".join(response.context["form"].errors["api_key"])
    assert "Letzshop refused the API key" in error and "Nothing was saved" in error
    assert "not-the-right-key-123" not in response.content.decode()
    assert 'name="_save_anyway"' in response.content.decode()
    assert not StoreLetzshopCredentials.objects.filter(store=store).exists()


def test_save_and_test_keeps_the_working_key_when_the_new_one_is_refused(admin_client, store, letzshop_sandbox):

    credentials_save(store=store, api_key=DEFAULT_API_KEY, api_endpoint=letzshop_sandbox.url)
    form = {"api_key": "a-wrong-key-typed-over-it", "api_endpoint": letzshop_sandbox.url, "sync_interval_minutes": 15}

    admin_client.post(f"{DASHBOARD}{store.pk}/credentials/", {**form, "_save_test": "1"})
    credentials = StoreLetzshopCredentials.objects.get(store=store)
    assert credentials_api_key(credentials=credentials) == DEFAULT_API_KEY

    # The admin may still save it on purpose.
    response = admin_client.post(f"{DASHBOARD}{store.pk}/credentials/", {**form, "_save_anyway": "1"})
    assert response.status_code == 302
    credentials.refresh_from_db()
    assert credentials_api_key(credentials=credentials) == "a-wrong-key-typed-over-it"


def test_save_and_test_with_a_working_key_saves_and_reports_the_test(admin_client, store, letzshop_sandbox):

    response = admin_client.post(
        f"{DASHBOARD}{store.pk}/credentials/",
        {
            "api_key": DEFAULT_API_KEY,
            "api_endpoint": letzshop_sandbox.url,
            "sync_interval_minutes": 15,
            "_save_test": "1",
        },
    )
    assert response.status_code == 302
    assert credentials_api_key(credentials=StoreLetzshopCredentials.objects.get(store=store)) == DEFAULT_API_KEY


def test_removing_credentials_asks_first(admin_client, store):
    credentials_save(store=store, api_key="letzshop-first-key-1234")
    url = f"{DASHBOARD}{store.pk}/credentials/remove/"
    assert admin_client.get(url).status_code == 200
    assert StoreLetzshopCredentials.objects.filter(store=store).exists()
    admin_client.post(url)
    assert not StoreLetzshopCredentials.objects.filter(store=store).exists()


# --- store actions ----------------------------------------------------------------------------


def test_import_now_starts_the_import_and_returns_at_once(admin_client, sandbox_store, other_store):
    """No worker here: the request only starts the run, whose row stays running, then the
    progress page follows it."""
    response = act(admin_client, DASHBOARD, "import_now", [sandbox_store.pk, other_store.pk])
    assert LetzshopOrder.objects.filter(store=sandbox_store).count() == 0  # nothing imported in the request
    log = LetzshopSyncLog.objects.get(store=sandbox_store, operation_type="order_import")
    assert log.status == "running"
    assert response.status_code == 302 and f"runs={log.pk}" in response["Location"]
    page = admin_client.get(response["Location"])
    text = [str(message) for message in page.context["messages"]]
    assert any(f"{sandbox_store}: import started" in message for message in text)
    assert any(f"{other_store}: no Letzshop credentials yet" in message for message in text)
    assert "waiting for a worker" in page.content.decode()
    status = admin_client.get(page.context["status_url"]).json()
    assert status["done"] is False and status["runs"][0]["status"] == "running"


def test_import_now_progress_page_shows_the_result(admin_client, sandbox_store, imports_inline):
    response = act(admin_client, DASHBOARD, "import_now", [sandbox_store.pk])
    imported = LetzshopOrder.objects.filter(store=sandbox_store).count()
    assert imported > 0
    page = admin_client.get(response["Location"])
    assert f"Import completed: {imported} imported" in page.content.decode()
    status = admin_client.get(page.context["status_url"]).json()
    assert status["done"] is True and status["runs"][0]["status"] == "success"


def test_import_now_from_a_store_page_leads_back_to_it(admin_client, sandbox_store):
    page = f"{DASHBOARD}{sandbox_store.pk}/change/"
    response = act(admin_client, DASHBOARD, "import_now", [sandbox_store.pk], _return_to=page)
    progress = admin_client.get(response["Location"])
    assert progress.context["back"] == page


def test_test_connection_and_auto_sync_actions(admin_client, sandbox_store, letzshop_sandbox):
    response = act(admin_client, DASHBOARD, "test_connection", [sandbox_store.pk])
    assert any("connection successful" in message for message in messages_of(response))

    act(admin_client, DASHBOARD, "enable_autosync", [sandbox_store.pk])
    assert PeriodicTask.objects.get(name=f"letzshop-import-store-{sandbox_store.pk}").enabled
    act(admin_client, DASHBOARD, "disable_autosync", [sandbox_store.pk])
    assert not PeriodicTask.objects.get(name=f"letzshop-import-store-{sandbox_store.pk}").enabled

    letzshop_sandbox.state.update_faults({"fail_next": [503]})
    response = act(admin_client, DASHBOARD, "test_connection", [sandbox_store.pk])
    assert any("connection failed: Letzshop is unreachable" in message for message in messages_of(response))


# --- orders -----------------------------------------------------------------------------------


def test_confirm_queues_and_reports_each_order(admin_client, store):
    ready = LetzshopOrderFactory(store=store)
    blocked = blocked_order(store)
    done = LetzshopOrderFactory(store=store, inventory_units=[{"id": "u1", "state": "confirmed_available"}])

    response = act(admin_client, ORDERS, "confirm_orders", [ready.pk, blocked.pk, done.pk])

    text = messages_of(response)
    assert f"{ready}: confirmation queued for Letzshop" in text
    assert f"{blocked}: blocked by 2 unresolved product exceptions" in text
    assert any(message.startswith(f"{done}: Every inventory unit") for message in text)
    rows = LetzshopFulfillmentQueue.objects.all()
    assert [(row.letzshop_order_id, row.operation) for row in rows] == [(ready.pk, "confirm")]

    again = act(admin_client, ORDERS, "confirm_orders", [ready.pk])
    assert f"{ready}: confirmation already queued" in messages_of(again)
    assert LetzshopFulfillmentQueue.objects.count() == 1


def test_orders_with_the_same_outcome_share_one_message(admin_client, store):
    orders = LetzshopOrderFactory.create_batch(3, store=store)
    response = act(admin_client, ORDERS, "confirm_orders", [order.pk for order in orders])
    [message] = messages_of(response)
    subjects, outcome = message.split(": ")
    assert (set(subjects.split(", ")), outcome) == (
        {str(order) for order in orders},
        "confirmation queued for Letzshop",
    )


def test_decline_asks_for_a_reason_then_queues(admin_client, store):
    order = LetzshopOrderFactory(store=store)

    page = act(admin_client, ORDERS, "decline_orders", [order.pk])
    assert page.status_code == 200 and "Reason" in page.content.decode()
    missing = apply(admin_client, ORDERS, "decline_orders", [order.pk], reason="")
    assert missing.status_code == 200 and missing.context["form"].errors
    assert not LetzshopFulfillmentQueue.objects.exists()

    response = apply(admin_client, ORDERS, "decline_orders", [order.pk], reason="Out of stock")
    assert f"{order}: decline queued for Letzshop" in messages_of(response)
    row = LetzshopFulfillmentQueue.objects.get()
    assert (row.operation, row.payload["reason"]) == ("reject", "Out of stock")
    order.refresh_from_db()
    assert order.decline_reason == "Out of stock"


def test_set_tracking_asks_each_orders_number_and_carrier(admin_client, store):
    first, second = LetzshopOrderFactory.create_batch(
        2, store=store, inventory_units=[{"id": "unit", "state": "confirmed_available"}]
    )
    page = act(admin_client, ORDERS, "set_tracking", [first.pk, second.pk])
    assert len(page.context["rows"]) == 2

    data = {
        "tracking-TOTAL_FORMS": "2",
        "tracking-INITIAL_FORMS": "2",
        "tracking-0-order_id": str(first.pk),
        "tracking-0-tracking_number": "1Z999",
        "tracking-0-tracking_carrier": "ups",
        "tracking-1-order_id": str(second.pk),
        "tracking-1-tracking_number": "",
        "tracking-1-tracking_carrier": "dhl",
    }
    incomplete = apply(admin_client, ORDERS, "set_tracking", [first.pk, second.pk], **data)
    assert incomplete.status_code == 200  # the second number is missing: nothing is sent
    assert not LetzshopFulfillmentQueue.objects.exists()

    data["tracking-1-tracking_number"] = "JJD000"
    response = apply(admin_client, ORDERS, "set_tracking", [first.pk, second.pk], **data)
    [message] = messages_of(response)
    assert (
        message.endswith(": tracking kept and queued for Letzshop") and str(first) in message and str(second) in message
    )
    first.refresh_from_db()
    assert (first.tracking_number, first.tracking_carrier) == ("1Z999", "ups")
    assert LetzshopFulfillmentQueue.objects.filter(operation="set_tracking").count() == 2


def test_set_tracking_before_confirming_is_refused_with_the_reason(admin_client, store):
    order = LetzshopOrderFactory(store=store)
    data = {
        "tracking-TOTAL_FORMS": "1",
        "tracking-INITIAL_FORMS": "1",
        "tracking-0-order_id": str(order.pk),
        "tracking-0-tracking_number": "1Z999",
        "tracking-0-tracking_carrier": "ups",
    }
    response = apply(admin_client, ORDERS, "set_tracking", [order.pk], **data)
    assert messages_of(response) == [f"{order}: Confirm at least one inventory unit before setting tracking."]


def test_mark_shipped_is_local_and_refused_for_a_rejected_order(admin_client, store):
    order = LetzshopOrderFactory(store=store)
    rejected = LetzshopOrderFactory(store=store, local_order__status=Order.Status.DECLINED)

    def rows(*orders):
        data = {"ship-TOTAL_FORMS": str(len(orders)), "ship-INITIAL_FORMS": str(len(orders))}
        for n, letzshop_order in enumerate(orders):
            data |= {
                f"ship-{n}-order_id": str(letzshop_order.local_order_id),
                f"ship-{n}-tracking_number": "TRK-1",
                f"ship-{n}-tracking_url": "https://track.example.lu/TRK-1",
                f"ship-{n}-shipping_carrier": "greco",
            }
        return data

    response = apply(admin_client, ORDERS, "mark_shipped", [order.pk, rejected.pk], **rows(order, rejected))

    text = messages_of(response)
    assert f"{order}: marked shipped (locally; nothing sent to Letzshop)" in text
    assert f"{rejected}: A rejected order cannot be marked as shipped." in text
    local = Order.objects.get(pk=order.local_order_id)
    assert (local.status, local.tracking_number, local.tracking_url) == (
        "shipped",
        "TRK-1",
        "https://track.example.lu/TRK-1",
    )
    assert local.shipped_at is not None
    assert not LetzshopFulfillmentQueue.objects.exists()


def test_the_local_order_list_has_the_same_actions(admin_client, store):
    letzshop_order = LetzshopOrderFactory(store=store)
    manual = OrderFactory(store=store, channel=Order.Channel.MANUAL, external_shipment_id="")

    response = act(admin_client, LOCAL_ORDERS, "confirm_orders", [letzshop_order.local_order_id, manual.pk])

    text = messages_of(response)
    assert f"{letzshop_order}: confirmation queued for Letzshop" in text
    assert f"{manual}: not a Letzshop order: there is nothing to send to Letzshop" in text


def test_an_action_takes_at_most_200_orders(admin_client, store, monkeypatch):
    monkeypatch.setattr("config.admin_helpers.actions.MAX_ACTION_OBJECTS", 2)
    orders = LetzshopOrderFactory.create_batch(3, store=store)
    response = admin_client.post(
        ORDERS, {"action": "confirm_orders", "_selected_action": [str(orders[0].pk)], "select_across": "1", "index": 0}
    )
    assert any("at most 2 objects" in message for message in messages_of(response))
    assert not LetzshopFulfillmentQueue.objects.exists()


def test_an_order_page_shows_items_units_queue_and_the_buttons_that_apply(admin_client, store):
    order = blocked_order(store)
    QueueItemFactory(store=store, letzshop_order=order, status="failed", error_message="HTTP 502")

    page = admin_client.get(f"{ORDERS}{order.pk}/change/").content.decode()

    assert "Inventory units on Letzshop" in page and order.inventory_units[0]["id"] in page
    assert "HTTP 502" in page
    assert page.count("/resolve/") == 2  # each unmatched item links to its exception
    for action in ("confirm_orders", "decline_orders", "set_tracking", "mark_shipped"):
        assert f'value="{action}"' in page
    confirmed = LetzshopOrderFactory(store=store, inventory_units=[{"id": "u", "state": "confirmed_available"}])
    page = admin_client.get(f"{ORDERS}{confirmed.pk}/change/").content.decode()
    assert 'value="confirm_orders"' not in page and 'value="set_tracking"' in page


def test_the_order_lists_filter_by_state_exceptions_and_carrier(admin_client, store, other_store):
    plain = LetzshopOrderFactory(store=store, local_order__shipping_carrier="greco")
    blocked = blocked_order(store)
    elsewhere = LetzshopOrderFactory(store=other_store, letzshop_state="confirmed")

    def shown(url):
        return {row.pk for row in admin_client.get(url).context["cl"].result_list}

    assert shown(f"{ORDERS}?store={store.pk}") == {plain.pk, blocked.pk}
    assert shown(f"{ORDERS}?exceptions=unresolved") == {blocked.pk}
    assert shown(f"{ORDERS}?exceptions=none") == {plain.pk, elsewhere.pk}
    assert shown(f"{ORDERS}?carrier=greco") == {plain.pk}
    assert shown(f"{ORDERS}?carrier=none") == {blocked.pk, elsewhere.pk}
    assert shown(f"{ORDERS}?letzshop_state__exact=confirmed") == {elsewhere.pk}
    assert shown(f"{ORDERS}?q={plain.letzshop_order_number}") == {plain.pk}
    assert shown(f"{LOCAL_ORDERS}?exceptions=unresolved") == {blocked.local_order_id}
    assert shown(f"{LOCAL_ORDERS}?store={other_store.pk}") == {elsewhere.local_order_id}


# --- queue and log ----------------------------------------------------------------------------


def test_retry_sends_failed_rows_again_and_says_why_others_are_not(admin_client, store):
    failed = QueueItemFactory(store=store, status="failed", attempts=3, error_message="HTTP 500")
    done = QueueItemFactory(store=store, status="completed")

    response = act(admin_client, QUEUE, "retry_items", [failed.pk, done.pk])

    text = messages_of(response)
    assert any(message.endswith("queued again with fresh attempts") and f"#{failed.pk}" in message for message in text)
    assert any("Only a failed operation can be retried" in message for message in text)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)


def test_the_retry_button_of_a_row_posts_and_goes_back(admin_client, store):
    failed = QueueItemFactory(store=store, status="failed")
    url = f"{QUEUE}{failed.pk}/retry/"
    assert admin_client.get(url).status_code == 405
    response = admin_client.post(url, HTTP_REFERER=f"http://testserver{QUEUE}?status__exact=failed")
    assert response["Location"] == f"http://testserver{QUEUE}?status__exact=failed"
    failed.refresh_from_db()
    assert failed.status == "pending"


def test_a_queue_row_shows_payload_error_and_response_readably(admin_client, store):
    item = QueueItemFactory(
        store=store,
        status="failed",
        error_message="unit-1: Unit is not in a state that can be confirmed",
        response_data={"units": {"unit-1": "confirmed_unavailable"}},
    )
    SyncLogFactory(store=store, queue_item=item, status="failed", error_details={"message": "HTTP 500"})

    page = admin_client.get(f"{QUEUE}{item.pk}/change/").content.decode()

    assert '<pre class="ls-json">{\n  &quot;inventory_unit_ids&quot;' in page
    assert "&quot;unit-1&quot;: &quot;confirmed_unavailable&quot;" in page
    assert "Unit is not in a state that can be confirmed" in page
    assert "HTTP 500" in page  # the attempt's log row
    assert f"{QUEUE}{item.pk}/retry/" in page


def test_the_queue_and_the_log_are_read_only(admin_client, store):
    log = SyncLogFactory(store=store)
    item = QueueItemFactory(store=store)
    for url in (f"{LOG}{log.pk}/change/", f"{QUEUE}{item.pk}/change/"):
        page = admin_client.get(url).content.decode()
        assert 'name="_save"' not in page
    assert admin_client.get(f"{LOG}add/").status_code == 403
    assert admin_client.post(f"{LOG}{log.pk}/delete/").status_code == 403
    assert admin_client.post(f"{QUEUE}{item.pk}/delete/").status_code == 403


def test_the_log_shows_durations_and_counts(admin_client, store):
    SyncLogFactory(store=store, duration_ms=2450, records_processed=51, records_succeeded=50, records_failed=1)
    SyncLogFactory(store=store, duration_ms=87)
    page = admin_client.get(f"{LOG}?store={store.pk}").content.decode()
    assert "2.5 s" in page and "87 ms" in page
    assert '51 / 50 / <span class="ls-error-text">1</span>' in page


# --- who may ----------------------------------------------------------------------------------


def test_store_users_do_not_reach_the_admin(client, store_user, store):
    item = QueueItemFactory(store=store, status="failed")
    exception = OrderItemExceptionFactory(store=store)
    client.force_login(store_user)
    for url in (
        DASHBOARD,
        f"{DASHBOARD}{store.pk}/change/",
        f"{DASHBOARD}{store.pk}/credentials/",
        f"/admin/exceptions/orderitemexception/{exception.pk}/products/?q=a",
        f"/admin/exceptions/orderitemexception/{exception.pk}/resolve/",
        f"/admin/orders/order/{exception.order_id}/shipping-label/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    response = client.post(f"{QUEUE}{item.pk}/retry/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    item.refresh_from_db()
    assert item.status == "failed"


def test_import_progress_shows_pages_shipments_and_the_time_left(admin_client, sandbox_store):
    from letzshop.imports import import_begin

    start = import_begin(store=sandbox_store, triggered_by="test")
    progress = {"pages": 4, "shipments": 400, "imported": 380, "updated": 20, "seconds_left": 90}
    LetzshopSyncLog.objects.filter(pk=start.sync_log.pk).update(details={"progress": progress})
    url = f"{DASHBOARD}import-progress/status/?runs={start.sync_log.pk},not-an-id"
    run = admin_client.get(url).json()["runs"][0]
    assert run["status"] == "running" and run["done"] is False
    assert run["text"] == "4 pages read, 400 shipments: 380 new, 20 updated · about 2 minutes left"
