"""Fulfillment: confirm, decline and set tracking on Letzshop through a durable queue.

Each operation writes a ``LetzshopFulfillmentQueue`` row in the same transaction as the local
change, and a Celery task tries it as soon as the transaction commits. The database is the
queue: a lost broker message or a killed worker leaves a row that ``queue_sweep`` (beat)
picks up. Rows of one order are sent in the order they were queued.

Retries: exponential backoff with jitter up to ``max_attempts``; a 429 is Letzshop saying
"later": it waits Retry-After (with jitter) and uses up no attempt, bounded by time instead; a
refused key, a validation error or a per-unit refusal fails at once (retrying cannot help). A
row a stopped worker left is checked on Letzshop before anything is sent again. A failed row
keeps its payload, error and Letzshop's answer, and can be retried by hand. What happens on
each fault: docs/fulfillment.md.
"""

import hashlib
import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection, transaction
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
from letzshop.services.mapping import UNIT_CONFIRMED, UNIT_DECLINED, order_status_of, units_sync_status
from letzshop.services.sync_log import sync_log_write
from orders.carriers import carrier_code
from orders.hooks import units_confirmed
from orders.models import Order
from orders.services import carriers_register, order_follow_channel_status, order_follow_channel_tracking

logger = logging.getLogger(__name__)

Queue = LetzshopFulfillmentQueue
# The shipment as Letzshop sent it is large and not needed to send an operation.
RAW_FIELDS = ("letzshop_order__raw_order_data",)
Operation = LetzshopFulfillmentQueue.Operation
UNIT_UNCONFIRMED = "unconfirmed"
# The task that tries one row (letzshop/tasks.py), named rather than imported.
PROCESS_TASK = "letzshop.tasks.fulfillment_queue_process"
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
                woken_at=timezone.now(),  # by the message sent once this commits
                created_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:
        row = Queue.objects.get(
            letzshop_order=order, operation=operation, payload_digest=digest, status__in=Queue.OPEN_STATUSES
        )
        return row, False
    transaction.on_commit(lambda: _wake(row.pk))
    return row, True


def _wake(item_id: int, countdown: float = 0) -> bool:
    """Ask a worker to try the row. Losing this message loses nothing: the sweep finds the row.

    The task is looked up by its name (``letzshop.tasks`` calls this module, not the reverse)."""
    try:
        current_app.tasks[PROCESS_TASK].apply_async(args=[item_id], countdown=max(0.0, countdown))
    except Exception:  # the broker is down: the row waits, unmarked, for the sweep
        logger.warning("could not reach the broker for queue item %s; the sweep will take it", item_id)
        try:
            Queue.objects.filter(pk=item_id, status=Queue.Status.PENDING).update(woken_at=None)
        except DatabaseError:  # the database too: the sweep takes it once woken_at is old
            logger.warning("could not mark queue item %s as not woken", item_id)
        return False
    return True


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
    opposite = Operation.DECLINE if operation == Operation.CONFIRM else Operation.CONFIRM
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
def order_decline(
    *, order: LetzshopOrder, reason: str, inventory_unit_ids: list[str] | None = None, user=None
) -> tuple[Queue, bool]:
    """Queue the decline of all (or the listed) units: ``confirmInventoryUnits`` with
    ``isAvailable: false`` (Letzshop has no reject mutation). The reason stays with us."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(gettext("Say why the order is declined (for example: out of stock)."), field="reason")
    order = _locked(order)
    units = _units_requested(order, inventory_unit_ids)
    _other_decision(order, operation=Operation.DECLINE, units=units)
    order.decline_reason = reason[:500]
    order.save(update_fields=["decline_reason", "updated_at"])
    payload = {"inventory_unit_ids": units, "reason": reason[:500]}
    return _enqueue(order=order, operation=Operation.DECLINE, payload=payload, user=user)


@transaction.atomic
def order_set_tracking(
    *, order: LetzshopOrder, tracking_number: str, tracking_carrier: str, user=None
) -> tuple[Queue, bool]:
    """Keep the tracking locally at once (Letzshop may never read it back) and queue it."""
    number = (tracking_number or "").strip()
    typed = (tracking_carrier or "").strip()
    # One code per carrier, whatever way it was typed ("DHL", "dhl"): kept, sent, and listed
    # in Settings > Shipping (orders.carriers).
    carrier = carrier_code(typed)
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
    carriers_register(carriers={carrier: typed})
    if order.local_order_id:
        order_follow_channel_tracking(order_id=order.local_order_id, tracking_number=number, carrier=carrier)
    payload = {"tracking_number": number, "tracking_carrier": carrier}
    return _enqueue(order=order, operation=Operation.SET_TRACKING, payload=payload, user=user)


@transaction.atomic
def queue_item_retry(*, item: Queue) -> Queue:
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
    now = timezone.now()
    item.status, item.attempts, item.next_attempt_at, item.locked_at = Queue.Status.PENDING, 0, now, None
    item.woken_at, item.rate_limited_since = now, None
    item.save(
        update_fields=[
            "status",
            "attempts",
            "next_attempt_at",
            "locked_at",
            "woken_at",
            "rate_limited_since",
            "updated_at",
        ]
    )
    transaction.on_commit(lambda: _wake(item.pk))
    return item


# --- processing ---------------------------------------------------------------------------


def _earlier_open_rows():
    return Queue.objects.filter(
        letzshop_order=OuterRef("letzshop_order"), status__in=Queue.OPEN_STATUSES, pk__lt=OuterRef("pk")
    )


def _due() -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())


def _claim(item_id: int) -> bool:
    """Take a due pending row (one conditional UPDATE); False if it is not due, taken, or an
    earlier operation of the same order is still open. The message that woke it is spent."""
    now = timezone.now()
    return bool(
        Queue.objects.filter(pk=item_id, status=Queue.Status.PENDING)
        .filter(_due())
        .filter(~Exists(_earlier_open_rows()))
        .update(
            status=Queue.Status.PROCESSING,
            locked_at=now,
            woken_at=None,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter, capped below the broker's visibility timeout."""
    base = settings.LETZSHOP_QUEUE_BACKOFF_BASE_SECONDS * (2 ** max(attempt - 1, 0))
    return min(base * random.uniform(0.5, 1.5), settings.LETZSHOP_QUEUE_MAX_DELAY_SECONDS)


