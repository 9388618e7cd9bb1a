"""A lost database or broker: 503 with Retry-After and a sentence, on a real server."""

import json

import pytest
from django.test import RequestFactory
from kombu.exceptions import OperationalError as BrokerOperationalError

from config.outages import RETRY_AFTER_SECONDS, ServiceUnavailableMiddleware
from config.tests.processes import child_database_url, free_port, request, runserver

pytestmark = pytest.mark.slow


def test_a_lost_database_answers_503_json_on_the_api_and_a_short_page_elsewhere(tmp_path):
    nothing_there = f"postgres://postgres@127.0.0.1:{free_port()}/letzshop"
    with runserver(tmp_path, DATABASE_URL=nothing_there) as base:
        for method, path, data in [
            ("GET", "/api/v1/me", None),
            ("GET", "/api/v1/store/letzshop/orders", None),
            ("POST", "/api/v1/store/letzshop/orders/1/confirm", b"{}"),
            ("POST", "/api/v1/auth/token", b'{"username": "store", "password": "letzshop-store"}'),
        ]:
            headers = {"Authorization": "Bearer 0123456789abcdef", "Content-Type": "application/json"}
            status, answer_headers, body = request(f"{base}{path}", method=method, data=data, headers=headers)
            assert status == 503, (path, body[:300])
            assert answer_headers["Content-Type"] == "application/json"
            assert answer_headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
            assert json.loads(body) == {
                "detail": "The service is briefly unavailable: its database cannot be reached. "
                f"Try again in {RETRY_AFTER_SECONDS} seconds."
            }

        for path in ("/store/", "/admin/", "/admin/letzshop/letzshopfulfillmentqueue/"):
            status, answer_headers, body = request(f"{base}{path}", headers={"Cookie": "sessionid=abcdef0123456789"})
            page = body.decode()
            assert status == 503, (path, page[:300])
            assert answer_headers["Content-Type"].startswith("text/html")
            assert answer_headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
            assert "<h1>Briefly unavailable</h1>" in page and "its database cannot be reached" in page
            assert "Traceback" not in page and "Server Error" not in page and len(page) < 2_000

        status, _, body = request(
            f"{base}/store/", headers={"Cookie": "sessionid=abcdef0123456789", "Accept-Language": "fr"}
        )
        assert status == 503 and "Brièvement indisponible" in body.decode()


@pytest.mark.django_db(transaction=True)
def test_a_lost_broker_loses_no_operation(tmp_path, sandbox_store, store_user):
    """Confirming needs no broker: the row is the queue, and the sweep wakes it once the broker is back."""
    from conftest import api_client_for
    from letzshop.models import LetzshopFulfillmentQueue
    from letzshop.services.imports import orders_import

    orders_import(store=sandbox_store, triggered_by="command")
    order = next(
        o
        for o in sandbox_store.letzshop_orders.select_related("local_order").order_by("pk")
        if not o.local_order.item_exceptions.exists()
    )
    token = api_client_for(store_user)._credentials["HTTP_AUTHORIZATION"]
    broker_down = f"redis://127.0.0.1:{free_port()}/6"
    with runserver(tmp_path, DATABASE_URL=child_database_url(), CELERY_BROKER_URL=broker_down) as base:
        status, _, body = request(
            f"{base}/api/v1/store/letzshop/orders/{order.pk}/confirm",
            method="POST",
            data=b"{}",
            headers={"Authorization": token, "Content-Type": "application/json"},
        )
    assert status == 202, body[:300]
    row = LetzshopFulfillmentQueue.objects.get(pk=json.loads(body)["queue_id"])
    assert (row.status, row.woken_at) == ("pending", None)  # no message on its way: the sweep's to wake


def test_a_broker_outage_raised_in_a_view_answers_503():
    middleware = ServiceUnavailableMiddleware(lambda request: None)
    error = BrokerOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    api = middleware.process_exception(RequestFactory().post("/api/v1/store/letzshop/orders/import"), error)
    assert api.status_code == 503 and api["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert json.loads(api.content)["detail"].startswith("The service is briefly unavailable: its task queue")
    page = middleware.process_exception(RequestFactory().get("/admin/"), error)
    assert page.status_code == 503 and b"its task queue cannot be reached" in page.content
    assert middleware.process_exception(RequestFactory().get("/admin/"), ValueError("a bug")) is None
