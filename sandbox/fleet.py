"""Many stores' Letzshop in one sandbox: one key per store, each with its own shipments.

A ``StoreFleet`` holds one ``FleetStore`` (a ``SandboxState``) per key and routes each request
by its ``Authorization`` header. Per key, on top of what a single sandbox does:

- new unconfirmed shipments appear over time (``new_per_minute`` on average, at random moments),
  each remembered with the
  moment it appeared, so that a benchmark can tell how long an order waited to be imported;
- an added latency (``delay_ms``);
- a rate limit (``rate_limit`` requests per second, in any sliding second): a request beyond it
  is answered 429 with ``Retry-After``, and is not served;
- counts of what the key got: requests in each wall-clock second and in any sliding second, 429s.

See docs/sandbox.md ("Many stores").
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from typing import Any

from .seed import seed_shipments
from .state import DEFAULT_API_KEY, Response, SandboxState

DEFAULT_KEY_PREFIX = "letzshop-store-"
# New shipments are seeded this many at a time, each batch from its own seed.
GROWTH_BATCH = 20


def fleet_key(index: int, prefix: str = DEFAULT_KEY_PREFIX) -> str:
    """The key of the fleet's store ``index`` (1-based)."""
    return f"{prefix}{index:04d}"


class FleetStore(SandboxState):
    """One store of the fleet: a sandbox whose shipments grow and whose key is rate limited."""

    def __init__(
        self,
        *,
        new_per_minute: float = 0.0,
        rate_limit: int = 0,
        clock=time.time,
        **options: Any,
    ) -> None:
        self.clock = clock
        self.new_per_minute = float(new_per_minute)
        self.rate_limit = int(rate_limit)
        super().__init__(**options)

    def reset(self, **changes: Any) -> dict[str, Any]:
        with self.lock:
            summary = super().reset(**changes)
            self._arrivals_rng = random.Random(f"{self.seed}:{self.api_key}:arrivals")
            self._next_due = self._following(self.clock())
            self._spare: list[dict[str, Any]] = []
            self.appeared: dict[str, float] = {}
            self._accepted: deque[float] = deque()
            self._arrivals: deque[float] = deque()
            self.per_second: Counter[int] = Counter()
            self.max_sliding = 0
            self.throttled = 0
            return summary

    def configure(self, *, new_per_minute: float | None = None, rate_limit: int | None = None) -> None:
        with self.lock:
            if new_per_minute is not None:
                self.grow()
                # Shipments due so far stay; the new rate counts from now.
                self.new_per_minute = float(new_per_minute)
                self._next_due = self._following(self.clock())
            if rate_limit is not None:
                self.rate_limit = int(rate_limit)

    def _following(self, moment: float) -> float:
        """When the next shipment appears: a Poisson process (exponential gaps, from the key's own
        seeded generator), so that stores' orders do not arrive in step with their syncs."""
        if self.new_per_minute <= 0:
            return math.inf
        return moment + self._arrivals_rng.expovariate(self.new_per_minute / 60)

    def grow(self) -> None:
        """Add the shipments due by now (under the lock)."""
        now = self.clock()
        while self._next_due <= now:
            if not self._spare:
                batch = len(self.appeared) // GROWTH_BATCH
                self._spare = seed_shipments(
                    GROWTH_BATCH,
                    f"{self.seed}:{self.api_key}:new:{batch}",
                    unmatched_ratio=0.0,
                    units_per_shipment=self.units_per_shipment or 1,
                )
            shipment = self._spare.pop(0)
            self.shipments.append(shipment)
            self._by_id[shipment["id"]] = shipment
            for unit in shipment["inventoryUnits"]:
                self._units[unit["id"]] = (unit, shipment)
            # The moment it was due, not the moment a request noticed it.
            self.appeared[shipment["id"]] = self._next_due
            self._next_due = self._following(self._next_due)

    def _admit(self) -> int | None:
        """Count an arrival; None if it may be served, else the Retry-After of its 429."""
        now = self.clock()
        self.per_second[int(now)] += 1
        self._arrivals.append(now)
        while self._arrivals and self._arrivals[0] <= now - 1:
            self._arrivals.popleft()
        self.max_sliding = max(self.max_sliding, len(self._arrivals))
        if self.rate_limit <= 0:
            return None
        while self._accepted and self._accepted[0] <= now - 1:
            self._accepted.popleft()
        if len(self._accepted) >= self.rate_limit:
            self.throttled += 1
            return max(1, math.ceil(self._accepted[0] + 1 - now))
        self._accepted.append(now)
        return None

    def _answer(self, request: dict[str, Any] | None, api_key: str | None) -> Response:
        with self.lock:
            self.grow()
            retry_after = self._admit()
        if retry_after is not None:
            return self._throttled(retry_after)
        return super()._answer(request, api_key)

    def stats(self) -> dict[str, Any]:
        with self.lock:
            self.grow()
            unconfirmed = sum(1 for shipment in self.shipments if shipment["state"] == "unconfirmed")
            return {
                "shipments": len(self.shipments),
                "unconfirmed": unconfirmed,
                "appeared": len(self.appeared),
                "requests": self.request_count + self.throttled,
                "mutations": self.mutation_count,
                "throttled": self.throttled,
                "max_per_second": max(self.per_second.values(), default=0),
                "max_sliding_second": self.max_sliding,
                "rate_limit": self.rate_limit,
                "delay_ms": self.faults.delay_ms,
                "new_per_minute": self.new_per_minute,
            }


