"""LetzshopClient against the sandbox over a real socket: typed answers and every failure class."""

from __future__ import annotations

import logging
import socket
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

import pytest
import requests
from django.conf import settings
from gql import gql

from letzshop.client import (
    AuthError,
    ConfirmResult,
    InventoryUnit,
    LetzshopClient,
    LetzshopError,
    LetzshopTransport,
    RateLimited,
    ResponseError,
    Shipment,
    ShipmentPage,
    TradeId,
    TransientError,
    parse_retry_after,
    shipment_from_node,
)
from letzshop.client.types import money, parse_datetime, shipment_page_answer
from sandbox import DEFAULT_API_KEY, SandboxServer

pytestmark = pytest.mark.letzshop


def _client(server: SandboxServer, **options: Any) -> LetzshopClient:
    options.setdefault("api_key", DEFAULT_API_KEY)
    return LetzshopClient(endpoint=server.url, **options)


def _faults(server: SandboxServer, **faults: Any) -> None:
    server.state.update_faults(faults)


# -- reading shipments ------------------------------------------------------------------------


def test_a_page_answer_gives_its_cursor_at_once_and_its_shipments_when_read(
    letzshop_sandbox: SandboxServer,  # noqa: F811
) -> None:
    letzshop_sandbox.state.reset(shipments=25, seed=2)
    with _client(letzshop_sandbox) as client:
        answer = client.shipments_page_answer(first=10)
        page = client.shipments_page(first=10)
    assert answer.has_next_page is True and answer.end_cursor == page.end_cursor
    assert answer.page().shipments == page.shipments

    # Only the cursor is checked with the answer: a node that cannot be read fails when read.
    data = {
        "shipments": {
            "pageInfo": {"hasNextPage": True, "endCursor": "c2"},
            "nodes": [{"state": "unconfirmed", "inventoryUnits": []}],
        }
    }
    unread = shipment_page_answer(data, 1.0)
    assert (unread.has_next_page, unread.end_cursor) == (True, "c2")
    with pytest.raises(ResponseError, match="no id"):
        unread.page()
    data["shipments"]["pageInfo"]["endCursor"] = None
    with pytest.raises(ResponseError, match="no endCursor"):
        shipment_page_answer(data, 1.0)


