"""One rate limit per Letzshop key, shared by every process that calls Letzshop with it.

Each key has a "next free slot": the earliest moment its next request may leave. A caller
reserves the slot (moving it one interval on) and sleeps until it; a caller whose slot lies more
than ``max_wait`` ahead reserves nothing and is told how long to wait instead (the client raises
``RateLimited``, as for Letzshop's own 429). Slots are ``interval = (1 + margin) / rate`` apart,
so that the requests of every worker together leave evenly spaced and a key never gets more than
``rate`` requests in any second, even with some network jitter (the margin).

A 429 with Retry-After moves the key's slot to the end of the pause: every worker's next call
for that key waits for it, imports and fulfillment alike.

The slot lives in Redis when the broker is Redis (one Lua script, Redis's clock), else in the
database (one conditional UPDATE, the worker's clock). Keys are identified by a hash of the
endpoint and the key, never the key itself. See docs/scaling.md.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Protocol

from .options import setting

logger = logging.getLogger(__name__)

DEFAULT_MARGIN = 0.2
# A key's slot is forgotten after this long without a request (Redis) ...
SLOT_TTL_SECONDS = 3600


def limit_key(*, endpoint: str, api_key: str) -> str:
    """What identifies a key in the shared store: a hash, so the key itself is never written."""
    return hashlib.sha256(f"{endpoint}\n{api_key}".encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Turn:
    """A reservation: ``granted`` with ``wait`` seconds to sleep before sending, or refused with
    ``wait`` seconds until a slot within reach."""

    granted: bool
    wait: float


class SlotStore(Protocol):
    def reserve(self, key: str, *, interval: float, max_wait: float) -> Turn: ...

    def pause(self, key: str, *, seconds: float) -> None: ...


class KeyRateLimiter:
    """``rate`` requests per second per key, over a shared ``SlotStore``."""

    def __init__(self, store: SlotStore, *, rate: float, max_wait: float = 10.0, margin: float = DEFAULT_MARGIN):
        if rate <= 0:
            raise ValueError("the rate is a number of requests per second > 0")
        self.store = store
        self.rate = rate
        self.interval = (1 + margin) / rate
        self.max_wait = max_wait

    def reserve(self, key: str, *, max_wait: float | None = None) -> Turn:
        return self.store.reserve(key, interval=self.interval, max_wait=self.max_wait if max_wait is None else max_wait)

    def pause(self, key: str, *, seconds: float) -> None:
        """Letzshop asked this key to wait: no worker sends for it before ``seconds`` from now."""
        if seconds > 0:
            self.store.pause(key, seconds=seconds)


# --- Redis --------------------------------------------------------------------------------------

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local wait = slot - now
if wait > tonumber(ARGV[2]) then
  return {0, tostring(wait)}
end
redis.call('SET', KEYS[1], string.format('%.6f', slot + tonumber(ARGV[1])), 'EX', ARGV[3])
return {1, tostring(wait)}
"""

_PAUSE = """
local t = redis.call('TIME')
local resume = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[1])
if resume > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.6f', resume), 'EX', ARGV[2])
end
return 1
"""


class RedisSlots:
    """Slots in Redis: atomic by Lua, on Redis's clock (the same for every machine)."""

    def __init__(self, url: str, *, prefix: str = "letzshop:rate:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.prefix = prefix
        self._reserve = self.redis.register_script(_RESERVE)
        self._pause = self.redis.register_script(_PAUSE)

    def reserve(self, key: str, *, interval: float, max_wait: float) -> Turn:
        granted, wait = self._reserve(keys=[self.prefix + key], args=[interval, max_wait, SLOT_TTL_SECONDS])
        return Turn(granted=bool(int(granted)), wait=max(0.0, float(wait)))

    def pause(self, key: str, *, seconds: float) -> None:
        self._pause(keys=[self.prefix + key], args=[seconds, SLOT_TTL_SECONDS + int(seconds)])


# --- the database -------------------------------------------------------------------------------


class DatabaseSlots:
    """Slots in the database (``LetzshopKeySlot``), for the embedded broker: one conditional
    UPDATE per reservation, serialised by the row's lock (PostgreSQL) or the write lock
    (SQLite). Call it outside a transaction: inside one, the row stays locked until it ends."""

    def __init__(self, clock=time.time) -> None:
        self.clock = clock

    def _ensure(self, key: str) -> None:
        from django.db import IntegrityError, transaction

        from letzshop.models import LetzshopKeySlot

        if not LetzshopKeySlot.objects.filter(key=key).exists():
            try:
                with transaction.atomic():
                    LetzshopKeySlot.objects.create(key=key, next_at=0.0)
            except IntegrityError:
                pass  # another worker created it first

    def reserve(self, key: str, *, interval: float, max_wait: float) -> Turn:
        from django.db import transaction
        from django.db.models import F, Value
        from django.db.models.functions import Greatest

        from letzshop.models import LetzshopKeySlot

        self._ensure(key)
        now = self.clock()
        rows = LetzshopKeySlot.objects.filter(key=key)
        with transaction.atomic():
            granted = rows.filter(next_at__lte=now + max_wait).update(
                next_at=Greatest(F("next_at"), Value(now)) + Value(interval)
            )
            next_at = rows.values_list("next_at", flat=True).get()
        if granted:
            return Turn(granted=True, wait=max(0.0, next_at - interval - now))
        return Turn(granted=False, wait=max(0.0, next_at - now))

    def pause(self, key: str, *, seconds: float) -> None:
        from letzshop.models import LetzshopKeySlot

        self._ensure(key)
        resume = self.clock() + seconds
        LetzshopKeySlot.objects.filter(key=key, next_at__lt=resume).update(next_at=resume)


# --- the process's limiter, from the settings ----------------------------------------------------

_configured: dict[tuple, KeyRateLimiter | None] = {}


def limiter_from_settings() -> KeyRateLimiter | None:
    """The limiter the settings describe (None when LETZSHOP_RATE_LIMIT_PER_SECOND is 0 or Django
    is not configured), one per process."""
    rate = float(setting("LETZSHOP_RATE_LIMIT_PER_SECOND", 0) or 0)
    if rate <= 0:
        return None
    backend = setting("LETZSHOP_RATE_LIMIT_BACKEND", "auto")
    url = setting("LETZSHOP_RATE_LIMIT_REDIS_URL", "") or setting("CELERY_BROKER_URL", "")
    if backend == "auto":
        backend = "redis" if url.startswith(("redis://", "rediss://")) else "database"
    max_wait = float(setting("LETZSHOP_RATE_LIMIT_MAX_WAIT_SECONDS", 10))
    margin = float(setting("LETZSHOP_RATE_LIMIT_MARGIN", DEFAULT_MARGIN))
    signature = (rate, backend, url if backend == "redis" else "", max_wait, margin)
    if signature not in _configured:
        store: SlotStore = RedisSlots(url) if backend == "redis" else DatabaseSlots()
        _configured[signature] = KeyRateLimiter(store, rate=rate, max_wait=max_wait, margin=margin)
    return _configured[signature]