def rate_limit_delay(retry_after: float) -> float:
    """Letzshop's Retry-After, never less, plus up to half as much again (at least a second) at
    random: rows throttled together do not all come back at the same instant."""
    spread = max(retry_after * 0.5, 1.0)
    return min(retry_after + random.uniform(0, spread), settings.LETZSHOP_QUEUE_MAX_DELAY_SECONDS)


@dataclass
class Outcome:
    """What one try of a row came to, before it is written down."""

    response: dict[str, Any] | None = None  # what Letzshop answered (or showed), None if nothing
    error: str = ""
    retry_in: float | None = None  # seconds until the next try; None: no retry
    rate_limited: bool = False  # a 429 (or the client's shared limit): "later", not a failed attempt
    sent: bool = True  # False: nothing was sent (Letzshop already showed it done, or it was refused)
    checked: bool = False  # the shipment's state was read on Letzshop first

    @property
    def counts_as_attempt(self) -> bool:
        return self.sent and not self.rate_limited


def queue_item_process(*, item_id: int, clients: dict | None = None) -> Queue | None:
    """Try one row once. Returns the row as left (None if it was not ours to take).

    ``clients`` lets a caller that drains many rows reuse one HTTP session per store."""
    if not _claim(item_id):
        # A due row we could not take (its order busy): the message that woke us is spent, so
        # the sweep wakes the row when it can go. A row not due yet has its own message coming.
        Queue.objects.filter(pk=item_id, status=Queue.Status.PENDING).filter(_due()).update(woken_at=None)
        return None
    item = Queue.objects.select_related("letzshop_order", "store").defer(*RAW_FIELDS).get(pk=item_id)
    log_context_bind(store=item.store.code, queue_item=item.pk)
    claimed_attempts = item.attempts
    started_at = timezone.now()
    own_client = None
    try:
        if clients is None:
            credentials = StoreLetzshopCredentials.objects.get(store_id=item.store_id)
            client = own_client = client_for(credentials=credentials, rate_limit_waits=0)
        else:
            client = _shared_client(item.store_id, clients)
        outcome = _try(client, item)
    except StoreLetzshopCredentials.DoesNotExist:
        outcome = Outcome(error="This store has no Letzshop credentials any more.", sent=False)
    except CredentialsDecryptionError as exc:
        outcome = Outcome(error=str(exc), sent=False)
    except RateLimited as exc:
        # Letzshop's 429, or the client's own limit for this key refusing to send: the same.
        outcome = Outcome(error=exc.message, retry_in=rate_limit_delay(float(exc.retry_after)), rate_limited=True)
    except TransientError as exc:
        outcome = Outcome(error=exc.message, retry_in=backoff_seconds(item.attempts))
    except (AuthError, ResponseError) as exc:
        outcome = Outcome(error=exc.message)
    except LetzshopError as exc:
        outcome = Outcome(error=exc.message)
    except Exception as exc:  # a bug or an answer we cannot read: kept on the row, not retried
        logger.exception("fulfillment queue item %s failed unexpectedly", item.pk)
        outcome = Outcome(error=f"Unexpected error: {exc.__class__.__name__}: {exc}")
    finally:
        if own_client is not None:
            own_client.close()
    return _settle_retrying(item=item, outcome=outcome, claimed_attempts=claimed_attempts, started_at=started_at)