def test_iter_shipment_pages_fetches_every_shipment_typed(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    letzshop_sandbox.state.reset(shipments=45, seed=2)
    expected = {s["id"] for s in letzshop_sandbox.state.shipments if s["state"] == "unconfirmed"}
    with _client(letzshop_sandbox) as client:
        pages = list(client.iter_shipment_pages(page_size=10))
    shipments = [shipment for page in pages for shipment in page.shipments]

    assert {shipment.id for shipment in shipments} == expected and len(shipments) == len(expected)
    assert len(pages) == -(-len(expected) // 10)
    assert [page.has_next_page for page in pages] == [True] * (len(pages) - 1) + [False]
    assert all(isinstance(page, ShipmentPage) and page.elapsed_ms > 0 for page in pages)
    for shipment in shipments:
        assert isinstance(shipment, Shipment) and shipment.state == "unconfirmed"
        assert shipment.order is not None
        total = shipment.order.total
        assert isinstance(total, Decimal) and total.as_tuple().exponent == -2
        assert shipment.order.completed_at is not None and shipment.order.completed_at.utcoffset() is not None
        assert shipment.order.ship_address is not None and shipment.order.ship_address.country_iso
        assert shipment.inventory_units and all(isinstance(unit, InventoryUnit) for unit in shipment.inventory_units)
        assert shipment.raw["id"] == shipment.id and "inventoryUnits" in shipment.raw
    variants = [unit.variant for shipment in shipments for unit in shipment.inventory_units if unit.variant]
    assert all(isinstance(variant.price, Decimal) for variant in variants)
    assert any(isinstance(variant.trade_id, TradeId) and variant.trade_id.number for variant in variants)
    assert any(variant.brand_known for variant in variants) and any(not variant.brand_known for variant in variants)
    assert all(variant.product_name.get("en") for variant in variants)


def test_shipments_page_maps_one_seeded_shipment_exactly(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    with _client(letzshop_sandbox) as client:
        page = client.shipments_page(state=None, first=1)
    seeded = letzshop_sandbox.state.shipments[0]
    shipment = page.shipments[0]
    assert page.has_next_page and page.end_cursor
    assert (shipment.id, shipment.number, shipment.state) == (seeded["id"], seeded["number"], seeded["state"])
    assert shipment.order is not None
    assert shipment.order.number == seeded["order"]["number"]
    assert shipment.order.total == Decimal(str(seeded["order"]["total"])).quantize(Decimal("0.01"))
    assert [unit.id for unit in shipment.inventory_units] == [unit["id"] for unit in seeded["inventoryUnits"]]
    assert shipment.raw == {key: value for key, value in seeded.items()}


def test_iteration_stops_on_a_repeated_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    client = LetzshopClient(api_key="k", endpoint="http://127.0.0.1:9/graphql")
    looping = ShipmentPage(shipments=(), has_next_page=True, end_cursor="MQ==", elapsed_ms=1.0)
    monkeypatch.setattr(client, "shipments_page", lambda **_kwargs: looping)
    with pytest.raises(ResponseError, match="repeated"):
        list(client.iter_shipment_pages())


# -- failures ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["401", "200"])
def test_wrong_key_is_an_auth_error(letzshop_sandbox: SandboxServer, mode: str) -> None:  # noqa: F811
    _faults(letzshop_sandbox, bad_key_mode=mode)
    with _client(letzshop_sandbox, api_key="not-the-key") as client, pytest.raises(AuthError) as caught:
        client.shipments_page()
    assert caught.value.retryable is False
    assert caught.value.status_code == int(mode)
    assert "Unauthorized" in caught.value.message


def test_server_errors_and_dropped_connections_are_transient(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    _faults(letzshop_sandbox, fail_next=[500, 503, "drop"])
    with _client(letzshop_sandbox) as client:
        with pytest.raises(TransientError) as first:
            client.shipments_page()
        assert first.value.status_code == 500 and first.value.retryable
        with pytest.raises(TransientError) as second:
            client.shipments_page()
        assert second.value.status_code == 503 and "Service Unavailable" not in second.value.message
        assert second.value.message.startswith("Letzshop answered HTTP 503 (")
        with pytest.raises(TransientError, match="Connection to Letzshop failed"):
            client.shipments_page()
        # The same client carries on once Letzshop is back.
        assert client.shipments_page(first=2).shipments


def test_a_read_timeout_is_transient(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    _faults(letzshop_sandbox, fail_next=["timeout"], timeout_sleep_s=2)
    started = time.perf_counter()
    with _client(letzshop_sandbox, read_timeout=0.5) as client, pytest.raises(TransientError) as caught:
        client.shipments_page()
    assert "did not answer within 0.5 s" in caught.value.message
    assert time.perf_counter() - started < 1.8


def test_an_unreachable_endpoint_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with LetzshopClient(api_key="k", endpoint=f"http://127.0.0.1:{port}/graphql") as client:
        with pytest.raises(TransientError):
            client.shipments_page()
        result = client.test_connection()
    assert not result.success and result.message.startswith("Letzshop is unreachable or failing: ")


def test_a_429_is_waited_out_then_retried(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    _faults(letzshop_sandbox, fail_next=[429], retry_after=1)
    started = time.perf_counter()
    with _client(letzshop_sandbox, rate_limit_waits=1) as client:
        page = client.shipments_page(first=3)
    waited = time.perf_counter() - started
    assert len(page.shipments) == 3
    assert waited >= 1.0 and page.elapsed_ms >= 1000
    statuses = [entry["status"] for entry in letzshop_sandbox.state.request_log()]
    assert statuses == [429, 200]


def test_a_429_without_waits_left_raises_rate_limited(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    _faults(letzshop_sandbox, fail_next=[429], retry_after=1)
    started = time.perf_counter()
    with _client(letzshop_sandbox, rate_limit_waits=0) as client, pytest.raises(RateLimited) as caught:
        client.shipments_page()
    assert time.perf_counter() - started < 0.9
    assert caught.value.retry_after == 1 and caught.value.retryable and caught.value.status_code == 429

    # Retry-After is bounded, and the waits are counted.
    _faults(letzshop_sandbox, fail_next=[429, 429, 429], retry_after=0)
    with _client(letzshop_sandbox, rate_limit_waits=2) as client, pytest.raises(RateLimited):
        client.shipments_page()
    assert [entry["status"] for entry in letzshop_sandbox.state.request_log()][-3:] == [429, 429, 429]
    _faults(letzshop_sandbox, fail_next=[429], retry_after=3600)
    with (
        _client(letzshop_sandbox, rate_limit_waits=0, max_retry_after=7) as client,
        pytest.raises(RateLimited) as bounded,
    ):
        client.shipments_page()
    assert bounded.value.retry_after == 7


def test_graphql_errors_are_response_errors_with_their_text(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    with _client(letzshop_sandbox) as client, pytest.raises(ResponseError) as caught:
        client._execute(gql("query Broken { shipments { nodes { notAField } } }"), None, "Broken")
    assert "notAField" in caught.value.message and caught.value.message.startswith("GraphQL errors: ")
    assert caught.value.retryable is False and caught.value.status_code == 200


@pytest.mark.parametrize(("fault", "text"), [("garbage", "not JSON"), ("empty", "without data or errors")])
def test_malformed_answers_are_response_errors(letzshop_sandbox: SandboxServer, fault: str, text: str) -> None:  # noqa: F811
    _faults(letzshop_sandbox, fail_next=[fault])
    with _client(letzshop_sandbox) as client, pytest.raises(ResponseError, match=text) as caught:
        client.shipments_page()
    # The body is described, never quoted (docs/security.md).
    assert "Maintenance" not in caught.value.message


def test_malformed_nodes_are_response_errors() -> None:
    with pytest.raises(ResponseError, match="no id"):
        shipment_from_node({"state": "unconfirmed", "inventoryUnits": []})
    with pytest.raises(ResponseError, match="no state"):
        shipment_from_node({"id": "a", "inventoryUnits": []})
    with pytest.raises(ResponseError, match="not a list"):
        shipment_from_node({"id": "a", "state": "unconfirmed", "inventoryUnits": None})
    with pytest.raises(ResponseError, match="not a number"):
        shipment_from_node(
            {"id": "a", "state": "unconfirmed", "inventoryUnits": [], "order": {"id": "o", "total": "lots"}}
        )
    assert len(ResponseError("x" * 5000).message) == 1000


def test_values_are_parsed_as_documented() -> None:
    assert money(12.9) == Decimal("12.90") and money(0.1 + 0.2) == Decimal("0.30") and money(None) is None
    assert parse_datetime("2025-11-03T14:22:05+01:00") == datetime(2025, 11, 3, 13, 22, 5, tzinfo=UTC)
    assert parse_datetime("2025-11-03T13:22:05.123Z") == datetime(2025, 11, 3, 13, 22, 5, 123000, tzinfo=UTC)
    assert parse_datetime("2025-11-03T13:22:05") == datetime(2025, 11, 3, 13, 22, 5, tzinfo=UTC)
    assert parse_datetime("yesterday") is None and parse_datetime(None) is None
    assert parse_retry_after("3", maximum=60) == 3
    assert parse_retry_after("120", maximum=60) == 60
    assert parse_retry_after(None, maximum=60) == 5 and parse_retry_after("soon", maximum=60) == 5
    in_ten = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    assert 8 <= parse_retry_after(in_ten, maximum=60) <= 10


def test_defaults_come_from_settings_and_can_be_overridden() -> None:
    client = LetzshopClient(api_key="k", endpoint="http://127.0.0.1:9/graphql")
    assert client.connect_timeout == settings.LETZSHOP_CONNECT_TIMEOUT
    assert client.read_timeout == settings.LETZSHOP_READ_TIMEOUT
    assert client.max_retry_after == settings.LETZSHOP_MAX_RETRY_AFTER_SECONDS
    assert client.rate_limit_waits == 2
    custom = LetzshopClient(api_key="k", endpoint="http://x/graphql", read_timeout=1.5, rate_limit_waits=0)
    assert (custom.read_timeout, custom.rate_limit_waits) == (1.5, 0)


# -- connection test --------------------------------------------------------------------------


def test_connection_test_reports_each_outcome(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    with _client(letzshop_sandbox) as client:
        ok = client.test_connection()
        assert (ok.success, ok.message) == (True, "Connection successful") and ok.response_time_ms > 0

        _faults(letzshop_sandbox, fail_next=[429], retry_after=1)
        started = time.perf_counter()
        throttled = client.test_connection()
        assert not throttled.success and "retry after 1 s" in throttled.message
        assert time.perf_counter() - started < 0.9  # a person is waiting: no 429 wait here

        _faults(letzshop_sandbox, fail_next=[502])
        failing = client.test_connection()
        assert not failing.success and failing.message.startswith(
            "Letzshop is unreachable or failing: Letzshop answered HTTP 502"
        )

        _faults(letzshop_sandbox, fail_next=["garbage"])
        odd = client.test_connection()
        assert not odd.success and odd.message.startswith("Unexpected answer from Letzshop: ")

    with _client(letzshop_sandbox, api_key="wrong") as client:
        refused = client.test_connection()
    assert (refused.success, refused.message) == (False, "Authentication failed: the API key was refused by Letzshop")


# -- mutations --------------------------------------------------------------------------------


def test_confirm_inventory_units_round_trip(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    with _client(letzshop_sandbox) as client:
        shipment = next(s for s in client.shipments_page(first=50).shipments if len(s.inventory_units) >= 2)
        keep, decline, *rest = [unit.id for unit in shipment.inventory_units]
        result = client.confirm_inventory_units([(keep, True), (decline, False), ("missing", True)])
        assert isinstance(result, ConfirmResult) and result.elapsed_ms > 0
        assert {(unit.id, unit.state) for unit in result.units} == {
            (keep, "confirmed_available"),
            (decline, "confirmed_unavailable"),
        }
        assert [(error.id, error.code) for error in result.errors] == [("missing", "not_found")]
        assert result.raw["errors"][0]["code"] == "not_found"
        if rest:
            client.confirm_inventory_units([(unit_id, True) for unit_id in rest])
        with pytest.raises(ValueError):
            client.confirm_inventory_units([])
    assert letzshop_sandbox.state.shipment_detail(shipment.id)["state"] == "confirmed"  # type: ignore[index]


def test_set_shipment_tracking_round_trip(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    with _client(letzshop_sandbox) as client:
        shipment = client.shipments_page(first=1).shipments[0]
        client.confirm_inventory_units([(unit.id, True) for unit in shipment.inventory_units])
        result = client.set_shipment_tracking(shipment_id=shipment.id, code="CC123", provider="colissimo")
        assert result.errors == () and result.shipment is not None
        assert result.shipment.state == "shipped"
        assert (result.shipment.tracking.code, result.shipment.tracking.provider) == ("CC123", "colissimo")  # type: ignore[union-attr]

        missing = client.set_shipment_tracking(shipment_id="nope", code="X", provider="dhl")
        assert missing.shipment is None and [(e.id, e.code) for e in missing.errors] == [("nope", "not_found")]

    letzshop_sandbox.state.reset(tracking_reads_back=False)
    with _client(letzshop_sandbox) as client:
        shipment = client.shipments_page(first=1).shipments[0]
        client.confirm_inventory_units([(unit.id, True) for unit in shipment.inventory_units])
        result = client.set_shipment_tracking(shipment_id=shipment.id, code="CC999", provider="colissimo")
    assert result.errors == () and result.shipment is not None
    assert result.shipment.tracking == shipment.tracking  # Letzshop's bug: what was set does not read back
    assert letzshop_sandbox.state.shipment_detail(shipment.id)["storedTracking"]["code"] == "CC999"  # type: ignore[index]


# -- the key stays secret ---------------------------------------------------------------------


def test_the_api_key_never_appears_in_errors_or_logs(
    letzshop_sandbox: SandboxServer,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "sk-live-DO-NOT-LEAK-8f2c41d9"
    for name in ("", "gql", "urllib3", "letzshop"):
        caplog.set_level(logging.DEBUG, logger=name)
    seen: list[str] = []
    letzshop_sandbox.state.api_key = secret
    with _client(letzshop_sandbox, api_key=secret, rate_limit_waits=1, read_timeout=0.5) as client:
        seen.append(repr(client))
        seen.append(client.test_connection().message)
        shipment = client.shipments_page(first=1).shipments[0]
        client.confirm_inventory_units([(shipment.inventory_units[0].id, True)])
        _faults(letzshop_sandbox, fail_next=[429], retry_after=0)
        client.shipments_page(first=1)
        letzshop_sandbox.state.api_key = "another-key"
        seen.append(client.test_connection().message)
        for mode, script in (("401", []), ("200", []), ("401", [500]), ("401", ["drop"]), ("401", ["garbage"])):
            _faults(letzshop_sandbox, bad_key_mode=mode, fail_next=script)
            with pytest.raises(LetzshopError) as caught:
                client.shipments_page()
            seen += [str(caught.value), repr(caught.value), caught.value.message]
        _faults(letzshop_sandbox, fail_next=["timeout"], timeout_sleep_s=1)
        with pytest.raises(TransientError) as timed_out:
            client.shipments_page()
        seen += [str(timed_out.value), repr(timed_out.value)]
    # gql logs each payload at DEBUG and the client logs its waits: the check sees real log lines.
    assert ">>>" in caplog.text and "rate limit" in caplog.text
    for text in [*seen, caplog.text]:
        assert secret not in text


def test_an_echoed_key_is_redacted() -> None:
    secret = "sk-echoed-1234567890"
    transport = LetzshopTransport(url="http://127.0.0.1:9/graphql", api_key=secret, timeout=(1, 1), max_retry_after=5)
    for status, body in ((200, f"<html>Bad header Bearer {secret}</html>"), (500, f"key={secret}"), (401, secret)):
        response = requests.Response()
        response.status_code = status
        response._content = body.encode()
        with pytest.raises(LetzshopError) as caught:
            transport._prepare_result(response)
        assert secret not in str(caught.value)
    response = requests.Response()
    response.status_code = 200
    response._content = b'{"data": null, "errors": [{"message": "bad key ' + secret.encode() + b'"}]}'
    with pytest.raises(ResponseError) as caught:
        transport._prepare_result(response)
    assert secret not in caught.value.message
    assert secret not in repr(transport)
