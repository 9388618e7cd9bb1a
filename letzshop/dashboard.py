"""What an operator checks first, for the dashboard of Marketplace > Letzshop (docs/operations.md).

A handful of queries, each on an index, whatever the size of the queue and the sync log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from letzshop.models import LetzshopFulfillmentQueue, LetzshopSyncLog, StoreLetzshopCredentials, SyncRunStatus
from monitoring.services import Readiness, readiness_check
from notifications.models import Notification
from notifications.selectors import unread_count_for_admin

Queue = LetzshopFulfillmentQueue
FAILING_STORES_SHOWN = 10
UNREAD_SHOWN = 5


@dataclass(frozen=True)
class OperationsOverview:
    readiness: Readiness
    queue_waiting: int  # pending or processing
    queue_processing: int
    queue_failed: int
    queue_failed_24h: int
    imports_failed_24h: int
    failing_stores: list[StoreLetzshopCredentials]
    failing_stores_count: int
    unread_count: int
    unread: list[Notification]


def operations_overview() -> OperationsOverview:
    since = timezone.now() - timedelta(hours=24)
    failed = Q(status=Queue.Status.FAILED)
    # Open and failed rows are few, on the status index: one query counts them all.
    queue = Queue.objects.filter(status__in=[*Queue.OPEN_STATUSES, Queue.Status.FAILED]).aggregate(
        waiting=Count("pk", filter=Q(status__in=Queue.OPEN_STATUSES)),
        processing=Count("pk", filter=Q(status=Queue.Status.PROCESSING)),
        failed=Count("pk", filter=failed),
        failed_24h=Count("pk", filter=failed & Q(updated_at__gte=since)),
    )
    failing = StoreLetzshopCredentials.objects.filter(
        store__is_active=True, last_sync_status__in=[SyncRunStatus.FAILED, SyncRunStatus.PARTIAL]
    )
    shown = list(failing.select_related("store").order_by("-last_sync_at")[: FAILING_STORES_SHOWN + 1])
    return OperationsOverview(
        readiness=readiness_check(),
        queue_waiting=queue["waiting"],
        queue_processing=queue["processing"],
        queue_failed=queue["failed"],
        queue_failed_24h=queue["failed_24h"],
        imports_failed_24h=LetzshopSyncLog.objects.filter(
            Q(status=SyncRunStatus.FAILED) | Q(status=SyncRunStatus.PARTIAL),
            operation_type=LetzshopSyncLog.Operation.ORDER_IMPORT,
            started_at__gte=since,
        ).count(),
        failing_stores=shown[:FAILING_STORES_SHOWN],
        failing_stores_count=len(shown) if len(shown) <= FAILING_STORES_SHOWN else failing.count(),
        unread_count=unread_count_for_admin(),
        unread=list(
            Notification.objects.filter(admin_read_at__isnull=True)
            .select_related("store")
            .order_by("-created_at")[:UNREAD_SHOWN]
        ),
    )
