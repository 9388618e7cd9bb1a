"""Retention: old rows go in batches; orders, running imports and unread failures stay."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog
from letzshop.services.incidents import incident_key
from letzshop.services.retention import retention_prune
from letzshop.tests.factories import LetzshopOrderFactory, QueueItemFactory, SyncLogFactory
from notifications.models import Notification
from notifications.tests.factories import NotificationFactory
from orders.models import Order

pytestmark = pytest.mark.django_db
Queue = LetzshopFulfillmentQueue
OLD = timezone.now() - timedelta(days=200)


def old_logs(store, count: int, **fields) -> list[int]:
    ids = [SyncLogFactory(store=store, started_at=OLD, **fields).pk for _ in range(count)]
    return ids


def old_queue_rows(store, count: int, status: str) -> list[int]:
    ids = [QueueItemFactory(store=store, status=status).pk for _ in range(count)]
    Queue.objects.filter(pk__in=ids).update(updated_at=OLD)
    return ids


def test_old_sync_logs_and_completed_rows_go_in_batches_orders_stay(store):
    old = old_logs(store, 5)
    recent = SyncLogFactory(store=store).pk
    running = old_logs(store, 1, status="running")
    completed = old_queue_rows(store, 3, "completed")
    pending = old_queue_rows(store, 1, "pending")
    orders = LetzshopOrder.objects.count()
    with CaptureQueriesContext(connection) as queries:
        result = retention_prune(older_than=timedelta(days=90), batch_size=2)
    assert result.deleted["sync_logs"] == 5 and result.batches["sync_logs"] == 3
    assert result.deleted["completed_queue"] == 3 and result.batches["completed_queue"] == 2
    # One DELETE per batch: 5 old rows by 2 make 3 statements, none of them over the whole table.
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('DELETE FROM "letzshop_sync_logs"')]
    assert len(deletes) == 3
    assert all(" IN (" in sql for sql in deletes)
    assert not LetzshopSyncLog.objects.filter(pk__in=old).exists()
    assert set(LetzshopSyncLog.objects.values_list("pk", flat=True)) == {recent, *running}
    assert not Queue.objects.filter(pk__in=completed).exists()
    assert Queue.objects.filter(pk__in=pending).count() == 1
    assert LetzshopOrder.objects.count() == orders and Order.objects.count() == orders


def test_a_failed_row_goes_only_once_someone_read_its_notification(store):
    unread, read_by_store, read_by_admin, never_told = old_queue_rows(store, 4, "failed")
    for pk, fields in ((unread, {}), (read_by_store, {"read_at": OLD}), (read_by_admin, {"admin_read_at": OLD})):
        NotificationFactory(
            store=store,
            kind=Notification.FULFILLMENT_FAILED,
            incident_key=incident_key(Notification.FULFILLMENT_FAILED, store.pk, f"queue:{pk}"),
            **fields,
        )
    kept_log = SyncLogFactory(store=store, started_at=OLD, queue_item_id=unread).pk
    result = retention_prune(older_than=timedelta(days=90), batch_size=10)
    assert result.deleted["failed_queue"] == 2
    assert set(Queue.objects.values_list("pk", flat=True)) == {unread, never_told}
    # The attempts of a row that stays stay with it.
    assert LetzshopSyncLog.objects.filter(pk=kept_log).exists()


def test_each_kind_keeps_its_own_setting(store, settings):
    settings.RETENTION_SYNC_LOG_DAYS = 300
    settings.RETENTION_COMPLETED_QUEUE_DAYS = 30
    old_logs(store, 2)
    old_queue_rows(store, 2, "completed")
    result = retention_prune()
    assert result.deleted["sync_logs"] == 0
    assert result.deleted["completed_queue"] == 2


def test_the_command_prints_what_went_and_a_dry_run_deletes_nothing(store):
    old_logs(store, 3)
    LetzshopOrderFactory(store=store)
    out = StringIO()
    call_command("letzshop_prune", "--older-than", "90d", "--dry-run", stdout=out)
    assert "Would delete 3 sync log rows older than" in out.getvalue()
    assert LetzshopSyncLog.objects.count() == 3
    out = StringIO()
    call_command("letzshop_prune", "--older-than", "90d", "--batch-size", "2", stdout=out)
    assert "Deleted 3 sync log rows older than" in out.getvalue() and "(2 batches)" in out.getvalue()
    assert LetzshopSyncLog.objects.count() == 0 and LetzshopOrder.objects.count() == 1
    with pytest.raises(CommandError, match="90d"):
        call_command("letzshop_prune", "--older-than", "ninety days")


def test_beat_prunes_once_a_day(settings, store):
    from letzshop.tasks import retention_prune as task

    entry = settings.CELERY_BEAT_SCHEDULE["letzshop-retention-prune"]
    assert entry["task"] == "letzshop.tasks.retention_prune"
    assert entry["schedule"].hour == {3}
    old_logs(store, 1)
    settings.RETENTION_SYNC_LOG_DAYS = 90
    assert task()["sync_logs"] == 1
