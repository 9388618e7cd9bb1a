"""Celery tasks: thin, take ids, re-read the rows, call one service, own the retry policy."""

import logging
from datetime import datetime

from celery import shared_task

from letzshop.imports import import_resume, orders_import
from letzshop.imports import imports_sweep as sweep_imports
from letzshop.models import LetzshopSyncLog, StoreLetzshopCredentials
from letzshop.services.fulfillment import queue_item_process, queue_sweep

logger = logging.getLogger(__name__)


@shared_task(name="letzshop.tasks.store_orders_import")
def store_orders_import(store_id: int, triggered_by: str = LetzshopSyncLog.TRIGGER_SCHEDULER) -> str:
    """Import one store's orders. No retry here: a failed run is logged, and the next one
    (auto-sync, or a person) starts from Letzshop's state again."""
    credentials = StoreLetzshopCredentials.objects.select_related("store").filter(store_id=store_id).first()
    if credentials is None or not credentials.store.is_active:
        return "skipped: no credentials or inactive store"
    result = orders_import(store=credentials.store, triggered_by=triggered_by)
    logger.info("letzshop import of store %s: %s", store_id, result.message)
    return result.status


@shared_task(name="letzshop.tasks.store_orders_import_run")
def store_orders_import_run(sync_log_id: int, lease: str) -> str:
    """Run an import a person started (the admin, the portal, the API): its lease and sync log
    row were written by the request, which answers from that row. Not retried: a run whose
    process dies is closed and started again by ``imports_sweep``."""
    result = import_resume(sync_log_id=sync_log_id, lease=datetime.fromisoformat(lease))
    if result is None:
        return "skipped: no longer this run's to do"
    logger.info("letzshop import (sync log %s): %s", sync_log_id, result.message)
    return result.status


@shared_task(name="letzshop.tasks.imports_sweep")
def imports_sweep() -> dict:
    """Beat, every LETZSHOP_IMPORT_SWEEP_SECONDS: imports whose process died are closed as
    interrupted and their stores imported again."""
    return sweep_imports()


@shared_task(name="letzshop.tasks.store_orders_import_scheduled")
def store_orders_import_scheduled(store_id: int) -> str:
    """Beat's entry of a store with auto-sync (see letzshop.services.credentials.autosync_schedule)."""
    enabled = StoreLetzshopCredentials.objects.filter(store_id=store_id, auto_sync_enabled=True).exists()
    if not enabled:
        return "skipped: auto-sync is off"
    return store_orders_import(store_id, LetzshopSyncLog.TRIGGER_SCHEDULER)


@shared_task(name="letzshop.tasks.fulfillment_queue_process")
def fulfillment_queue_process(item_id: int) -> str | None:
    """Try one queue row once. The retry policy (backoff, Retry-After, attempts) is the
    service's: it leaves the row pending with its next attempt time and wakes this task again."""
    item = queue_item_process(item_id=item_id)
    return item.status if item else None


@shared_task(name="letzshop.tasks.fulfillment_queue_sweep")
def fulfillment_queue_sweep() -> dict:
    """Beat, every LETZSHOP_QUEUE_SWEEP_SECONDS: stuck rows back to pending, due rows woken."""
    return queue_sweep()


@shared_task(name="letzshop.tasks.retention_prune")
def retention_prune() -> dict:
    """Beat, once a day: what is past its retention goes, in batches (letzshop.services.retention)."""
    from letzshop.services.retention import retention_prune as prune

    return prune().deleted
