"""Retention: old sync logs, completed queue rows and settled notifications go, in batches.

Never an order, never a run still going, and never a failed queue row nobody looked at: a failed
row goes only once someone (a store user or a platform admin) has read its notification, and
only after RETENTION_FAILED_QUEUE_DAYS. The sync log rows of a failed row stay with it.
Each batch is its own short transaction, so a prune never holds locks on a busy table for long.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from letzshop.models import LetzshopFulfillmentQueue, LetzshopSyncLog, SyncRunStatus
from letzshop.services.incidents import incident_key
from notifications.models import Notification
from notifications.selectors import incident_keys_acknowledged
from notifications.services import notifications_prune

logger = logging.getLogger(__name__)

Queue = LetzshopFulfillmentQueue
KINDS = ("sync_logs", "completed_queue", "failed_queue", "notifications")


@dataclass
class PruneResult:
    cutoffs: dict[str, object] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    batches: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def retention_cutoffs(*, older_than: timedelta | None = None) -> dict[str, object]:
    """Each kind's cutoff: ``older_than`` for all, or each kind's RETENTION_*_DAYS setting."""
    now = timezone.now()
    days = {
        "sync_logs": settings.RETENTION_SYNC_LOG_DAYS,
        "completed_queue": settings.RETENTION_COMPLETED_QUEUE_DAYS,
        "failed_queue": settings.RETENTION_FAILED_QUEUE_DAYS,
        "notifications": settings.RETENTION_NOTIFICATION_DAYS,
    }
    return {
        kind: now - (older_than if older_than is not None else timedelta(days=value)) for kind, value in days.items()
    }


def _in_batches(
    queryset: QuerySet, *, batch_size: int, keep: Callable[[list[int]], set[int]] | None = None
) -> tuple[int, int]:
    """Delete the rows of ``queryset`` by primary key, ``batch_size`` at a time, oldest first;
    ``keep`` names ids of a batch to leave. Returns (deleted, batches)."""
    deleted = batches = 0
    after = 0
    while True:
        ids = list(queryset.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted, batches
        after = ids[-1]
        kept = keep(ids) if keep else set()
        doomed = [pk for pk in ids if pk not in kept]
        if doomed:
            with transaction.atomic():
                _, by_model = queryset.model.objects.filter(pk__in=doomed).delete()
            deleted += by_model.get(queryset.model._meta.label, 0)
            batches += 1


def _failed_rows_read(ids: list[int]) -> set[int]:
    """Of these failed rows, those whose notification someone read."""
    rows = dict(Queue.objects.filter(pk__in=ids).values_list("pk", "store_id"))
    keys = {incident_key(Notification.FULFILLMENT_FAILED, store_id, f"queue:{pk}"): pk for pk, store_id in rows.items()}
    return {keys[key] for key in incident_keys_acknowledged(keys=keys)}


def retention_prune(
    *, older_than: timedelta | None = None, batch_size: int | None = None, dry_run: bool = False
) -> PruneResult:
    """Delete what is past its retention (see the module's docstring); ``dry_run`` only counts."""
    batch_size = max(batch_size or settings.RETENTION_BATCH_SIZE, 1)
    cutoffs = retention_cutoffs(older_than=older_than)
    result = PruneResult(cutoffs=cutoffs, dry_run=dry_run)
    logs = (
        LetzshopSyncLog.objects.filter(started_at__lt=cutoffs["sync_logs"])
        .exclude(status=SyncRunStatus.RUNNING)
        .exclude(queue_item__status=Queue.Status.FAILED)
    )
    completed = Queue.objects.filter(status=Queue.Status.COMPLETED, updated_at__lt=cutoffs["completed_queue"])
    failed = Queue.objects.filter(status=Queue.Status.FAILED, updated_at__lt=cutoffs["failed_queue"])
    if dry_run:
        result.deleted["sync_logs"] = logs.count()
        result.deleted["completed_queue"] = completed.count()
        failed_ids = list(failed.values_list("pk", flat=True))
        result.deleted["failed_queue"] = len(_failed_rows_read(failed_ids)) if failed_ids else 0
        result.deleted["notifications"], _ = notifications_prune(
            before=cutoffs["notifications"], batch_size=batch_size, dry_run=True
        )
        return result
    result.deleted["sync_logs"], result.batches["sync_logs"] = _in_batches(logs, batch_size=batch_size)
    result.deleted["completed_queue"], result.batches["completed_queue"] = _in_batches(completed, batch_size=batch_size)
    result.deleted["failed_queue"], result.batches["failed_queue"] = _in_batches(
        failed, batch_size=batch_size, keep=lambda ids: set(ids) - _failed_rows_read(ids)
    )
    result.deleted["notifications"], result.batches["notifications"] = notifications_prune(
        before=cutoffs["notifications"], batch_size=batch_size
    )
    logger.info("retention: deleted %s", result.deleted)
    return result
