"""What the rest of the integration tells operations: metrics, logs and notifications.

The import, the fulfillment queue and the client each call one function here at the point
where something ends or fails for good; everything about who is told and what is counted stays
in this module (docs/operations.md). None of these calls may break the work that calls it: a
failure here is logged, and the import or the queue row goes on as if nothing was told.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_noop

from letzshop import metrics
from letzshop.models import LetzshopFulfillmentQueue, LetzshopSyncLog, SyncRunStatus
from notifications.models import Notification
from notifications.services import notification_raise, notification_resolve
from stores.models import Store

logger = logging.getLogger(__name__)

Queue = LetzshopFulfillmentQueue


def _quietly(function: Callable) -> Callable:
    """Run in a savepoint; a failure is logged and swallowed (see the module's docstring)."""

    @wraps(function)
    def run(*args, **kwargs):
        try:
            with transaction.atomic():
                return function(*args, **kwargs)
        except Exception:  # noqa: BLE001
            logger.exception("operations hook %s failed", function.__name__)
            return None

    return run


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def incident_key(kind: str, store_id: int, extra: str | int | None = None) -> str:
    return f"{kind}:store:{store_id}" + (f":{extra}" if extra is not None else "")


def _raise(kind: str, *, store: Store, extra=None, **fields) -> None:
    _, created = notification_raise(kind=kind, store=store, incident_key=incident_key(kind, store.pk, extra), **fields)
    if created:
        metrics.NOTIFICATIONS.labels(kind=kind).inc()


# --- imports ----------------------------------------------------------------------------------


@_quietly
def import_run_ended(*, store: Store, sync_log_id: int | None, result, seconds: float, error: str = "") -> None:
    """An import run ended (``result``: its status and counts; any outcome but "already
    running"): count it; after
    NOTIFY_SYNC_FAILURES_IN_A_ROW runs in a row that did not complete, tell the store's people;
    a successful run closes that incident and a refused key's."""
    status = str(getattr(result.status, "value", result.status))
    imported, updated = result.orders_imported, result.orders_updated
    metrics.IMPORTS.labels(store=store.code, status=status).inc()
    metrics.IMPORT_SECONDS.labels(status=status).observe(seconds)
    if imported:
        metrics.IMPORTED_SHIPMENTS.labels(store=store.code).inc(imported)
    if updated:
        metrics.UPDATED_SHIPMENTS.labels(store=store.code).inc(updated)
    logger.info(
        "import of store %s ended %s: %d imported, %d updated in %.1f s",
        store.code,
        status,
        imported,
        updated,
        seconds,
        extra={"store": store.code, "sync_log": sync_log_id},
    )
    _refusals_told(store=store)
    if status == SyncRunStatus.SUCCESS:
        notification_resolve(incident_key=incident_key(Notification.SYNC_FAILED, store.pk))
        notification_resolve(incident_key=incident_key(Notification.CREDENTIALS_REFUSED, store.pk))
        return
    needed = max(settings.NOTIFY_SYNC_FAILURES_IN_A_ROW, 1)
    last = list(
        LetzshopSyncLog.objects.filter(store=store, operation_type=LetzshopSyncLog.Operation.ORDER_IMPORT)
        .exclude(status=SyncRunStatus.RUNNING)
        .order_by("-started_at", "-id")
        .values_list("status", flat=True)[:needed]
    )
    if len(last) < needed or any(value == SyncRunStatus.SUCCESS for value in last):
        return
    _raise(
        Notification.SYNC_FAILED,
        store=store,
        level=Notification.Level.ERROR,
        title=gettext_noop("The imports of %(store)s keep failing"),
        message=gettext_noop(
            "The last %(count)s imports of %(store)s did not complete, so new Letzshop orders may not be "
            "arriving. The last error: %(error)s. Check the store's sync log and its Letzshop settings."
        ),
        params={"store": store.name, "count": needed, "error": error or "-"},
        link=_url("portal:logs"),
        admin_link=_url("admin:letzshop_letzshopstore_change", store.pk),
    )


# --- the fulfillment queue ----------------------------------------------------------------------

_FAILED_TITLES = {
    Queue.Operation.CONFIRM: gettext_noop("The confirmation of order %(order)s failed"),
    Queue.Operation.DECLINE: gettext_noop("The decline of order %(order)s failed"),
    Queue.Operation.SET_TRACKING: gettext_noop("The tracking of order %(order)s could not be sent"),
}


@_quietly
def queue_item_settled(*, item: LetzshopFulfillmentQueue) -> None:
    """A queue row's attempt ended: count it; a row failed for good tells the store's people
    (once per row), a row that completes closes its incident."""
    outcome = {Queue.Status.COMPLETED: "completed", Queue.Status.FAILED: "failed"}.get(item.status, "retrying")
    metrics.OPERATIONS.labels(operation=item.operation, outcome=outcome).inc()
    key_extra = f"queue:{item.pk}"
    if item.status == Queue.Status.COMPLETED:
        notification_resolve(incident_key=incident_key(Notification.FULFILLMENT_FAILED, item.store_id, key_extra))
        return
    if item.status != Queue.Status.FAILED:
        return
    order = item.letzshop_order
    _raise(
        Notification.FULFILLMENT_FAILED,
        store=item.store,
        extra=key_extra,
        level=Notification.Level.ERROR,
        title=_FAILED_TITLES.get(item.operation, _FAILED_TITLES[Queue.Operation.CONFIRM]),
        message=gettext_noop(
            "Letzshop did not accept it after %(attempts)s attempt(s): %(error)s. Open the order, fix what the "
            "error says, then retry the operation; Letzshop still shows the order as before."
        ),
        params={"order": str(order), "attempts": item.attempts, "error": item.error_message or "-"},
        letzshop_order_id=item.letzshop_order_id,
        link=_url("portal:order", item.letzshop_order_id),
        admin_link=_url("admin:letzshop_letzshopfulfillmentqueue_change", item.pk),
    )


# --- the key --------------------------------------------------------------------------------------

_deferred_refusals: set[int] = set()
_deferred_lock = threading.Lock()


def refusal_callback(*, store_id: int) -> Callable[[], None]:
    """The client's ``on_refused`` for a store's credentials.

    A refusal met in another thread than the client's creator (the import's prefetch thread) is
    kept and told by that run's end (``import_run_ended``): that thread has no business opening
    a database connection of its own."""
    owner = threading.get_ident()

    def refused() -> None:
        if threading.get_ident() == owner:
            credentials_refused(store_id=store_id)
        else:
            with _deferred_lock:
                _deferred_refusals.add(store_id)

    return refused


def _refusals_told(*, store: Store) -> None:
    with _deferred_lock:
        deferred = store.pk in _deferred_refusals
        _deferred_refusals.discard(store.pk)
    if deferred:
        credentials_refused(store_id=store.pk)


@_quietly
def credentials_refused(*, store_id: int) -> None:
    """Letzshop refused a store's key: tell its people once, until a call with a key succeeds."""
    store = Store.objects.get(pk=store_id)
    _raise(
        Notification.CREDENTIALS_REFUSED,
        store=store,
        level=Notification.Level.ERROR,
        title=gettext_noop("Letzshop refused the API key of %(store)s"),
        message=gettext_noop(
            "Every import and every confirmation of %(store)s fails until a valid key is saved. Enter the "
            "store's current Letzshop API key in its Letzshop settings, then test the connection."
        ),
        params={"store": store.name},
        link=_url("portal:settings"),
        admin_link=_url("admin:letzshop_letzshopstore_credentials", store.pk),
    )


@_quietly
def credentials_accepted(*, store: Store) -> None:
    """A call with the store's key succeeded (a connection test): the refusal is over."""
    notification_resolve(incident_key=incident_key(Notification.CREDENTIALS_REFUSED, store.pk))


# --- Letzshop's schema ------------------------------------------------------------------------


@_quietly
def schema_checked(*, store: Store, differences: list[str]) -> None:
    """A check of Letzshop's live schema ended: differences tell the platform's and the store's
    people once (until a check finds the schema compatible again)."""
    key = incident_key(Notification.SCHEMA_MISMATCH, store.pk)
    if not differences:
        notification_resolve(incident_key=key)
        return
    _raise(
        Notification.SCHEMA_MISMATCH,
        store=store,
        level=Notification.Level.WARNING,
        title=gettext_noop("Letzshop's API no longer matches what the integration sends"),
        message=gettext_noop(
            "Letzshop's schema differs from what the integration's operations expect in %(count)s place(s), "
            "first: %(first)s. Imports or confirmations may fail. A platform admin runs "
            "manage.py letzshop_schema_check --store %(code)s for the full list."
        ),
        params={"count": len(differences), "first": differences[0], "code": store.code},
        link=_url("portal:settings"),
        admin_link=_url("admin:letzshop_letzshopstore_change", store.pk),
    )
