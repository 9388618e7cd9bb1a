"""Fulfillment: confirm, decline and set tracking on Letzshop through a durable queue.

Each operation writes a ``LetzshopFulfillmentQueue`` row in the same transaction as the local
change, and a Celery task tries it as soon as the transaction commits. The database is the
queue: a lost broker message or a killed worker leaves a row that ``queue_sweep`` (beat)
picks up. Rows of one order are sent in the order they were queued.

Retries: exponential backoff with jitter up to ``max_attempts``; a 429 waits as Letzshop says;
a refused key, a validation error or a per-unit refusal fails at once (retrying cannot help).
A failed row keeps its payload, error and Letzshop's answer, and can be retried by hand.
"""

import hashlib
import json
import logging
import random
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext

from config.errors import Conflict, InvalidInput
from config.logs import log_context_bind
from exceptions.selectors import blocking_exception_count
from letzshop.client.errors import AuthError, LetzshopError, RateLimited, ResponseError, TransientError
from letzshop.crypto import CredentialsDecryptionError
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials
from letzshop.services.credentials import client_for
from letzshop.services.incidents import queue_item_settled
from letzshop.services.mapping import UNIT_CONFIRMED, units_sync_status
from letzshop.services.sync_log import sync_log_write
from orders.models import Order

logger = logging.getLogger(__name__)

Queue = LetzshopFulfillmentQueue
# The shipment as Letzshop sent it is large and not needed to send an operation.
RAW_FIELDS = ("letzshop_order__raw_order_data",)
Operation = LetzshopFulfillmentQueue.Operation
UNIT_UNCONFIRMED = "unconfirmed"
# Per-unit answers that mean "already as you asked": a retried request after a lost answer.
IDEMPOTENT_CODES = frozenset({"already_confirmed", "already_in_state"})


# --- enqueueing ---------------------------------------------------------------------------


def _digest(operation: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps([operation, payload], sort_keys=True).encode()).hexdigest()


