"""One rate limit per Letzshop key, shared by every client of the key (letzshop.client.ratelimit)."""

from __future__ import annotations

import time
import uuid

import pytest
from django.conf import settings

from letzshop.client import LetzshopClient, RateLimited
from letzshop.client.ratelimit import (
    DatabaseSlots,
    KeyRateLimiter,
    RedisSlots,
    limit_key,
    limiter_from_settings,
)
from letzshop.models import LetzshopKeySlot
from sandbox import SandboxServer, StoreFleet, fleet_key

pytestmark = pytest.mark.letzshop


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _redis_url() -> str:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        pytest.skip("the Redis slots need the broker on Redis (CELERY_BROKER_URL=redis://...)")
    return url


def test_the_key_is_kept_as_a_hash_never_as_itself():
    key = limit_key(endpoint="https://letzshop.lu/graphql", api_key="secret-key-123")
    assert "secret" not in key and len(key) == 40
    assert key != limit_key(endpoint="https://letzshop.lu/graphql", api_key="secret-key-124")


@pytest.mark.django_db
def test_database_slots_space_requests_and_refuse_beyond_the_wait():
    clock = Clock()
    limiter = KeyRateLimiter(DatabaseSlots(clock=clock), rate=4, max_wait=1.0, margin=0.0)
    waits = [limiter.reserve("k") for _ in range(5)]
    assert [turn.granted for turn in waits] == [True] * 5
    assert [round(turn.wait, 3) for turn in waits] == [0.0, 0.25, 0.5, 0.75, 1.0]
    refused = limiter.reserve("k")
    assert not refused.granted and round(refused.wait, 3) == 1.25
    # A refusal reserves nothing: once time has passed, the next slot is where it was.
    clock.now += 1.0
    assert round(limiter.reserve("k").wait, 3) == 0.25
    # Another key has its own slots.
    assert limiter.reserve("other").wait == 0.0
    assert LetzshopKeySlot.objects.count() == 2


@pytest.mark.django_db
def test_database_slots_a_pause_holds_every_caller_of_the_key():
    clock = Clock()
    limiter = KeyRateLimiter(DatabaseSlots(clock=clock), rate=10, max_wait=2.0, margin=0.0)
    limiter.pause("k", seconds=5)
    turn = limiter.reserve("k")
    assert not turn.granted and round(turn.wait, 3) == 5.0
    # A shorter pause never shortens a longer one.
    limiter.pause("k", seconds=1)
    assert round(limiter.reserve("k").wait, 3) == 5.0
    clock.now += 4
    turn = limiter.reserve("k")
    assert turn.granted and round(turn.wait, 3) == 1.0


def test_redis_slots_space_requests_and_pause():
    slots = RedisSlots(_redis_url(), prefix=f"test:rate:{uuid.uuid4().hex}:")
    limiter = KeyRateLimiter(slots, rate=10, max_wait=0.5, margin=0.0)
    waits = [limiter.reserve("k").wait for _ in range(4)]
    assert waits[0] == pytest.approx(0.0, abs=0.05)
    assert [round(b - a, 2) for a, b in zip(waits, waits[1:], strict=False)] == [0.1, 0.1, 0.1]
    limiter.pause("k", seconds=3)
    turn = limiter.reserve("k")
    assert not turn.granted and turn.wait == pytest.approx(3.0, abs=0.2)


@pytest.mark.django_db
def test_the_settings_choose_the_store(settings):
    settings.LETZSHOP_RATE_LIMIT_PER_SECOND = 0
    assert limiter_from_settings() is None
    settings.LETZSHOP_RATE_LIMIT_PER_SECOND = 7
    settings.CELERY_BROKER_URL = "filesystem://"
    limiter = limiter_from_settings()
    assert isinstance(limiter.store, DatabaseSlots) and limiter.rate == 7
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/2"
    assert isinstance(limiter_from_settings().store, RedisSlots)


@pytest.mark.django_db(transaction=True)
def test_a_429_pauses_every_client_of_the_key_and_clients_keep_under_the_limit():
    fleet = StoreFleet(stores=2, shipments=3, rate_limit=5)
    limiter = KeyRateLimiter(DatabaseSlots(), rate=5, max_wait=1)
    with SandboxServer(fleet, port=0) as server:
        first = LetzshopClient(api_key=fleet_key(1), endpoint=server.url, limiter=limiter, rate_limit_waits=0)
        second = LetzshopClient(api_key=fleet_key(1), endpoint=server.url, limiter=limiter, rate_limit_waits=0)
        other = LetzshopClient(api_key=fleet_key(2), endpoint=server.url, limiter=limiter, rate_limit_waits=0)
        for _ in range(6):
            first.shipments_page(first=10)
            second.shipments_page(first=10)
        assert fleet.key_stats()[fleet_key(1)]["max_sliding_second"] <= 5
        assert fleet.key_stats()[fleet_key(1)]["throttled"] == 0

        fleet.stores[fleet_key(1)].update_faults({"fail_next": [429], "retry_after": 30})
        with pytest.raises(RateLimited) as caught:
            first.shipments_page(first=10)
        assert caught.value.retry_after == 3  # bounded by LETZSHOP_MAX_RETRY_AFTER_SECONDS in tests
        sent = fleet.key_stats()[fleet_key(1)]["requests"]
        started = time.monotonic()
        with pytest.raises(RateLimited, match="shared rate limit"):
            second.shipments_page(first=10)  # refused here, never sent
        assert time.monotonic() - started < 1
        assert fleet.key_stats()[fleet_key(1)]["requests"] == sent
        # Another key is not held.
        assert len(other.shipments_page(first=10).shipments) == 3
        for client in (first, second, other):
            client.close()


@pytest.mark.django_db(transaction=True)
def test_a_connection_test_waits_briefly_for_its_turn_and_says_why_it_did_not():
    fleet = StoreFleet(stores=1, shipments=1)
    limiter = KeyRateLimiter(DatabaseSlots(), rate=5, max_wait=30)
    with SandboxServer(fleet, port=0) as server:
        with LetzshopClient(api_key=fleet_key(1), endpoint=server.url, limiter=limiter) as client:
            assert client.test_connection().success
            limiter.pause(client._limit_key, seconds=20)  # another worker met a 429 for this key
            started = time.monotonic()
            outcome = client.test_connection()
    assert time.monotonic() - started < 2
    assert not outcome.success and "rate limiting" in outcome.message
    assert fleet.key_stats()[fleet_key(1)]["requests"] == 1
