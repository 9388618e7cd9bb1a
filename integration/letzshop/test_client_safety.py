"""The client reaches only the allowlist: no redirect followed, no answer's body shown to a person,
the allowlist naming hosts and ports (docs/security.md)."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from config.errors import InvalidInput
from config.tests.clients import api_client_for
from letzshop.client import AuthError, LetzshopClient, ResponseError, TransientError
from letzshop.services.connection import connection_test
from letzshop.services.credentials import api_endpoint_validate, api_key_validate, credentials_save
from sandbox import DEFAULT_API_KEY

INTERNAL_BODY = "INTERNAL-SERVICE-SECRET-PAGE"
SECRET = "letzshop-secret-key-0123456789abcdef"


class _Server:
    """A tiny HTTP server on a free loopback port answering every POST with ``answer(handler)``."""

    def __init__(self, answer):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                outer.hits += 1
                answer(self)

            def log_message(self, *args):
                pass

        self.hits = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/graphql"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _reply(status: int, body: str, content_type: str = "text/html", headers: dict | None = None):
    def answer(handler):
        data = body.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    return answer


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_never_followed_and_says_where_it_pointed(status, caplog):
    with (
        _Server(_reply(200, f"<html>{INTERNAL_BODY}</html>")) as internal,
        _Server(_reply(status, "", headers={"Location": internal.url})) as redirector,
    ):
        with LetzshopClient(api_key=DEFAULT_API_KEY, endpoint=redirector.url) as client:
            with pytest.raises(ResponseError) as caught:
                client.shipments_page()
            outcome = client.test_connection()
        assert internal.hits == 0
    message = caught.value.message
    assert f"HTTP {status}" in message and "redirect" in message and internal.url in message
    assert INTERNAL_BODY not in message and not outcome.success and internal.url in outcome.message


@pytest.mark.parametrize(
    ("status", "content_type", "error", "summary"),
    [
        (503, "text/html; charset=utf-8", TransientError, "Letzshop answered HTTP 503 (an HTML error page)"),
        (200, "text/html", ResponseError, "Letzshop answered HTTP 200 (an HTML page, not JSON)"),
        (404, "text/plain", ResponseError, "Letzshop answered HTTP 404 (plain text)"),
        (401, "application/json", AuthError, "Letzshop answered HTTP 401 (a JSON document)"),
        (500, "x/<script>", TransientError, "Letzshop answered HTTP 500 (a body)"),
    ],
)
def test_a_body_is_classified_never_shown_but_logged_truncated(status, content_type, error, summary, caplog):
    body = f"<html><h1>nginx</h1>{INTERNAL_BODY}{'x' * 5000}</html>"
    caplog.set_level(logging.WARNING, logger="letzshop.client.client")
    with _Server(_reply(status, body, content_type)) as server:
        with LetzshopClient(api_key=DEFAULT_API_KEY, endpoint=server.url) as client:
            with pytest.raises(error) as caught:
                client.shipments_page()
            outcome = client.test_connection()
    assert caught.value.message == summary
    assert INTERNAL_BODY not in outcome.message and "<" not in outcome.message
    # The operator can still see what came back, truncated.
    assert INTERNAL_BODY in caplog.text and "x" * 600 not in caplog.text


@pytest.mark.parametrize(
    ("allowed", "endpoint", "ok"),
    [
        (["letzshop.lu"], "https://letzshop.lu/graphql", True),
        (["letzshop.lu"], "https://letzshop.lu:443/graphql", True),
        (["letzshop.lu"], "https://letzshop.lu:8443/graphql", False),
        (["letzshop.lu:8443"], "https://letzshop.lu:8443/graphql", True),
        (["127.0.0.1"], "http://127.0.0.1:8765/graphql", False),
        (["127.0.0.1:8765"], "http://127.0.0.1:8765/graphql", True),
        (["127.0.0.1:8765"], "http://127.0.0.1:22/graphql", False),
        (["127.0.0.1:*"], "http://127.0.0.1:22/graphql", True),
        (["[::1]:8765"], "http://[::1]:8765/graphql", True),
        (["letzshop.lu"], "https://letzshop.lu:99999/graphql", False),
    ],
)
def test_the_allowlist_names_hosts_and_ports(settings, allowed, endpoint, ok):
    settings.LETZSHOP_ALLOWED_HOSTS = allowed
    if ok:
        assert api_endpoint_validate(endpoint) == endpoint
    else:
        with pytest.raises(InvalidInput):
            api_endpoint_validate(endpoint)


@pytest.mark.django_db
def test_a_saved_endpoint_off_the_allowlist_is_not_called(settings, store, letzshop_sandbox):
    credentials_save(store=store, api_key=DEFAULT_API_KEY, api_endpoint=letzshop_sandbox.url)
    settings.LETZSHOP_ALLOWED_HOSTS = ["letzshop.lu"]
    result = connection_test(store=store)
    assert not result.success and "not allowed" in result.message


@pytest.mark.parametrize("key", ["clé-letzshop-1234", "key\u200b1234", "ключ1234"])
def test_a_key_outside_ascii_is_refused_with_a_clear_message(key):
    with pytest.raises(InvalidInput) as caught:
        api_key_validate(key)
    assert caught.value.field == "api_key" and "paste it again" in caught.value.message


@pytest.mark.django_db
def test_test_key_is_for_owners_and_managers(store, staff_member, store_user):
    body = {"api_key": "letzshop-key", "api_endpoint": "https://letzshop.lu:9/graphql"}
    response = api_client_for(staff_member).post("/api/v1/store/letzshop/test-key", body, format="json")
    assert response.status_code == 403
    assert api_client_for(store_user).post("/api/v1/store/letzshop/test-key", body, format="json").status_code == 400


@pytest.mark.django_db
def test_test_key_and_credentials_changes_are_throttled_per_user(settings, store_user, store):
    settings.LETZSHOP_CREDENTIALS_THROTTLE_RATE = "3/minute"
    client = api_client_for(store_user)
    body = {"api_key": "letzshop-key", "api_endpoint": "https://evil.example/graphql"}
    codes = [client.post("/api/v1/store/letzshop/test-key", body, format="json").status_code for _ in range(3)]
    assert codes == [400, 400, 400]
    refused = client.post("/api/v1/store/letzshop/credentials", {"api_key": SECRET}, format="json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    # Reading is not a change: not throttled.
    assert client.get("/api/v1/store/letzshop/status").status_code == 200
