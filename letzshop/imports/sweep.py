"""Imports whose process died: closed as interrupted, their stores imported again."""

from django.utils import timezone
from django.utils.translation import gettext

from letzshop.imports.lease import lapsed_before
from letzshop.imports.run import ImportStart, import_begin, import_dispatch, import_result_of
from letzshop.models import LetzshopSyncLog, StoreLetzshopCredentials, SyncRunStatus
from letzshop.services.incidents import import_run_ended
from stores.models import Store


def imports_sweep() -> dict[str, int]:
    """Beat, every LETZSHOP_IMPORT_SWEEP_SECONDS: close the runs of imports whose process died
    (a lease not renewed for LETZSHOP_IMPORT_LOCK_SECONDS, or a row left running that no live
    lease names) as interrupted, with what they had done, free their leases and import those
    stores again (docs/import.md)."""
    now = timezone.now()
    lapsed = lapsed_before(now)
    freed = 0
    for credentials in StoreLetzshopCredentials.objects.filter(import_started_at__lt=lapsed).only(
        "store_id", "import_started_at"
    ):
        freed += StoreLetzshopCredentials.objects.filter(
            pk=credentials.pk, import_started_at=credentials.import_started_at
        ).update(import_started_at=None, import_sync_log_id=None)
    live = set(
        StoreLetzshopCredentials.objects.filter(
            import_started_at__gte=lapsed, import_sync_log_id__isnull=False
        ).values_list("import_sync_log_id", flat=True)
    )
    dead = (
        LetzshopSyncLog.objects.filter(
            operation_type=LetzshopSyncLog.Operation.ORDER_IMPORT, status=SyncRunStatus.RUNNING, started_at__lt=lapsed
        )
        .exclude(pk__in=live)
        .select_related("store")
    )
    closed = 0
    stores: dict[int, Store] = {}
    for log in dead:
        if _interrupted(log, now=now):
            closed += 1
            stores[log.store_id] = log.store
    restarted = 0
    for store in stores.values():
        if not store.is_active or not StoreLetzshopCredentials.objects.filter(store=store).exists():
            continue
        start = import_begin(store=store, triggered_by=LetzshopSyncLog.TRIGGER_SCHEDULER)
        if isinstance(start, ImportStart):
            import_dispatch(start)
            restarted += 1
    return {"leases_freed": freed, "runs_interrupted": closed, "imports_restarted": restarted}


def _interrupted(log: LetzshopSyncLog, *, now) -> bool:
    """Close a dead run's row (only if still running: a run that ends meanwhile keeps its end)."""
    progress = (log.details or {}).get("progress", {})
    done = int(progress.get("shipments", 0) or 0)
    message = gettext(
        "Import interrupted after %(count)d shipments: the process running it stopped. The store is imported again."
    ) % {"count": done}
    elapsed = max((now - log.started_at).total_seconds(), 0.0)
    closed = LetzshopSyncLog.objects.filter(pk=log.pk, status=SyncRunStatus.RUNNING).update(
        status=SyncRunStatus.INTERRUPTED,
        completed_at=now,
        duration_seconds=round(elapsed),
        duration_ms=min(round(elapsed * 1000), 2**31 - 1),
        records_processed=done,
        records_succeeded=done,
        error_details=[{"error": message}],
        details={
            "imported": progress.get("imported", 0),
            "updated": progress.get("updated", 0),
            "unchanged": progress.get("unchanged", 0),
            "exceptions_created": progress.get("exceptions_created", 0),
            "pages": progress.get("pages", 0),
            "message": message,
        },
    )
    if closed:
        StoreLetzshopCredentials.objects.filter(store_id=log.store_id).update(
            last_sync_status=SyncRunStatus.INTERRUPTED, last_sync_error=message
        )
        result = import_result_of(LetzshopSyncLog.objects.get(pk=log.pk))
        import_run_ended(store=log.store, sync_log_id=log.pk, result=result, seconds=elapsed, error=message)
    return bool(closed)
