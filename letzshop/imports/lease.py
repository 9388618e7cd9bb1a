"""The import lease: one import per store at a time (docs/import.md).

A lease, not a transaction: ``StoreLetzshopCredentials.import_started_at`` is the time of the
holder's last renewal and ``import_sync_log_id`` its sync log row. The running import renews it
every LETZSHOP_IMPORT_LEASE_RENEW_SECONDS; one not renewed for LETZSHOP_IMPORT_LOCK_SECONDS
belonged to a process that died and may be taken over."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from letzshop.models import StoreLetzshopCredentials
from stores.models import Store


class LeaseLost(Exception):
    """Another import took the store's lease over: this run's lease lapsed (docs/import.md)."""


def lapsed_before(now: timezone.datetime) -> timezone.datetime:
    return now - timedelta(seconds=settings.LETZSHOP_IMPORT_LOCK_SECONDS)


def import_lock_acquire(*, store: Store, sync_log_id: int | None = None) -> timezone.datetime | None:
    """Take the store's import lease; None if another import holds a live one.

    One conditional UPDATE, atomic on SQLite and PostgreSQL alike; a lease not renewed for
    LETZSHOP_IMPORT_LOCK_SECONDS belongs to a process that died and may be taken over.
    """
    now = timezone.now()
    taken = (
        StoreLetzshopCredentials.objects.filter(store=store)
        .filter(Q(import_started_at__isnull=True) | Q(import_started_at__lt=lapsed_before(now)))
        .update(import_started_at=now, import_sync_log_id=sync_log_id)
    )
    return now if taken else None


def import_lock_claim(*, store: Store, sync_log_id: int, lease: timezone.datetime) -> timezone.datetime | None:
    """The worker's side of a run begun elsewhere: take over the lease its starter took for it
    (unchanged since), or the run's own lease if it lapsed. None if the run is no longer its to do
    (a second delivery of the same task, or a run the sweep closed)."""
    now = timezone.now()
    taken = (
        StoreLetzshopCredentials.objects.filter(store=store, import_sync_log_id=sync_log_id)
        .filter(Q(import_started_at=lease) | Q(import_started_at__lt=lapsed_before(now)))
        .update(import_started_at=now)
    )
    return now if taken else None


def import_lock_renew(*, store: Store, lease: timezone.datetime) -> timezone.datetime:
    """Renew the lease; raises LeaseLost if another import took it over meanwhile."""
    now = timezone.now()
    renewed = StoreLetzshopCredentials.objects.filter(store=store, import_started_at=lease).update(
        import_started_at=now
    )
    if not renewed:
        raise LeaseLost(gettext("another import of this store took over: this one was too long without a sign of life"))
    return now


def import_lock_release(*, store: Store, lease: timezone.datetime) -> None:
    StoreLetzshopCredentials.objects.filter(store=store, import_started_at=lease).update(
        import_started_at=None, import_sync_log_id=None
    )