def _shared_client(store_id: int, clients: dict):
    """One client per store for a drain of many rows (its credentials read once)."""
    if store_id not in clients:
        credentials = StoreLetzshopCredentials.objects.get(store_id=store_id)
        clients[store_id] = client_for(credentials=credentials, rate_limit_waits=0)
    return clients[store_id]


def _try(client, item: Queue) -> Outcome:
    """Send the row's operation; a row a stopped worker left is first checked on Letzshop."""
    unit_ids = None
    shown: dict[str, Any] = {}
    if item.verify_before_send:
        seen = letzshop_shipment_state(
            client=client, shipment_id=item.letzshop_order.letzshop_shipment_id, states=VERIFY_STATES[item.operation]
        )
        done, shown, unit_ids = _already_done(item, seen)
        if done:
            return Outcome(response={**shown, "verified_on_letzshop": True}, sent=False, checked=True)
        if item.attempts > item.max_attempts:
            error = (
                "The worker stopped during the last attempt, Letzshop does not show the operation done, "
                "and no attempt is left."
            )
            return Outcome(error=error, sent=False, checked=True)
    response, error = _send(client, item, unit_ids=unit_ids)
    if shown.get("units"):
        response["units"] = {**shown["units"], **response["units"]}
    return Outcome(response=response, error=error, checked=item.verify_before_send)


# Where a shipment may be once the operation went through, in the order they are looked in.
VERIFY_STATES = {
    Operation.CONFIRM: ("unconfirmed", "confirmed", "shipped"),
    Operation.DECLINE: ("unconfirmed", "confirmed", "shipped"),
    Operation.SET_TRACKING: ("shipped", "confirmed", "delivered"),
}
# Letzshop answers no shipment by id: its state is found by paging the light states query.
VERIFY_MAX_PAGES = 20


def letzshop_shipment_state(*, client, shipment_id: str, states: tuple[str, ...]):
    """The shipment's states as Letzshop shows them now (``ShipmentState``), or None when it is not
    found within ``VERIFY_MAX_PAGES`` pages of each of ``states``."""
    page_size = settings.LETZSHOP_PAGE_SIZE
    for state in states:
        after = None
        for _ in range(VERIFY_MAX_PAGES):
            page = client.shipment_states_page(state=state, first=page_size, after=after)
            for found in page.states:
                if found.id == shipment_id:
                    return found
            if not page.has_next_page:
                break
            after = page.end_cursor
    return None


def _already_done(item: Queue, seen) -> tuple[bool, dict[str, Any], list[str] | None]:
    """(whether Letzshop already shows the operation done, what it shows, the units still to send).

    Not found (or a tracking that Letzshop does not read back): not done, send it all."""
    if seen is None:
        return False, {}, None
    if item.operation == Operation.SET_TRACKING:
        shown_code = (seen.tracking.code or "").strip() if seen.tracking else ""
        done = bool(shown_code) and shown_code == item.payload["tracking_number"].strip()
        return done, {"shipment_state": seen.state}, None
    wanted = UNIT_CONFIRMED if item.operation == Operation.CONFIRM else UNIT_DECLINED
    states = dict(seen.unit_states)
    requested = item.payload["inventory_unit_ids"]
    shown = {unit_id: states[unit_id] for unit_id in requested if unit_id in states}
    remaining = [unit_id for unit_id in requested if states.get(unit_id) != wanted]
    return not remaining, {"units": shown}, remaining


