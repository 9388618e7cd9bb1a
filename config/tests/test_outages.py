"""A lost database or broker: 503 with Retry-After and a sentence, never a 500 page."""

import json
import time

import pytest
from django.db import connection
from django.test import RequestFactory
from kombu.exceptions import OperationalError as BrokerOperationalError

from config.outages import RETRY_AFTER_SECONDS, ServiceUnavailableMiddleware
from config.tests.clients import api_client_for
from config.tests.processes import TcpRelay, child_database_url, request, runserver

DATABASE_LOST = (
    f"The service is briefly unavailable: its database cannot be reached. Try again in {RETRY_AFTER_SECONDS} seconds."
)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_database_lost_under_a_running_server_answers_503_then_recovers(tmp_path, store_user):
    if connection.display_name != "PostgreSQL":
        pytest.skip("cuts the server's connections to PostgreSQL")
    token = api_client_for(store_user)._credentials["HTTP_AUTHORIZATION"]
    db = connection.settings_dict
    relay = TcpRelay((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    api_headers = {"Authorization": token, "Content-Type": "application/json"}
    try:
        with runserver(
            tmp_path,
            DATABASE_URL=child_database_url(port=relay.port),
            DATABASE_POOL_MAX_SIZE="2",
            DATABASE_POOL_TIMEOUT="2",
        ) as base:
            assert request(f"{base}/api/v1/me", headers=api_headers)[0] == 200
            relay.cut()
            for method, path, data in [
                ("GET", "/api/v1/me", None),
                ("GET", "/api/v1/store/letzshop/orders", None),
                ("POST", "/api/v1/store/letzshop/orders/1/confirm", b"{}"),
                ("POST", "/api/v1/auth/token", b'{"username": "store", "password": "letzshop-store"}'),
            ]:
                status, headers, body = request(f"{base}{path}", method=method, data=data, headers=api_headers)
                assert status == 503, (path, body[:300])
                assert headers["Content-Type"] == "application/json"
                assert headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
                assert json.loads(body) == {"detail": DATABASE_LOST}

            for path in ("/store/", "/admin/", "/admin/letzshop/letzshopfulfillmentqueue/"):
                status, headers, body = request(f"{base}{path}", headers={"Cookie": "sessionid=abcdef0123456789"})
                page = body.decode()
                assert status == 503, (path, page[:300])
                assert headers["Content-Type"].startswith("text/html")
                assert headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
                assert "<h1>Briefly unavailable</h1>" in page and "its database cannot be reached" in page
                assert "Traceback" not in page and "Server Error" not in page and len(page) < 2_000
            cookie_fr = {"Cookie": "sessionid=abcdef0123456789", "Accept-Language": "fr"}
            status, _, body = request(f"{base}/store/", headers=cookie_fr)
            assert status == 503 and "Brièvement indisponible" in body.decode()

            relay.restore()  # the database is back: so is the service, without a restart
            deadline = time.monotonic() + 60
            while (status := request(f"{base}/api/v1/me", headers=api_headers)[0]) == 503:
                assert time.monotonic() < deadline, "the service did not come back with its database"
                time.sleep(0.5)  # the pool reconnects with a backoff of its own
            assert status == 200
    finally:
        relay.close()


def test_a_broker_outage_raised_in_a_view_answers_503():
    middleware = ServiceUnavailableMiddleware(lambda request: None)
    error = BrokerOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    api = middleware.process_exception(RequestFactory().post("/api/v1/store/letzshop/orders/import"), error)
    assert api.status_code == 503 and api["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert json.loads(api.content)["detail"].startswith("The service is briefly unavailable: its task queue")
    page = middleware.process_exception(RequestFactory().get("/admin/"), error)
    assert page.status_code == 503 and b"its task queue cannot be reached" in page.content
    assert middleware.process_exception(RequestFactory().get("/admin/"), ValueError("a bug")) is None
