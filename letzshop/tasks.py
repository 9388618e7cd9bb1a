"""Celery tasks: thin, take ids, re-read the rows, call one service, own the retry policy."""

import logging

from celery import shared_task

from letzshop.models import LetzshopSyncLog, StoreLetzshopCredentials
from letzshop.services.imports import orders_import

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


@shared_task(name="letzshop.tasks.store_orders_import_scheduled")
def store_orders_import_scheduled(store_id: int) -> str:
    """Beat's entry of a store with auto-sync (see letzshop.services.credentials.autosync_schedule)."""
    enabled = StoreLetzshopCredentials.objects.filter(store_id=store_id, auto_sync_enabled=True).exists()
    if not enabled:
        return "skipped: auto-sync is off"
    return store_orders_import(store_id, LetzshopSyncLog.TRIGGER_SCHEDULER)


@shared_task(name="letzshop.tasks.fulfillment_queue_sweep")
def fulfillment_queue_sweep() -> dict:
    return {}