def _send(client, item: Queue, *, unit_ids: list[str] | None = None) -> tuple[dict[str, Any], str]:
    """Call Letzshop; (what it answered, the error of refused units or ""). ``unit_ids`` narrows
    a confirmation or a decline to the units Letzshop does not show done yet."""
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
        units = unit_ids if unit_ids is not None else item.payload["inventory_unit_ids"]
        result = client.confirm_inventory_units([(unit_id, available) for unit_id in units])
        answer = {
            "raw": result.raw,
            "elapsed_ms": result.elapsed_ms,
            "units": {unit.id: unit.state for unit in result.units},
        }
    refused = [e for e in result.errors if (e.code or "") not in IDEMPOTENT_CODES]
    error = "; ".join(f"{e.id or '-'}: {e.message}" for e in refused)
    return answer, error


# A database error while writing down an outcome: tries, and the wait before each new one.
SETTLE_TRIES = 4
SETTLE_RETRY_SECONDS = 0.5


def _settle_retrying(**kwargs) -> Queue:
    """Write down what Letzshop answered, trying again (on a new connection) when the database
    fails meanwhile: Letzshop has already acted, and a row left in processing would be sent again
    after LETZSHOP_QUEUE_STUCK_SECONDS (then checked on Letzshop first). Inside a caller's
    transaction nothing can be retried: the error goes up."""
    for attempt in range(1, SETTLE_TRIES + 1):
        try:
            return _settle(**kwargs)
        except (OperationalError, InterfaceError):
            if attempt == SETTLE_TRIES or connection.in_atomic_block:
                raise
            logger.warning("writing down queue item %s failed; trying again", kwargs["item"].pk, exc_info=True)
            connection.close()
            time.sleep(SETTLE_RETRY_SECONDS * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def _give_up_rate_limited(item: Queue, *, since, now) -> None:
    """The one place where throttling ends an operation: Letzshop has said "later" without a
    break for LETZSHOP_QUEUE_RATE_LIMIT_GIVE_UP_SECONDS. The row fails (a person retries it by
    hand once Letzshop accepts calls again); whoever must hear of it is told from here."""
    hours = (now - since).total_seconds() / 3600
    item.status, item.next_attempt_at = Queue.Status.FAILED, None
    item.error_message = (
        f"Letzshop rate limited this operation without a break for {hours:.1f} h (since "
        f"{since:%Y-%m-%d %H:%M} UTC): given up. Retry it once Letzshop accepts calls again. "
        f"Last answer: {item.error_message}"
    )


@transaction.atomic
def _settle(*, item: Queue, outcome: Outcome, claimed_attempts: int, started_at) -> Queue:
    """Write down one try; deterministic in its arguments, so that it can be run again."""
    now = timezone.now()
    error = outcome.error
    item.attempts = claimed_attempts if outcome.counts_as_attempt else claimed_attempts - 1
    item.response_data = outcome.response if outcome.response is not None else item.response_data
    item.locked_at = None
    units_shown = None
    if outcome.response is not None:
        item.verify_before_send = False  # Letzshop's answer says where the operation stands
        units_shown = _apply(item, outcome.response)
    item.error_message = error
    item.next_attempt_at = None
    if not error:
        item.status, item.completed_at, item.rate_limited_since = Queue.Status.COMPLETED, now, None
    elif outcome.rate_limited:
        since = item.rate_limited_since or now
        item.rate_limited_since = since
        if (now - since).total_seconds() >= settings.LETZSHOP_QUEUE_RATE_LIMIT_GIVE_UP_SECONDS:
            _give_up_rate_limited(item, since=since, now=now)
        else:
            item.status, item.next_attempt_at = Queue.Status.PENDING, now + timedelta(seconds=outcome.retry_in or 0)
    else:
        item.rate_limited_since = None
        if outcome.retry_in is not None and item.attempts < item.max_attempts:
            item.status, item.next_attempt_at = Queue.Status.PENDING, now + timedelta(seconds=outcome.retry_in)
        else:
            item.status = Queue.Status.FAILED
    # The message that will wake a worker for the retry is due then.
    item.woken_at = item.next_attempt_at
    item.save()
    records = len(item.payload.get("inventory_unit_ids", [])) or 1
    details = {"queue_item": item.pk, "attempt": item.attempts, "order": item.letzshop_order.letzshop_order_number}
    if outcome.checked:
        details.update(checked_on_letzshop=True, sent=outcome.sent)
    if outcome.rate_limited:
        details.update(rate_limited=True)
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
            {"message": item.error_message, "attempt": item.attempts, "will_retry": item.status == Queue.Status.PENDING}
            if error
            else None
        ),
        triggered_by=str(item.created_by_id or LetzshopSyncLog.TRIGGER_QUEUE),
        details=details,
        queue_item=item,
    )
    if item.status == Queue.Status.PENDING:
        retry_in = outcome.retry_in or 0
        transaction.on_commit(lambda: _wake(item.pk, countdown=retry_in))
    elif item.status == Queue.Status.COMPLETED:
        if item.operation == Operation.CONFIRM:
            _tell_units_confirmed(item, units_shown)
        follower = (
            Queue.objects.filter(letzshop_order_id=item.letzshop_order_id, status=Queue.Status.PENDING, pk__gt=item.pk)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if follower:
            Queue.objects.filter(pk=follower).update(woken_at=now)
            transaction.on_commit(lambda: _wake(follower))
    queue_item_settled(item=item)
    return item


def _tell_units_confirmed(item: Queue, shown: tuple[int | None, list[dict]] | None) -> None:
    """A confirmation completed: the apps above orders (loyalty's points) hear which of its units
    Letzshop now shows confirmed available. Inside the settling transaction, so a settle run
    again tells them again, and each receiver is idempotent (docs/loyalty.md). ``shown``: the
    local order's id and the units as ``_apply`` left them (read again without)."""
    if shown is None:
        order = LetzshopOrder.objects.only("inventory_units", "local_order_id").get(pk=item.letzshop_order_id)
        shown = (order.local_order_id, order.inventory_units)
    local_order_id, units = shown
    if not local_order_id:
        return
    states = {unit["id"]: unit.get("state") for unit in units}
    confirmed = [
        unit_id for unit_id in item.payload.get("inventory_unit_ids", []) if states.get(unit_id) == UNIT_CONFIRMED
    ]
    units_confirmed(order_id=local_order_id, unit_ids=confirmed)


def _apply(item: Queue, response: dict[str, Any]) -> tuple[int | None, list[dict]]:
    """Letzshop accepted (part of) the operation: units, sync status and the local order follow.
    Returns the local order's id and the units as they now stand."""
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
        target = order_status_of(order.sync_status)
    order.save(update_fields=["inventory_units", "letzshop_state", "sync_status", "updated_at"])
    if order.local_order_id and target:
        order_follow_channel_status(order_ids=[order.local_order_id], status=target)
    return order.local_order_id, order.inventory_units


# --- the sweep ----------------------------------------------------------------------------


def queue_rescue_stuck() -> int:
    """Rows a stopped worker left in processing go back to pending, marked to be checked on
    Letzshop before anything is sent again: the worker may have stopped after Letzshop accepted
    the operation. A row out of attempts is still checked (it may be done), never sent again."""
    now = timezone.now()
    stuck = Q(
        status=Queue.Status.PROCESSING, locked_at__lt=now - timedelta(seconds=settings.LETZSHOP_QUEUE_STUCK_SECONDS)
    )
    return Queue.objects.filter(stuck).update(
        status=Queue.Status.PENDING,
        locked_at=None,
        next_attempt_at=now,
        woken_at=None,
        verify_before_send=True,
        updated_at=now,
    )


def _due_rows():
    return Queue.objects.filter(status=Queue.Status.PENDING).filter(_due()).filter(~Exists(_earlier_open_rows()))


def queue_due_ids(*, limit: int = 500) -> list[int]:
    return list(_due_rows().order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def queue_sweep(*, limit: int = 500) -> dict[str, int]:
    """Beat's sweep: rescue stuck rows, then wake a worker for each due row that no message is
    on its way for: never woken, its message spent without a claim, or due longer than
    LETZSHOP_QUEUE_WAKE_LOST_SECONDS ago (that message is surely lost)."""
    rescued = queue_rescue_stuck()
    now = timezone.now()
    lost = now - timedelta(seconds=settings.LETZSHOP_QUEUE_WAKE_LOST_SECONDS)
    # Marked in one transaction, rows locked: two sweeps at once (a backed-up worker runs them
    # side by side) wake different rows, never one row twice.
    with transaction.atomic():
        due = list(
            _due_rows()
            .filter(Q(woken_at__isnull=True) | Q(woken_at__lt=lost))
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        Queue.objects.filter(pk__in=due).update(woken_at=now)
    woken = 0
    for item_id in due:
        if not _wake(item_id):
            # The broker is down: the rest wait, unmarked, for the next sweep.
            Queue.objects.filter(pk__in=due[woken:], status=Queue.Status.PENDING).update(woken_at=None)
            break
        woken += 1
    return {"rescued": rescued, "woken": woken}


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
