from datetime import datetime
from typing import Any

from django.utils import timezone

from config.logs import log_context_bind
from letzshop.models import LetzshopSyncLog
from stores.models import Store


def sync_log_write(
    *,
    store: Store,
    operation_type: str,
    direction: str,
    status: str,
    started_at: datetime,
    completed_at: datetime | None = None,
    records_processed: int = 0,
    records_succeeded: int = 0,
    records_failed: int = 0,
    error_details: Any = None,
    triggered_by: str = "",
    details: dict[str, Any] | None = None,
    queue_item=None,
) -> LetzshopSyncLog:
    """One audit row: what was done, for whom, how it went and how long it took."""
    completed_at = completed_at or timezone.now()
    elapsed = max((completed_at - started_at).total_seconds(), 0.0)
    return LetzshopSyncLog.objects.create(
        store=store,
        operation_type=operation_type,
        direction=direction,
        status=status,
        started_at=started_at,
        completed_at=completed_at,
        duration_seconds=round(elapsed),
        duration_ms=round(elapsed * 1000),
        records_processed=records_processed,
        records_succeeded=records_succeeded,
        records_failed=records_failed,
        error_details=error_details,
        triggered_by=str(triggered_by or "")[:64],
        details=details or {},
        queue_item=queue_item,
    )


def sync_log_start(
    *, store: Store, operation_type: str, direction: str, triggered_by: str = "", details: dict | None = None
) -> LetzshopSyncLog:
    """The row of a run under way (status running, no completed_at), finished by the caller.
    The run's log lines carry the store and this row from here on (config.logs)."""
    row = LetzshopSyncLog.objects.create(
        store=store,
        operation_type=operation_type,
        direction=direction,
        status="running",
        started_at=timezone.now(),
        triggered_by=str(triggered_by or "")[:64],
        details=details or {},
    )
    log_context_bind(store=store.code, sync_log=row.pk)
    return row


def trigger_of(user) -> str:
    """``triggered_by`` for a person: their user id."""
    return str(user.pk) if user is not None and getattr(user, "pk", None) else ""
