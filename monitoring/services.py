"""Beat's heartbeat and the readiness of a process: database, broker, beat (docs/operations.md)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from monitoring.models import Heartbeat

logger = logging.getLogger(__name__)

BEAT = "beat"

OK = "ok"
DOWN = "down"
STALE = "stale"
MISSING = "missing"


def heartbeat_write(*, name: str = BEAT, at: datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": at or timezone.now()})


@dataclass(frozen=True)
class Readiness:
    """``checks`` maps each check to ``ok``, ``down``, ``stale`` or ``missing``. The process is
    ready while the database and the broker are up; beat's state is reported, not required: a
    web process serves without beat, and an alert on the heartbeat calls a person (docs/operations.md)."""

    checks: dict[str, str]
    beat_at: datetime | None = None
    beat_age_seconds: float | None = None
    errors: dict[str, str] = field(default_factory=dict)

    REQUIRED = ("database", "broker")

    @property
    def failing(self) -> list[str]:
        return [name for name in self.REQUIRED if self.checks.get(name) != OK]

    @property
    def ready(self) -> bool:
        return not self.failing

    def as_dict(self) -> dict[str, Any]:
        """The answer of /readyz. Error texts stay in the server's log: anyone may call it."""
        answer: dict[str, Any] = {"status": "ok" if self.ready else "unavailable", "checks": dict(self.checks)}
        if self.failing:
            answer["failing"] = self.failing
        answer["beat"] = {
            "last_heartbeat": self.beat_at.isoformat() if self.beat_at else None,
            "age_seconds": round(self.beat_age_seconds) if self.beat_age_seconds is not None else None,
            "stale_after_seconds": beat_stale_after_seconds(),
        }
        return answer


def beat_stale_after_seconds() -> int:
    return 2 * settings.BEAT_HEARTBEAT_SECONDS


def _database_check() -> str:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("readiness: the database is down: %s", exc)
        # A broken connection is not reused by the next check.
        connection.close_if_unusable_or_obsolete()
        raise
    return OK


def _broker_check() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith("memory://"):
        return OK
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    if url.startswith("filesystem://"):
        folders = [options.get("data_folder_in"), options.get("data_folder_out")]
        if all(folder and os.path.isdir(folder) and os.access(folder, os.W_OK) for folder in folders):
            return OK
        raise OSError(f"the broker's folders are missing or not writable: {folders}")
    from kombu import Connection

    timeout = settings.READINESS_BROKER_TIMEOUT
    options.setdefault("socket_timeout", timeout)
    options.setdefault("socket_connect_timeout", timeout)
    with Connection(url, connect_timeout=timeout, transport_options=options) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        # Redis connects lazily: ask the server something.
        client = getattr(connection.default_channel, "client", None)
        if client is not None and hasattr(client, "ping"):
            client.ping()
    return OK


def readiness_check() -> Readiness:
    checks: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, check in (("database", _database_check), ("broker", _broker_check)):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", told by name
            if name == "broker":
                logger.warning("readiness: the broker is down: %s", exc)
            checks[name], errors[name] = DOWN, f"{exc.__class__.__name__}: {exc}"
    beat_at = None
    age = None
    if checks["database"] == OK:
        try:
            beat_at = Heartbeat.objects.filter(name=BEAT).values_list("beat_at", flat=True).first()
        except DatabaseError as exc:
            errors["beat"] = str(exc)
    if beat_at is None:
        checks["beat"] = MISSING
    else:
        age = max((timezone.now() - beat_at).total_seconds(), 0.0)
        checks["beat"] = STALE if age > beat_stale_after_seconds() else OK
    return Readiness(checks=checks, beat_at=beat_at, beat_age_seconds=age, errors=errors)
