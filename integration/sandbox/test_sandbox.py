"""The sandbox: deterministic seeding, Relay pagination, stateful mutations, faults, control endpoints."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections import Counter, defaultdict
from typing import Any

import pytest
import requests
from graphql import execute_sync, parse

from letzshop.client.documents import document_text
from sandbox import (
    DEFAULT_API_KEY,
    DroppedConnection,
    SandboxServer,
    SandboxState,
    catalog_gtin14s,
    catalog_gtins,
    demo_catalog,
    gtin14,
    random_gtin13_outside_catalog,
    sandbox_schema,
    seed_shipments,
)
from sandbox.catalog import is_valid_gtin

pytestmark = pytest.mark.letzshop

SHIPMENTS_QUERY = document_text("shipments")
CONFIRM_MUTATION = document_text("confirm_inventory_units")
TRACKING_MUTATION = document_text("set_shipment_tracking")
AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}


def _units(shipments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [unit for shipment in shipments for unit in shipment["inventoryUnits"]]


def _is_unmatched(unit: dict[str, Any]) -> bool:
    trade_id = unit["variant"]["tradeId"]
    return trade_id is None or gtin14(trade_id["number"]) not in catalog_gtin14s()


def _post(server: SandboxServer, query: str, variables: dict | None = None, **kwargs: Any) -> requests.Response:
    headers = kwargs.pop("headers", AUTH)
    return requests.post(
        server.url, json={"query": query, "variables": variables or {}}, headers=headers, timeout=5, **kwargs
    )


def _data(server: SandboxServer, query: str, variables: dict | None = None) -> dict[str, Any]:
    response = _post(server, query, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _control(server: SandboxServer, path: str) -> Any:
    response = requests.get(f"{server.base_url}/_sandbox/{path}", timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def _confirm(server: SandboxServer, *units: tuple[str, bool]) -> dict[str, Any]:
    items = [{"inventoryUnitId": unit_id, "isAvailable": available} for unit_id, available in units]
    return _data(server, CONFIRM_MUTATION, {"input": {"inventoryUnits": items}})["confirmInventoryUnits"]


def _set_tracking(server: SandboxServer, shipment_id: str, code: str, provider: str) -> dict[str, Any]:
    variables = {"input": {"shipmentId": shipment_id, "code": code, "provider": provider}}
    return _data(server, TRACKING_MUTATION, variables)["setShipmentTracking"]


def _shipment_with_units(server: SandboxServer, minimum: int) -> dict[str, Any]:
    nodes = _data(server, SHIPMENTS_QUERY, {"state": "unconfirmed", "first": 500})["shipments"]["nodes"]
    return next(node for node in nodes if len(node["inventoryUnits"]) >= minimum)


# -- catalog and seeding ----------------------------------------------------------------------


def test_demo_catalog_is_valid_and_has_its_special_cases() -> None:
    catalog = demo_catalog()
    assert catalog == demo_catalog()
    assert 35 <= len(catalog) <= 45
    assert len({product["sku"] for product in catalog}) == len(catalog)
    assert all(is_valid_gtin(product["gtin"]) for product in catalog)
    kinds = Counter(product["gtin_type"] for product in catalog)
    assert kinds["isbn13"] >= 2 and kinds["gtin8"] == 1
    assert [count for count in Counter(product["gtin"] for product in catalog).values() if count > 1] == [2]
    assert catalog_gtins() == {product["gtin"] for product in catalog}


def test_gtin_outside_catalog_is_valid_and_unknown() -> None:
    import random

    rng = random.Random(3)
    for _ in range(50):
        gtin = random_gtin13_outside_catalog(rng)
        assert len(gtin) == 13 and is_valid_gtin(gtin)
        assert gtin14(gtin) not in catalog_gtin14s()


def test_seeding_is_deterministic() -> None:
    assert seed_shipments(80, 7) == seed_shipments(80, 7)
    assert seed_shipments(80, 7) != seed_shipments(80, 8)
    assert seed_shipments(30, 7, units_per_shipment=3) == seed_shipments(30, 7, units_per_shipment=3)


def test_seeded_shipments_carry_real_world_variety() -> None:
    shipments = seed_shipments(300, 1)
    units = _units(shipments)
    trade_ids = [unit["variant"]["tradeId"] for unit in units]
    numbers = [trade_id["number"] for trade_id in trade_ids if trade_id]

    # Several units of one variant in a shipment, beside another variant.
    assert any(
        max(Counter(unit["variant"]["id"] for unit in shipment["inventoryUnits"]).values()) >= 2
        and len({unit["variant"]["id"] for unit in shipment["inventoryUnits"]}) >= 2
        for shipment in shipments
    )
    assert None in trade_ids
    # An invalid check digit: 13 digits that fail the GS1 check.
    assert any(number.isdigit() and len(number) == 13 and not is_valid_gtin(number) for number in numbers)
    assert any(" " in number for number in numbers) and any("-" in number for number in numbers)
    parsers = {trade_id["parser"] for trade_id in trade_ids if trade_id}
    assert {"gtin13", "gtin14", "gtin12", "gtin8", "isbn13"} <= parsers
    # GTIN-12 and GTIN-14 forms of catalog GTINs match the catalog once normalised.
    assert any(t["parser"] == "gtin12" and gtin14(t["number"]) in catalog_gtin14s() for t in trade_ids if t)
    assert any(t["parser"] == "gtin14" and gtin14(t["number"]) in catalog_gtin14s() for t in trade_ids if t)
    # Both products sharing a GTIN show up.
    shared = {gtin14(gtin) for gtin, count in Counter(p["gtin"] for p in demo_catalog()).items() if count > 1}
    assert any(gtin14(number) in shared for number in numbers)
    assert {unit["variant"]["product"]["_brand"]["__typename"] for unit in units} == {"Brand", "BrandUnknown"}

    orders = [shipment["order"] for shipment in shipments]
    assert {order["locale"] for order in orders} == {"fr", "de", "en"}
    assert {"LU", "FR", "DE", "BE"} <= {order["shipAddress"]["country"]["iso"] for order in orders}
    assert any(order["shipAddress"]["company"] for order in orders)
    assert any(order["shipAddress"] != order["billAddress"] for order in orders)

    assert all(re.fullmatch(r"[A-Za-z0-9]{14}", shipment["id"]) for shipment in shipments)
    assert all(re.fullmatch(r"H\d{11}", shipment["number"]) for shipment in shipments)
    assert all(re.fullmatch(r"R\d{9}", order["number"]) for order in orders)
    assert len({shipment["id"] for shipment in shipments}) == len(shipments)
    assert len({unit["id"] for unit in units}) == len(units)

    states = Counter(shipment["state"] for shipment in shipments)
    assert set(states) == {"unconfirmed", "confirmed"} and states["unconfirmed"] > 0.7 * len(shipments)
    providers = {(s["tracking"] or {}).get("provider", "").lower() for s in shipments}
    assert {"greco", "colissimo", "xpresslogistics"} <= providers
    assert len(providers - {"greco", "colissimo", "xpresslogistics", ""}) >= 2
    assert any(s["tracking"] is None for s in shipments if s["state"] == "unconfirmed")

    # An order's total is the sum of its units' prices, over all its shipments.
    by_order: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for shipment in shipments:
        by_order[shipment["order"]["id"]].append(shipment)
    assert any(len(group) == 2 for group in by_order.values()), "an order split over two shipments"
    for group in by_order.values():
        expected = round(sum(unit["variant"]["price"] for unit in _units(group)), 2)
        assert group[0]["order"]["total"] == pytest.approx(expected, abs=0.001)
        assert round(group[0]["order"]["total"], 2) == group[0]["order"]["total"]


@pytest.mark.parametrize("seed", [1, 2, 99])
def test_unmatched_ratio_is_exact_with_fixed_units(seed: int) -> None:
    shipments = seed_shipments(200, seed, unmatched_ratio=0.5, units_per_shipment=3)
    assert all(len(shipment["inventoryUnits"]) == 3 for shipment in shipments)
    assert {shipment["state"] for shipment in shipments} == {"unconfirmed"}
    assert len({shipment["order"]["id"] for shipment in shipments}) == 200
    with_unmatched = [s for s in shipments if any(_is_unmatched(unit) for unit in s["inventoryUnits"])]
    assert len(with_unmatched) == 100
    # The ambiguous shared GTIN only appears where an import flags the shipment anyway.
    shared = {gtin14(gtin) for gtin, count in Counter(p["gtin"] for p in demo_catalog()).items() if count > 1}
    for shipment in shipments:
        if shipment not in with_unmatched:
            assert not any(
                u["variant"]["tradeId"] and gtin14(u["variant"]["tradeId"]["number"]) in shared
                for u in shipment["inventoryUnits"]
            )


def test_unmatched_ratio_extremes() -> None:
    assert not any(_is_unmatched(unit) for unit in _units(seed_shipments(50, 4, unmatched_ratio=0.0)))
    shipments = seed_shipments(50, 4, unmatched_ratio=1.0)
    assert all(any(_is_unmatched(unit) for unit in shipment["inventoryUnits"]) for shipment in shipments)


# -- GraphQL over HTTP ------------------------------------------------------------------------


def test_pagination_walks_every_shipment_once(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    letzshop_sandbox.state.reset(shipments=95, seed=5)
    expected = [s["id"] for s in letzshop_sandbox.state.shipments if s["state"] == "unconfirmed"]
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        connection = _data(letzshop_sandbox, SHIPMENTS_QUERY, {"state": "unconfirmed", "first": 10, "after": after})[
            "shipments"
        ]
        pages += 1
        assert len(connection["nodes"]) <= 10
        seen += [node["id"] for node in connection["nodes"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == expected
    assert len(set(seen)) == len(seen)
    assert pages == -(-len(expected) // 10)
    assert len(seen) == _control(letzshop_sandbox, "state")["by_state"]["unconfirmed"]


def test_confirming_between_pages_skips_nothing(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    expected = [s["id"] for s in letzshop_sandbox.state.shipments if s["state"] == "unconfirmed"]
    first = _data(letzshop_sandbox, SHIPMENTS_QUERY, {"state": "unconfirmed", "first": 10})["shipments"]
    # An import confirms what it fetched before asking for the next page: those leave the filter.
    _confirm(letzshop_sandbox, *[(unit["id"], True) for node in first["nodes"] for unit in node["inventoryUnits"]])
    after = first["pageInfo"]["endCursor"]
    second = _data(letzshop_sandbox, SHIPMENTS_QUERY, {"state": "unconfirmed", "first": 10, "after": after})
    assert [node["id"] for node in second["shipments"]["nodes"]] == expected[10:20]


def test_connection_has_edges_page_info_and_page_size_limits() -> None:
    state = SandboxState(shipments=600, seed=2)
    query = (
        "query($first: Int, $after: String) { shipments(first: $first, after: $after) {"
        " nodes { id } edges { cursor node { id } }"
        " pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
    )

    def page(**variables: Any) -> dict[str, Any]:
        status, _, body = state.execute(query, variables, None, DEFAULT_API_KEY)
        assert status == 200 and isinstance(body, dict) and "errors" not in body, body
        return body["data"]["shipments"]

    first = page()
    assert len(first["nodes"]) == 50  # the default page size
    assert [edge["node"]["id"] for edge in first["edges"]] == [node["id"] for node in first["nodes"]]
    assert first["pageInfo"]["startCursor"] == first["edges"][0]["cursor"]
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]
    assert first["pageInfo"]["hasPreviousPage"] is False and first["pageInfo"]["hasNextPage"] is True
    second = page(first=10, after=first["pageInfo"]["endCursor"])
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert second["nodes"][0]["id"] == state.shipments[50]["id"]
    assert len(page(first=1000)["nodes"]) == 500  # capped
    _, _, bad = state.execute(query, {"after": "not a cursor"}, None, DEFAULT_API_KEY)
    assert isinstance(bad, dict) and "Invalid cursor" in bad["errors"][0]["message"]


def test_fast_path_answers_like_graphql_core() -> None:
    state = SandboxState(shipments=120, seed=3)
    document = parse(SHIPMENTS_QUERY)
    for variables in (
        {"state": "unconfirmed", "first": 40},
        {"state": "confirmed", "first": 5},
        {
            "first": 7,
            "after": state.execute(SHIPMENTS_QUERY, {"first": 3}, None, DEFAULT_API_KEY)[2]["data"]["shipments"][
                "pageInfo"
            ]["endCursor"],
        },  # type: ignore[index]
        {},
    ):
        _, _, fast = state.execute(SHIPMENTS_QUERY, variables, "Shipments", DEFAULT_API_KEY)
        reference = execute_sync(sandbox_schema(), document, context_value=state, variable_values=variables)
        assert fast == reference.formatted


def test_invalid_query_and_body_are_answered_with_errors(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    response = _post(letzshop_sandbox, "{ shipments { nodes { nope } } }")
    assert response.status_code == 200
    assert "nope" in response.json()["errors"][0]["message"]
    response = requests.post(letzshop_sandbox.url, data=b"not json", headers=AUTH, timeout=5)
    assert response.status_code == 400 and response.json()["errors"]
    assert requests.get(letzshop_sandbox.url, timeout=5).status_code == 405


def test_connections_are_kept_alive(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    connection = http.client.HTTPConnection("127.0.0.1", letzshop_sandbox.port, timeout=5)
    body = json.dumps({"query": "{ shipments(first: 1) { nodes { id } } }"})
    headers = {**AUTH, "Content-Type": "application/json"}
    sockets = []
    for _ in range(3):
        connection.request("POST", "/graphql", body=body, headers=headers)
        response = connection.getresponse()
        assert response.status == 200 and response.version == 11
        assert json.loads(response.read())["data"]["shipments"]["nodes"]
        sockets.append(connection.sock)
    assert sockets[0] is not None and sockets.count(sockets[0]) == 3
    connection.close()


# -- mutations --------------------------------------------------------------------------------


def test_confirming_every_unit_confirms_the_shipment(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    shipment = _shipment_with_units(letzshop_sandbox, 2)
    first, *rest = [unit["id"] for unit in shipment["inventoryUnits"]]
    before = _control(letzshop_sandbox, "state")

    payload = _confirm(letzshop_sandbox, (first, True))
    assert payload["errors"] == []
    assert payload["inventoryUnits"] == [{"id": first, "state": "confirmed_available"}]
    assert _control(letzshop_sandbox, f"shipments/{shipment['id']}")["state"] == "unconfirmed"

    _confirm(letzshop_sandbox, *[(unit_id, True) for unit_id in rest])
    detail = _control(letzshop_sandbox, f"shipments/{shipment['id']}")
    assert detail["state"] == "confirmed"
    assert {unit["state"] for unit in detail["inventoryUnits"]} == {"confirmed_available"}
    after = _control(letzshop_sandbox, "state")
    assert after["by_state"]["confirmed"] == before["by_state"]["confirmed"] + 1
    assert after["mutations"] == before["mutations"] + 2


def test_declining_every_unit_still_confirms_the_shipment(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    shipment = _shipment_with_units(letzshop_sandbox, 2)
    payload = _confirm(letzshop_sandbox, *[(unit["id"], False) for unit in shipment["inventoryUnits"]])
    assert {unit["state"] for unit in payload["inventoryUnits"]} == {"confirmed_unavailable"}
    detail = _control(letzshop_sandbox, f"shipments/{shipment['id']}")
    assert detail["state"] == "confirmed"  # "declined" is not a shipment state
    assert {unit["state"] for unit in detail["inventoryUnits"]} == {"confirmed_unavailable"}


def test_confirming_again_is_accepted_and_conflicts_are_reported(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    shipment = _shipment_with_units(letzshop_sandbox, 2)
    first, second = (unit["id"] for unit in shipment["inventoryUnits"][:2])
    _confirm(letzshop_sandbox, (first, True))

    retried = _confirm(letzshop_sandbox, (first, True))
    assert retried["errors"] == []
    assert retried["inventoryUnits"] == [{"id": first, "state": "confirmed_available"}]

    mixed = _confirm(letzshop_sandbox, (first, False), ("no-such-unit", True), (second, False))
    assert {(error["id"], error["code"]) for error in mixed["errors"]} == {
        (first, "invalid_state"),
        ("no-such-unit", "not_found"),
    }
    assert all(error["message"] for error in mixed["errors"])
    assert mixed["inventoryUnits"] == [{"id": second, "state": "confirmed_unavailable"}]
    units = {
        unit["id"]: unit["state"]
        for unit in _control(letzshop_sandbox, f"shipments/{shipment['id']}")["inventoryUnits"]
    }
    assert units[first] == "confirmed_available" and units[second] == "confirmed_unavailable"


def test_tracking_is_stored_and_ships_a_confirmed_shipment(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    shipment = _shipment_with_units(letzshop_sandbox, 1)
    _confirm(letzshop_sandbox, *[(unit["id"], True) for unit in shipment["inventoryUnits"]])

    payload = _set_tracking(letzshop_sandbox, shipment["id"], "GR123456789", "greco")
    assert payload["errors"] == []
    assert payload["shipment"]["state"] == "shipped"
    assert payload["shipment"]["tracking"] == {"code": "GR123456789", "provider": "greco"}
    nodes = _data(letzshop_sandbox, SHIPMENTS_QUERY, {"state": "shipped", "first": 50})["shipments"]["nodes"]
    assert [(node["id"], node["tracking"]["code"]) for node in nodes] == [(shipment["id"], "GR123456789")]
    detail = _control(letzshop_sandbox, f"shipments/{shipment['id']}")
    assert detail["storedTracking"] == {"code": "GR123456789", "provider": "greco"}

    missing = _set_tracking(letzshop_sandbox, "nope", "X", "dhl")
    assert missing["shipment"] is None
    assert [(error["id"], error["code"]) for error in missing["errors"]] == [("nope", "not_found")]


def test_tracking_does_not_read_back_when_told_so(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    response = requests.post(
        f"{letzshop_sandbox.base_url}/_sandbox/reset", json={"tracking_reads_back": False}, timeout=5
    )
    assert response.json()["tracking_reads_back"] is False
    shipment = _shipment_with_units(letzshop_sandbox, 1)
    _confirm(letzshop_sandbox, *[(unit["id"], True) for unit in shipment["inventoryUnits"]])

    payload = _set_tracking(letzshop_sandbox, shipment["id"], "6A0000000001", "colissimo")
    assert payload["shipment"]["tracking"] == shipment["tracking"]
    node = next(
        node
        for node in _data(letzshop_sandbox, SHIPMENTS_QUERY, {"state": "shipped"})["shipments"]["nodes"]
        if node["id"] == shipment["id"]
    )
    assert node["tracking"] == shipment["tracking"]
    assert (node["tracking"] or {}).get("code") != "6A0000000001"
    detail = _control(letzshop_sandbox, f"shipments/{shipment['id']}")
    assert detail["storedTracking"] == {"code": "6A0000000001", "provider": "colissimo"}


def test_an_order_is_changed_as_letzshops_support_would(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    shipment = _shipment_with_units(letzshop_sandbox, 1)
    url = f"{letzshop_sandbox.base_url}/_sandbox/shipments/{shipment['id']}"
    body = {"order": {"email": "corrected@example.lu", "shipAddress": {"city": "Diekirch"}}}
    changed = requests.post(url, json=body, timeout=5).json()
    assert changed["order"]["email"] == "corrected@example.lu"
    assert changed["order"]["shipAddress"]["city"] == "Diekirch"
    assert changed["order"]["shipAddress"]["lastName"] == shipment["order"]["shipAddress"]["lastName"]
    node = next(
        node
        for node in _data(letzshop_sandbox, SHIPMENTS_QUERY, {"state": shipment["state"]})["shipments"]["nodes"]
        if node["id"] == shipment["id"]
    )
    assert node["order"]["email"] == "corrected@example.lu"
    refused = requests.post(url, json={"order": {"id": "other"}}, timeout=5)
    assert refused.status_code == 400 and "'id'" in refused.json()["error"]
    unknown = requests.post(f"{letzshop_sandbox.base_url}/_sandbox/shipments/nope", json=body, timeout=5)
    assert unknown.status_code == 404


# -- auth and faults --------------------------------------------------------------------------


def test_wrong_key_is_answered_as_configured(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    query = "{ shipments(first: 1) { nodes { id } } }"
    for headers in ({"Authorization": "Bearer wrong"}, {}):
        response = _post(letzshop_sandbox, query, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"errors": [{"message": "Unauthorized: invalid API key"}]}

    letzshop_sandbox.state.update_faults({"bad_key_mode": "200"})
    response = _post(letzshop_sandbox, query, headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [{"message": "Unauthorized: invalid API key", "extensions": {"code": "UNAUTHENTICATED"}}],
    }


def test_scripted_faults_are_consumed_one_per_request(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    query = "{ shipments(first: 1) { nodes { id } } }"
    requests.post(f"{letzshop_sandbox.base_url}/_sandbox/faults", json={"fail_next": [429, 500, "garbage"]}, timeout=5)
    # Control endpoints are never faulted and do not consume the script.
    assert _control(letzshop_sandbox, "state")["faults"]["fail_next"] == [429, 500, "garbage"]

    throttled = _post(letzshop_sandbox, query)
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "1"
    assert throttled.headers["Content-Type"].startswith("text/plain")
    assert throttled.text == "Too Many Requests"

    failed = _post(letzshop_sandbox, query)
    assert failed.status_code == 500 and failed.text == "Internal Server Error"

    garbage = _post(letzshop_sandbox, query)
    assert garbage.status_code == 200 and garbage.headers["Content-Type"].startswith("text/html")

    assert _post(letzshop_sandbox, query).status_code == 200
    log = _control(letzshop_sandbox, "requests")["requests"]
    assert [(entry["status"], entry["fault"]) for entry in log[-4:]] == [
        (429, 429),
        (500, 500),
        (200, "garbage"),
        (200, None),
    ]


def test_drop_closes_the_connection_without_an_answer(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    letzshop_sandbox.state.update_faults({"fail_next": ["drop"]})
    with pytest.raises(requests.ConnectionError):
        _post(letzshop_sandbox, "{ shipments { nodes { id } } }")
    assert _post(letzshop_sandbox, "{ shipments { nodes { id } } }").status_code == 200
    with pytest.raises(DroppedConnection):
        letzshop_sandbox.state.update_faults({"fail_next": ["drop"]})
        letzshop_sandbox.state.execute("{ __typename }", api_key=DEFAULT_API_KEY)


def test_delay_and_timeout(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    letzshop_sandbox.state.update_faults({"delay_ms": 300})
    started = time.perf_counter()
    assert _post(letzshop_sandbox, "{ __typename }").status_code == 200
    assert time.perf_counter() - started >= 0.3

    letzshop_sandbox.state.update_faults({"reset": True, "fail_next": ["timeout"], "timeout_sleep_s": 0.5})
    started = time.perf_counter()
    status, _, body = letzshop_sandbox.state.execute("{ __typename }", api_key=DEFAULT_API_KEY)
    assert (status, body) == (504, "Gateway Timeout")
    assert time.perf_counter() - started >= 0.5

    letzshop_sandbox.state.update_faults({"fail_next": ["timeout"], "timeout_sleep_s": 0.5})
    with pytest.raises(requests.ReadTimeout):
        requests.post(letzshop_sandbox.url, json={"query": "{ __typename }"}, headers=AUTH, timeout=(5, 0.2))


def test_stopping_the_server_cuts_a_hanging_request_short() -> None:
    server = SandboxServer(SandboxState(shipments=5), port=0).start()
    server.state.update_faults({"fail_next": ["timeout"], "timeout_sleep_s": 30})
    outcome: list[Any] = []

    def call() -> None:
        try:
            outcome.append(requests.post(server.url, json={"query": "{ __typename }"}, headers=AUTH, timeout=10))
        except requests.RequestException as error:
            outcome.append(error)

    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(0.3)
    started = time.perf_counter()
    server.stop()
    thread.join(timeout=10)
    assert time.perf_counter() - started < 5
    assert not thread.is_alive() and outcome


def test_probabilistic_faults_are_repeatable() -> None:
    def statuses() -> list[int]:
        state = SandboxState(shipments=3, seed=11, faults={"rate_429": 0.3, "rate_500": 0.3})
        return [state.execute("{ __typename }", api_key=DEFAULT_API_KEY)[0] for _ in range(40)]

    first = statuses()
    assert first == statuses()
    assert {200, 429, 500} == set(first)
    always = SandboxState(shipments=3, faults={"rate_429": 1.0})
    status, headers, body = always.execute("{ __typename }", api_key=DEFAULT_API_KEY)
    assert (status, headers["Retry-After"], body) == (429, "1", "Too Many Requests")


# -- control endpoints ------------------------------------------------------------------------


def test_control_endpoints(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    summary = _control(letzshop_sandbox, "state")
    assert summary["shipments"] == 60
    assert sum(summary["by_state"].values()) == 60
    assert sum(summary["units_by_state"].values()) == len(_units(letzshop_sandbox.state.shipments))
    assert set(summary) >= {"shipments", "by_state", "units_by_state", "requests", "mutations", "faults"}

    shipment_id = letzshop_sandbox.state.shipments[0]["id"]
    detail = _control(letzshop_sandbox, f"shipments/{shipment_id}")
    assert detail["id"] == shipment_id and detail["inventoryUnits"] and "storedTracking" in detail
    assert requests.get(f"{letzshop_sandbox.base_url}/_sandbox/shipments/nope", timeout=5).status_code == 404

    faults_url = f"{letzshop_sandbox.base_url}/_sandbox/faults"
    merged = requests.post(faults_url, json={"rate_429": 0.25, "delay_ms": 5}, timeout=5).json()
    assert (merged["rate_429"], merged["delay_ms"], merged["rate_500"]) == (0.25, 5, 0.0)
    assert requests.post(faults_url, json={"rate_429": 2}, timeout=5).status_code == 400
    assert requests.post(faults_url, json={"bogus": 1}, timeout=5).status_code == 400
    assert requests.post(faults_url, json={"fail_next": ["explode"]}, timeout=5).status_code == 400
    cleared = requests.post(faults_url, json={"reset": True}, timeout=5).json()
    assert (cleared["rate_429"], cleared["delay_ms"]) == (0.0, 0)

    reset = requests.post(
        f"{letzshop_sandbox.base_url}/_sandbox/reset",
        json={"shipments": 12, "seed": 4, "unmatched_ratio": 0.5, "units_per_shipment": 2},
        timeout=5,
    ).json()
    assert (reset["shipments"], reset["seed"], reset["units_per_shipment"]) == (12, 4, 2)
    assert reset["units_by_state"] == {"unconfirmed": 24}
    assert letzshop_sandbox.state.shipments == seed_shipments(12, 4, unmatched_ratio=0.5, units_per_shipment=2)
    assert requests.post(f"{letzshop_sandbox.base_url}/_sandbox/reset", json={"nope": 1}, timeout=5).status_code == 400


def test_request_log_never_holds_the_key() -> None:
    secret = "sk-live-7c1f0e2b-never-logged"
    with SandboxServer(SandboxState(shipments=5, api_key=secret), port=0) as server:
        variables = {"state": "unconfirmed", "first": 2, "after": None}
        ok = requests.post(
            server.url,
            json={"query": SHIPMENTS_QUERY, "variables": variables, "operationName": "Shipments"},
            headers={"Authorization": f"Bearer {secret}"},
            timeout=5,
        )
        assert ok.status_code == 200 and ok.json()["data"]["shipments"]["nodes"]
        refused = requests.post(
            server.url, json={"query": "{ __typename }"}, headers={"Authorization": f"Bearer {secret}x"}, timeout=5
        )
        assert refused.status_code == 401
        log_text = requests.get(f"{server.base_url}/_sandbox/requests", timeout=5).text
        state_text = requests.get(f"{server.base_url}/_sandbox/state", timeout=5).text
    log = json.loads(log_text)["requests"]
    assert [(entry["operationName"], entry["variables"], entry["status"]) for entry in log] == [
        ("Shipments", variables, 200),
        (None, None, 401),
    ]
    assert secret not in log_text and secret not in state_text
    assert "Bearer" not in log_text


def test_introspection_answers_the_schema_it_serves(letzshop_sandbox: SandboxServer) -> None:  # noqa: F811
    """What ``manage.py letzshop_schema_check`` asks for: the sandbox's schema, by introspection."""
    from graphql import build_client_schema, get_introspection_query, lexicographic_sort_schema, print_schema

    data = _data(letzshop_sandbox, get_introspection_query(descriptions=False))
    served = build_client_schema(data)
    assert print_schema(lexicographic_sort_schema(served)) == print_schema(lexicographic_sort_schema(sandbox_schema()))
    # Like every other query, only with a valid key.
    response = _post(letzshop_sandbox, get_introspection_query(), headers={})
    assert response.status_code == 401