def _enqueue(*, order: LetzshopOrder, operation: str, payload: dict[str, Any], user) -> tuple[Queue, bool]:
    """The open row for this operation and payload, or a new one; (row, created).

    The partial unique constraint (one open row per order, operation and payload) decides
    between two requests that race."""
    digest = _digest(operation, payload)
    open_row = Queue.objects.filter(
        letzshop_order=order, operation=operation, payload_digest=digest, status__in=Queue.OPEN_STATUSES
    ).first()
    if open_row is not None:
        return open_row, False
    try:
        with transaction.atomic():
            row = Queue.objects.create(
                store_id=order.store_id,
                letzshop_order=order,
                operation=operation,
                payload=payload,
                payload_digest=digest,
                max_attempts=settings.LETZSHOP_QUEUE_MAX_ATTEMPTS,
                next_attempt_at=timezone.now(),
                created_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:
        row = Queue.objects.get(
            letzshop_order=order, operation=operation, payload_digest=digest, status__in=Queue.OPEN_STATUSES
        )
        return row, False
    transaction.on_commit(lambda: _wake(row.pk))
    return row, True


def _wake(item_id: int, countdown: float = 0) -> None:
    """Ask a worker to try the row. Losing this message loses nothing: the sweep finds the row."""
    from letzshop.tasks import fulfillment_queue_process

    try:
        fulfillment_queue_process.apply_async(args=[item_id], countdown=max(0.0, countdown))
    except Exception:  # the broker is down: the row waits for the sweep
        logger.warning("could not reach the broker for queue item %s; the sweep will take it", item_id)


def _units_requested(order: LetzshopOrder, unit_ids: list[str] | None) -> list[str]:
    """The listed units (all of them checked to belong to the order), or every unconfirmed unit."""
    states = {unit["id"]: unit.get("state") for unit in order.inventory_units}
    if unit_ids is None:
        chosen = [unit_id for unit_id, state in states.items() if state == UNIT_UNCONFIRMED]
        if not chosen:
            raise Conflict(gettext("Every inventory unit of this order is already confirmed or declined."))
        return chosen
    if not isinstance(unit_ids, list) or not unit_ids or not all(isinstance(u, str) for u in unit_ids):
        raise InvalidInput(gettext("Give a list of inventory unit ids."), field="inventory_unit_ids")
    unknown = [unit_id for unit_id in unit_ids if unit_id not in states]
    if unknown:
        raise InvalidInput(
            gettext("Not inventory units of this order: %(units)s.") % {"units": ", ".join(unknown)},
            field="inventory_unit_ids",
        )
    return list(dict.fromkeys(unit_ids))


def _other_decision(order: LetzshopOrder, *, operation: str, units: list[str]) -> None:
    """One decision per unit: a unit with a queued or completed confirm cannot be declined, and
    the other way round (409 with the reason). The order row is locked: two requests racing
    are decided one after the other."""
    opposite = Operation.REJECT if operation == Operation.CONFIRM else Operation.CONFIRM
    wanted = set(units)
    rows = order.queue_items.filter(
        operation=opposite, status__in=(*Queue.OPEN_STATUSES, Queue.Status.COMPLETED)
    ).values_list("payload", "status")
    for payload, status in rows:
        taken = wanted.intersection((payload or {}).get("inventory_unit_ids") or ())
        if taken:
            message = (
                gettext("Already confirmed, so it cannot be declined: %(units)s.")
                if opposite == Operation.CONFIRM
                else gettext("Already declined, so it cannot be confirmed: %(units)s.")
            )
            if status != Queue.Status.COMPLETED:
                message = (
                    gettext("A confirmation is already queued for: %(units)s; it cannot be declined as well.")
                    if opposite == Operation.CONFIRM
                    else gettext("A decline is already queued for: %(units)s; it cannot be confirmed as well.")
                )
            raise Conflict(message % {"units": ", ".join(sorted(taken))})


def _locked(order: LetzshopOrder) -> LetzshopOrder:
    return LetzshopOrder.objects.select_for_update().get(pk=order.pk)


@transaction.atomic
def order_confirm(
    *, order: LetzshopOrder, inventory_unit_ids: list[str] | None = None, user=None
) -> tuple[Queue, bool]:
    """Queue the confirmation of all (or the listed) units. Refused while the order has a pending
    or ignored product exception: a store must not promise what it cannot match."""
    order = _locked(order)
    blocking = blocking_exception_count(order_id=order.local_order_id) if order.local_order_id else 0
    if blocking:
        raise Conflict(gettext("Order has %(count)d unresolved exception(s)") % {"count": blocking})
    units = _units_requested(order, inventory_unit_ids)
    _other_decision(order, operation=Operation.CONFIRM, units=units)
    return _enqueue(order=order, operation=Operation.CONFIRM, payload={"inventory_unit_ids": units}, user=user)


@transaction.atomic
def order_reject(
    *, order: LetzshopOrder, reason: str, inventory_unit_ids: list[str] | None = None, user=None
) -> tuple[Queue, bool]:
    """Queue the decline of all (or the listed) units: ``confirmInventoryUnits`` with
    ``isAvailable: false`` (Letzshop has no reject mutation). The reason stays with us."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(gettext("Say why the order is declined (for example: out of stock)."), field="reason")
    order = _locked(order)
    units = _units_requested(order, inventory_unit_ids)
    _other_decision(order, operation=Operation.REJECT, units=units)
    order.decline_reason = reason[:500]
    order.save(update_fields=["decline_reason", "updated_at"])
    payload = {"inventory_unit_ids": units, "reason": reason[:500]}
    return _enqueue(order=order, operation=Operation.REJECT, payload=payload, user=user)


@transaction.atomic
def order_set_tracking(
    *, order: LetzshopOrder, tracking_number: str, tracking_carrier: str, user=None
) -> tuple[Queue, bool]:
    """Keep the tracking locally at once (Letzshop may never read it back) and queue it."""
    number = (tracking_number or "").strip()
    carrier = (tracking_carrier or "").strip()
    if not number:
        raise InvalidInput(gettext("Enter the tracking number."), field="tracking_number")
    if not carrier:
        raise InvalidInput(
            gettext("Enter the carrier (for example dhl, ups, post_lu, greco)."), field="tracking_carrier"
        )
    order = _locked(order)
    confirmed = any(unit.get("state") == UNIT_CONFIRMED for unit in order.inventory_units)
    confirming = order.queue_items.filter(operation=Operation.CONFIRM, status__in=Queue.OPEN_STATUSES).exists()
    if not (confirmed or confirming):
        raise Conflict(gettext("Confirm at least one inventory unit before setting tracking."))
    order.tracking_number, order.tracking_carrier = number[:128], carrier[:64]
    order.save(update_fields=["tracking_number", "tracking_carrier", "updated_at"])
    if order.local_order_id:
        Order.objects.filter(pk=order.local_order_id).update(tracking_number=number[:128], updated_at=timezone.now())
        Order.objects.filter(pk=order.local_order_id, shipping_carrier="").update(shipping_carrier=carrier[:64])
    payload = {"tracking_number": number, "tracking_carrier": carrier}
    return _enqueue(order=order, operation=Operation.SET_TRACKING, payload=payload, user=user)


@transaction.atomic
def queue_item_retry(*, item: Queue, user=None) -> Queue:
    """Send a failed row again, with a fresh set of attempts; its last error stays until then."""
    item = Queue.objects.select_for_update().get(pk=item.pk)
    if item.status != Queue.Status.FAILED:
        raise Conflict(
            gettext("Only a failed operation can be retried; this one is %(status)s.") % {"status": item.status}
        )
    clash = Queue.objects.filter(
        letzshop_order_id=item.letzshop_order_id,
        operation=item.operation,
        payload_digest=item.payload_digest,
        status__in=Queue.OPEN_STATUSES,
    ).exists()
    if clash:
        raise Conflict(gettext("The same operation is already queued for this order."))
    item.status, item.attempts, item.next_attempt_at, item.locked_at = Queue.Status.PENDING, 0, timezone.now(), None
    item.save(update_fields=["status", "attempts", "next_attempt_at", "locked_at", "updated_at"])
    transaction.on_commit(lambda: _wake(item.pk))
    return item


# --- processing ---------------------------------------------------------------------------


def _earlier_open_rows():
    return Queue.objects.filter(
        letzshop_order=OuterRef("letzshop_order"), status__in=Queue.OPEN_STATUSES, pk__lt=OuterRef("pk")
    )


def _claim(item_id: int) -> bool:
    """Take a due pending row (one conditional UPDATE); False if it is not due, taken, or an
    earlier operation of the same order is still open."""
    now = timezone.now()
    return bool(
        Queue.objects.filter(pk=item_id, status=Queue.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(~Exists(_earlier_open_rows()))
        .update(status=Queue.Status.PROCESSING, locked_at=now, attempts=F("attempts") + 1, updated_at=now)
    )


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter, capped below the broker's visibility timeout."""
    base = settings.LETZSHOP_QUEUE_BACKOFF_BASE_SECONDS * (2 ** max(attempt - 1, 0))
    return min(base * random.uniform(0.5, 1.5), settings.LETZSHOP_QUEUE_MAX_DELAY_SECONDS)


def queue_item_process(*, item_id: int, clients: dict | None = None) -> Queue | None:
    """Try one row once. Returns the row as left (None if it was not ours to take).

    ``clients`` lets a caller that drains many rows reuse one HTTP session per store."""
    if not _claim(item_id):
        return None
    item = Queue.objects.select_related("letzshop_order", "store").defer(*RAW_FIELDS).get(pk=item_id)
    log_context_bind(store=item.store.code, queue_item=item.pk)
    started_at = timezone.now()
    response: dict[str, Any] | None = None
    error, retry_in = "", None
    own_client = None
    try:
        if clients is None:
            credentials = StoreLetzshopCredentials.objects.get(store_id=item.store_id)
            client = own_client = client_for(credentials=credentials, rate_limit_waits=0)
        else:
            client = _shared_client(item.store_id, clients)
        response, error = _send(client, item)
    except StoreLetzshopCredentials.DoesNotExist:
        error = "This store has no Letzshop credentials any more."
    except CredentialsDecryptionError as exc:
        error = str(exc)
    except RateLimited as exc:
        error, retry_in = exc.message, float(exc.retry_after)
    except TransientError as exc:
        error, retry_in = exc.message, backoff_seconds(item.attempts)
    except (AuthError, ResponseError) as exc:
        error = exc.message
    except LetzshopError as exc:
        error = exc.message
    except Exception as exc:  # a bug or an answer we cannot read: kept on the row, not retried
        logger.exception("fulfillment queue item %s failed unexpectedly", item.pk)
        error = f"Unexpected error: {exc.__class__.__name__}: {exc}"
    finally:
        if own_client is not None:
            own_client.close()
    return _settle(item=item, response=response, error=error, retry_in=retry_in, started_at=started_at)


def _shared_client(store_id: int, clients: dict):
    """One client per store for a drain of many rows (its credentials read once)."""
    if store_id not in clients:
        credentials = StoreLetzshopCredentials.objects.get(store_id=store_id)
        clients[store_id] = client_for(credentials=credentials, rate_limit_waits=0)
    return clients[store_id]


def _send(client, item: Queue) -> tuple[dict[str, Any], str]:
    """Call Letzshop; (what it answered, the error of refused units or "")."""
    order = item.letzshop_order
    if item.operation == Operation.SET_TRACKING:
        result = client.set_shipment_tracking(
            shipment_id=order.letzshop_shipment_id,
            code=item.payload["tracking_number"],
            provider=item.payload["tracking_carrier"],
        )
        answer = {
            "raw": result.raw,
            "elapsed_ms": result.elapsed_ms,
            "shipment_state": result.shipment.state if result.shipment else None,
        }
    else:
        available = item.operation == Operation.CONFIRM
        result = client.confirm_inventory_units(
            [(unit_id, available) for unit_id in item.payload["inventory_unit_ids"]]
        )
        answer = {
            "raw": result.raw,
            "elapsed_ms": result.elapsed_ms,
            "units": {unit.id: unit.state for unit in result.units},
        }
    refused = [e for e in result.errors if (e.code or "") not in IDEMPOTENT_CODES]
    error = "; ".join(f"{e.id or '-'}: {e.message}" for e in refused)
    return answer, error


@transaction.atomic
def _settle(*, item: Queue, response, error: str, retry_in: float | None, started_at) -> Queue:
    now = timezone.now()
    item.response_data = response if response is not None else item.response_data
    item.locked_at = None
    if response is not None:
        _apply(item, response)
    if not error:
        item.status, item.error_message, item.completed_at, item.next_attempt_at = (
            Queue.Status.COMPLETED,
            "",
            now,
            None,
        )
    elif retry_in is not None and item.attempts < item.max_attempts:
        item.status, item.error_message = Queue.Status.PENDING, error
        item.next_attempt_at = now + timedelta(seconds=retry_in)
    else:
        item.status, item.error_message, item.next_attempt_at = Queue.Status.FAILED, error, None
    item.save()
    records = len(item.payload.get("inventory_unit_ids", [])) or 1
    sync_log_write(
        store=item.store,
        operation_type=item.operation,
        direction=LetzshopSyncLog.Direction.OUTBOUND,
        status="failed" if error else "success",
        started_at=started_at,
        completed_at=now,
        records_processed=records,
        records_succeeded=0 if error else records,
        records_failed=records if error else 0,
        error_details=(
            {"message": error, "attempt": item.attempts, "will_retry": item.status == Queue.Status.PENDING}
            if error
            else None
        ),
        triggered_by=str(item.created_by_id or LetzshopSyncLog.TRIGGER_QUEUE),
        details={"queue_item": item.pk, "attempt": item.attempts, "order": item.letzshop_order.letzshop_order_number},
        queue_item=item,
    )
    if item.status == Queue.Status.PENDING:
        transaction.on_commit(lambda: _wake(item.pk, countdown=retry_in or 0))
    elif item.status == Queue.Status.COMPLETED:
        follower = (
            Queue.objects.filter(letzshop_order_id=item.letzshop_order_id, status=Queue.Status.PENDING, pk__gt=item.pk)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if follower:
            transaction.on_commit(lambda: _wake(follower))
    queue_item_settled(item=item)
    return item


def _apply(item: Queue, response: dict[str, Any]) -> None:
    """Letzshop accepted (part of) the operation: units, sync status and the local order follow."""
    order = (
        LetzshopOrder.objects.select_for_update()
        .only("inventory_units", "letzshop_state", "sync_status", "local_order_id")
        .get(pk=item.letzshop_order_id)
    )
    if item.operation == Operation.SET_TRACKING:
        order.sync_status = LetzshopOrder.SyncStatus.SHIPPED
        if response.get("shipment_state") in LetzshopOrder.State.values:
            order.letzshop_state = response["shipment_state"]  # as Letzshop now shows it
        target = Order.Status.SHIPPED
    else:
        answered = response.get("units", {})
        for unit in order.inventory_units:
            if unit["id"] in answered:
                unit["state"] = answered[unit["id"]]
        states = [unit.get("state") for unit in order.inventory_units]
        if UNIT_UNCONFIRMED not in states:
            order.letzshop_state = LetzshopOrder.State.CONFIRMED
        if order.sync_status != LetzshopOrder.SyncStatus.SHIPPED:
            order.sync_status = units_sync_status(states, order.sync_status)
        target = {"confirmed": Order.Status.CONFIRMED, "rejected": Order.Status.REJECTED}.get(order.sync_status)
    order.save(update_fields=["inventory_units", "letzshop_state", "sync_status", "updated_at"])
    if order.local_order_id and target:
        # Only along an allowed transition (a cancelled order stays cancelled): one UPDATE.
        allowed_from = [status for status, targets in Order.ALLOWED_TRANSITIONS.items() if target in targets]
        now = timezone.now()
        changes = {"status": target, "updated_at": now}
        local = Order.objects.filter(pk=order.local_order_id, status__in=allowed_from)
        if target == Order.Status.SHIPPED:
            local.filter(shipped_at__isnull=True).update(shipped_at=now)
        local.update(**changes)


# --- the sweep ----------------------------------------------------------------------------


def queue_rescue_stuck() -> int:
    """Rows a killed worker left in processing go back to pending (or fail, out of attempts).

    Sending a confirmation twice is harmless: Letzshop answers a unit already in the asked
    state without error."""
    now = timezone.now()
    stuck = Q(
        status=Queue.Status.PROCESSING, locked_at__lt=now - timedelta(seconds=settings.LETZSHOP_QUEUE_STUCK_SECONDS)
    )
    failed = Queue.objects.filter(stuck, attempts__gte=F("max_attempts")).update(
        status=Queue.Status.FAILED,
        locked_at=None,
        error_message="The worker stopped during the last attempt and no attempt is left.",
        updated_at=now,
    )
    rescued = Queue.objects.filter(stuck).update(
        status=Queue.Status.PENDING, locked_at=None, next_attempt_at=now, updated_at=now
    )
    return rescued + failed


def queue_due_ids(*, limit: int = 500) -> list[int]:
    now = timezone.now()
    return list(
        Queue.objects.filter(status=Queue.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(~Exists(_earlier_open_rows()))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def queue_sweep(*, limit: int = 500) -> dict[str, int]:
    """Beat's sweep: rescue stuck rows, then wake a worker for every due row."""
    rescued = queue_rescue_stuck()
    due = queue_due_ids(limit=limit)
    for item_id in due:
        _wake(item_id)
    return {"rescued": rescued, "woken": len(due)}


def queue_process_due(*, limit: int = 10_000, progress=None) -> dict[str, int]:
    """Run every due row now, in this process (``manage.py letzshop_process_queue``).

    Rows that fail again wait for their backoff: they are not due within this run."""
    counts = {"rescued": queue_rescue_stuck(), "completed": 0, "failed": 0, "retrying": 0, "skipped": 0}
    outcome = {
        None: "skipped",
        Queue.Status.COMPLETED: "completed",
        Queue.Status.FAILED: "failed",
        Queue.Status.PENDING: "retrying",
    }
    clients: dict = {}
    tried: set[int] = set()
    try:
        while len(tried) < limit:
            due = [pk for pk in queue_due_ids(limit=500) if pk not in tried][: limit - len(tried)]
            if not due:
                break
            for item_id in due:
                tried.add(item_id)
                item = queue_item_process(item_id=item_id, clients=clients)
                counts[outcome[item.status if item else None]] += 1
                if progress:
                    progress(counts)
    finally:
        for client in clients.values():
            client.close()
    return counts
