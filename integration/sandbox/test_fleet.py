"""The sandbox's many-store mode: one key per store, growing shipments, per-key latency and limit."""

from __future__ import annotations

import json

import pytest
import requests

from letzshop.client import LetzshopClient, RateLimited
from letzshop.client.documents import document_text
from sandbox import SandboxServer, StoreFleet, fleet_key

pytestmark = pytest.mark.letzshop

SHIPMENTS_QUERY = document_text("shipments")


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _ids(fleet: StoreFleet, key: str) -> list[str]:
    request = {"query": SHIPMENTS_QUERY, "variables": {"state": "unconfirmed", "first": 500}}
    status, _, body = fleet.execute_http(json.dumps(request).encode(), f"Bearer {key}")
    assert status == 200, body
    return [node["id"] for node in body["data"]["shipments"]["nodes"]]


def test_each_key_sees_its_own_shipments_and_a_stranger_is_refused():
    fleet = StoreFleet(stores=3, shipments=5)
    first, second = (_ids(fleet, fleet_key(index)) for index in (1, 2))
    assert len(first) == len(second) == 5
    assert not set(first) & set(second)
    status, _, _ = fleet.execute_http(b"{}", "Bearer not-a-fleet-key")
    assert status == 401


def test_new_unconfirmed_shipments_appear_at_the_configured_rate():
    clock = Clock()
    start = clock.now
    fleet = StoreFleet(stores=2, shipments=3, new_per_minute=6, clock=clock)
    key = fleet_key(1)
    assert len(_ids(fleet, key)) == 3
    clock.now += 600  # 6 a minute on average: about 60 in ten minutes
    ids = _ids(fleet, key)
    appeared = fleet.appeared()[key]
    assert 35 <= len(appeared) <= 85
    assert len(ids) == 3 + len(appeared)
    assert sorted(appeared) == sorted(ids[3:])
    # Each is stamped with the moment it was due, not with the request that noticed it, at
    # random moments (not in step with anything).
    moments = sorted(appeared.values())
    assert start < moments[0] and moments[-1] <= clock.now
    gaps = {round(b - a, 3) for a, b in zip(moments, moments[1:], strict=False)}
    assert len(gaps) > len(moments) // 2
    # The same for every key, each with its own shipments at its own moments.
    other = fleet.appeared()[fleet_key(2)]
    assert other and not set(other) & set(ids)
    assert sorted(other.values()) != moments


def test_a_key_over_its_rate_limit_gets_429_with_retry_after_and_others_do_not():
    clock = Clock()
    fleet = StoreFleet(stores=2, shipments=1, rate_limit=3, clock=clock)
    busy, calm = fleet_key(1), fleet_key(2)
    statuses = []
    for _ in range(5):
        clock.now += 0.1
        statuses.append(fleet.execute_http(b"{}", f"Bearer {busy}"))
    assert [status for status, _, _ in statuses] == [200, 200, 200, 429, 429]
    assert statuses[3][1]["Retry-After"] == "1"
    assert fleet.execute_http(b"{}", f"Bearer {calm}")[0] == 200  # served (GraphQL errors for an empty body, not a 429)
    clock.now += 1.0  # the first three are out of the sliding second
    assert fleet.execute_http(b"{}", f"Bearer {busy}")[0] == 200
    stats = fleet.key_stats()[busy]
    assert stats["throttled"] == 2
    assert stats["requests"] == 6
    assert stats["max_sliding_second"] == 5
    assert fleet.key_stats()[calm]["throttled"] == 0


def test_faults_and_limits_for_some_keys_only():
    fleet = StoreFleet(stores=3, shipments=1)
    fleet.update_faults({"keys": [fleet_key(2)], "delay_ms": 250, "rate_limit": 7})
    stats = fleet.key_stats()
    assert (stats[fleet_key(2)]["delay_ms"], stats[fleet_key(2)]["rate_limit"]) == (250, 7)
    assert (stats[fleet_key(1)]["delay_ms"], stats[fleet_key(1)]["rate_limit"]) == (0, 0)
    with pytest.raises(ValueError, match="no store has the key"):
        fleet.update_faults({"keys": ["nobody"], "delay_ms": 1})
    with pytest.raises(ValueError, match="rate_limit"):
        fleet.update_faults({"rate_limit": -1})


def test_over_http_a_client_per_key_and_the_control_reads():
    fleet = StoreFleet(stores=4, shipments=7, rate_limit=2, new_per_minute=0)
    with SandboxServer(fleet, port=0) as server:
        with LetzshopClient(api_key=fleet_key(3), endpoint=server.url, rate_limit_waits=0) as client:
            page = client.shipments_page(first=100)
            assert len(page.shipments) == 7
            client.shipments_page(first=100)
            with pytest.raises(RateLimited) as caught:
                client.shipments_page(first=100)
            assert caught.value.retry_after >= 1
        keys = requests.get(f"{server.base_url}/_sandbox/keys", timeout=5).json()["keys"]
        assert keys[fleet_key(3)]["throttled"] == 1
        assert keys[fleet_key(1)]["requests"] == 0
        state = requests.get(f"{server.base_url}/_sandbox/state", timeout=5).json()
        assert state["stores"] == 4 and state["shipments"] == 28
        appeared = requests.get(f"{server.base_url}/_sandbox/appeared", timeout=5).json()["appeared"]
        assert appeared[fleet_key(1)] == {}
        answer = requests.post(
            f"{server.base_url}/_sandbox/faults", json={"keys": [fleet_key(1)], "new_per_minute": "x"}, timeout=5
        )
        assert answer.status_code == 400