class StoreFleet:
    """Many FleetStores behind one endpoint, chosen by the request's key. The server uses the same
    methods as on a SandboxState (``execute_http``, ``summary``, ``reset``, ``update_faults``...)."""

    def __init__(
        self,
        *,
        stores: int = 50,
        shipments: int = 20,
        seed: int | str = 1,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        unmatched_ratio: float = 0.0,
        units_per_shipment: int | None = 1,
        new_per_minute: float = 0.0,
        rate_limit: int = 0,
        faults: Mapping[str, Any] | None = None,
        clock=time.time,
    ) -> None:
        if stores < 1:
            raise ValueError("a fleet has at least one store")
        self.lock = threading.RLock()
        self.stop_event = threading.Event()
        self.seed = seed
        self.key_prefix = key_prefix
        self.stores: dict[str, FleetStore] = {}
        for index in range(1, stores + 1):
            key = fleet_key(index, key_prefix)
            store = FleetStore(
                shipments=shipments,
                seed=f"{seed}:{index}",
                api_key=key,
                unmatched_ratio=unmatched_ratio,
                units_per_shipment=units_per_shipment,
                new_per_minute=new_per_minute,
                rate_limit=rate_limit,
                faults=faults,
                clock=clock,
            )
            # One event for all: a stop cuts every store's delays short.
            store.stop_event = self.stop_event
            self.stores[key] = store
        # Who answers a request with no key of the fleet (a 401, as any store would).
        self._stranger = SandboxState(shipments=0, seed=seed, api_key=DEFAULT_API_KEY + ":none", faults=faults)
        self._stranger.stop_event = self.stop_event

    @property
    def keys(self) -> list[str]:
        return list(self.stores)

    def _pick(self, keys: Iterable[str] | None) -> list[FleetStore]:
        if keys is None:
            return list(self.stores.values())
        picked = []
        for key in keys:
            if key not in self.stores:
                raise ValueError(f"no store has the key {key!r}")
            picked.append(self.stores[key])
        return picked

    # -- what the server calls ---------------------------------------------------------------

    def execute_http(self, body: bytes, authorization: str | None) -> Response:
        key = authorization[7:].strip() if authorization and authorization[:7].lower() == "bearer " else None
        store = self.stores.get(key or "", self._stranger)
        return store.execute_http(body, authorization)

    def update_faults(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Faults for every store, or for the stores of ``changes["keys"]``; also ``rate_limit``
        and ``new_per_minute``."""
        changes = dict(changes)
        keys = changes.pop("keys", None)
        if keys is not None and not isinstance(keys, list):
            raise ValueError("keys is a list of keys")
        limits = {name: changes.pop(name) for name in ("rate_limit", "new_per_minute") if name in changes}
        for name, value in limits.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} is a number >= 0")
        stores = self._pick(keys)
        answer: dict[str, Any] = {}
        for store in stores:
            answer = store.update_faults(changes)
            store.configure(
                rate_limit=int(limits["rate_limit"]) if "rate_limit" in limits else None,
                new_per_minute=limits.get("new_per_minute"),
            )
        if keys is None:
            self._stranger.update_faults(changes)
        return {**answer, "stores": len(stores)}

    def reset(self, **changes: Any) -> dict[str, Any]:
        for store in self.stores.values():
            store.reset(**{name: value for name, value in changes.items() if name != "seed"})
        return self.summary()

    def summary(self) -> dict[str, Any]:
        stats = [store.stats() for store in self.stores.values()]
        by_state: Counter[str] = Counter()
        for store in self.stores.values():
            with store.lock:
                by_state.update(shipment["state"] for shipment in store.shipments)
        return {
            "stores": len(self.stores),
            "key_prefix": self.key_prefix,
            "shipments": sum(item["shipments"] for item in stats),
            "by_state": dict(sorted(by_state.items())),
            "requests": sum(item["requests"] for item in stats),
            "throttled": sum(item["throttled"] for item in stats),
            "appeared": sum(item["appeared"] for item in stats),
            "seed": self.seed,
        }

    def request_log(self) -> list[dict[str, Any]]:
        entries = [entry for store in self.stores.values() for entry in store.request_log()]
        return sorted(entries, key=lambda entry: entry["at"])[-200:]

    def shipment_detail(self, shipment_id: str) -> dict[str, Any] | None:
        for store in self.stores.values():
            detail = store.shipment_detail(shipment_id)
            if detail is not None:
                return detail
        return None

    # -- the fleet's own control reads ----------------------------------------------------------

    def key_stats(self) -> dict[str, dict[str, Any]]:
        return {key: store.stats() for key, store in self.stores.items()}

    def appeared(self) -> dict[str, dict[str, float]]:
        """Per key, the shipments that appeared after the start and when (epoch seconds)."""
        answer = {}
        for key, store in self.stores.items():
            with store.lock:
                store.grow()
                answer[key] = dict(store.appeared)
        return answer
