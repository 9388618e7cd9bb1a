"""Order import: every shipment of a store in, exactly once, matched to the catalog by GTIN.

A run fetches the store's shipments page by page (Relay pagination followed to the last page)
while the previous page is written, so the database and the network work at the same time.
Each page is one transaction of bulk reads and bulk writes: a constant number of SQL queries
whatever the page size. A re-run writes nothing for shipments whose data did not change.

Safety: one import per store at a time (a lease on the credentials row, ``import_lock``); the
database's unique constraints stop duplicates even if two ran anyway, and a page that meets a
row written concurrently is retried as an update.
"""

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from config.bulk import SerializedJSON, bulk_allocations, ids_reserve, insert_rows
from exceptions.models import OrderItemException
from exceptions.services import exceptions_auto_match
from letzshop.client.errors import LetzshopError, ResponseError
from letzshop.client.types import Shipment, ShipmentState
from letzshop.crypto import CredentialsDecryptionError
from letzshop.models import LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials, SyncStatus
from letzshop.services.credentials import client_for, credentials_get
from letzshop.services.incidents import import_run_ended
from letzshop.services.mapping import MappedItem, MappedShipment, shipment_map, state_fingerprint
from letzshop.services.sync_log import sync_log_start
from orders.hooks import orders_imported
from orders.models import Order, OrderItem
from stores.models import Store
from stores.selectors import products_by_gtin
from stores.services import placeholder_product_get

logger = logging.getLogger(__name__)

STATE_UNCONFIRMED = "unconfirmed"
STATE_CONFIRMED = "confirmed"
# The lease is renewed well within LETZSHOP_IMPORT_LOCK_SECONDS; progress is written often
# enough for a page polling it to move smoothly.
LEASE_RENEW_SECONDS = 60.0
PROGRESS_WRITE_SECONDS = 0.5
# Pages fetched ahead of the writing, and the most shipments written in one transaction when
# several fetched pages wait (a page larger than that is still written whole).
PREFETCH_PAGES = 8
BATCH_SHIPMENTS = 1000
SYNC_ORDER = {"pending": 0, "confirmed": 1, "rejected": 1, "shipped": 2}
LETZSHOP_FIELDS = [
    "letzshop_order_id",
    "letzshop_order_number",
    "letzshop_state",
    "customer_email",
    "customer_name",
    "total_amount",
    "currency",
    "raw_order_data",
    "inventory_units",
    "sync_status",
    "tracking_number",
    "tracking_carrier",
    "raw_digest",
    "state_digest",
    "updated_at",
]
ORDER_FIELDS = [
    "external_order_id",
    "external_order_number",
    "shipment_number",
    "customer_email",
    "customer_first_name",
    "customer_last_name",
    "customer_phone",
    "locale",
    "shipping_address",
    "shipping_country",
    "billing_address",
    "billing_country",
    "total_amount",
    "ordered_at",
    "shipping_carrier",
    "tracking_number",
    "status",
    "shipped_at",
    "updated_at",
]
ITEM_FIELDS = ["quantity", "unit_price", "total_price", "inventory_unit_ids", "updated_at"]
# An item's row and, if it matched no product, its exception's row.
ItemRows = tuple[dict[str, Any], dict[str, Any] | None]


@dataclass
class ImportResult:
    status: str  # success | partial | failed | already_running
    message: str
    orders_imported: int = 0
    orders_updated: int = 0
    orders_unchanged: int = 0
    exceptions_created: int = 0
    pages: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    sync_log_id: int | None = None

    @property
    def success(self) -> bool:
        return self.status == SyncStatus.SUCCESS

    def as_response(self) -> dict[str, Any]:
        """The import's answer (docs/import.md), with every count."""
        return {
            "success": self.success,
            "message": self.message,
            "orders_imported": self.orders_imported,
            "orders_updated": self.orders_updated,
            "orders_unchanged": self.orders_unchanged,
            "exceptions_created": self.exceptions_created,
            "errors": self.errors,
            "status": self.status,
            "sync_log_id": self.sync_log_id,
        }


@dataclass
class PageOutcome:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    exceptions_created: int = 0
    exception_gtins: set[str] = field(default_factory=set)
    errors: list[dict[str, Any]] = field(default_factory=list)


# --- the lease: one import per store at a time ------------------------------------------------


def import_lock_acquire(*, store: Store) -> timezone.datetime | None:
    """Take the store's import lease; None if another import holds a live one.

    One conditional UPDATE, atomic on SQLite and PostgreSQL alike; a lease older than
    LETZSHOP_IMPORT_LOCK_SECONDS belongs to a dead worker and may be taken over.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.LETZSHOP_IMPORT_LOCK_SECONDS)
    taken = (
        StoreLetzshopCredentials.objects.filter(store=store)
        .filter(Q(import_started_at__isnull=True) | Q(import_started_at__lt=stale))
        .update(import_started_at=now)
    )
    return now if taken else None


def import_lock_renew(*, store: Store, lease: timezone.datetime) -> timezone.datetime:
    now = timezone.now()
    StoreLetzshopCredentials.objects.filter(store=store, import_started_at=lease).update(import_started_at=now)
    return now


def import_lock_release(*, store: Store, lease: timezone.datetime) -> None:
    StoreLetzshopCredentials.objects.filter(store=store, import_started_at=lease).update(import_started_at=None)


# --- one page -----------------------------------------------------------------------------


def _order_status(sync_status: str) -> str:
    return {
        "confirmed": Order.Status.CONFIRMED,
        "rejected": Order.Status.REJECTED,
        "shipped": Order.Status.SHIPPED,
    }.get(sync_status, Order.Status.PENDING)


def _match(item: MappedItem, catalog: dict[str, list[int]]) -> tuple[int | None, str, str]:
    """(product id, exception type, detail); the id is None when the item needs a person."""
    if not item.gtin.is_valid:
        return None, OrderItemException.Type.GTIN_MISMATCH, item.gtin.problem
    products = catalog.get(item.gtin.gtin14, [])
    if len(products) == 1:
        return products[0], "", ""
    if not products:
        return None, OrderItemException.Type.PRODUCT_NOT_FOUND, "no product of the catalog has this GTIN"
    return None, OrderItemException.Type.DUPLICATE_GTIN, f"{len(products)} products of the catalog have this GTIN"


def _new_item_rows(
    *,
    order_id: int | None,
    store_id: int,
    items: Sequence[MappedItem],
    catalog: dict[str, list[int]],
    placeholder_id: int,
) -> list[ItemRows]:
    """Rows of an order's items, each with the row of its exception if it matched nothing
    (``order_id`` None: set by the caller once the order has its id)."""
    rows = []
    for item in items:
        product_id, exception_type, detail = _match(item, catalog)
        item_row = {
            "order_id": order_id,
            "product_id": product_id or placeholder_id,
            "product_name": item.name,
            "product_sku": item.sku,
            "gtin": item.gtin_raw,
            "gtin_type": item.gtin_parser[:8],
            "quantity": item.quantity,
            "unit_price": item.unit_price,
            "total_price": item.total_price,
            "external_item_key": item.key[:255],
            "external_variant_id": item.variant_id[:255],
            "inventory_unit_ids": item.unit_ids,
            "needs_product_match": product_id is None,
        }
        exception_row = None
        if product_id is None:
            exception_row = {
                "store_id": store_id,
                "order_id": order_id,
                "exception_type": exception_type,
                "status": OrderItemException.Status.PENDING,
                "original_gtin": item.gtin_raw[:64],
                "gtin_normalized": item.gtin.gtin14,
                "original_product_name": item.name,
                "original_sku": item.sku,
                "detail": detail[:255],
            }
        rows.append((item_row, exception_row))
    return rows


def _insert_items(
    rows: list[ItemRows], *, item_ids: list[int] | None = None, exception_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Insert items, then the exceptions of those that need a person; returns the exceptions."""
    item_ids = insert_rows(OrderItem, [item for item, _ in rows], ids=item_ids)
    exceptions = []
    for (_, exception), item_id in zip(rows, item_ids, strict=True):
        if exception is not None:
            exception["order_item_id"] = item_id
            exceptions.append(exception)
    insert_rows(OrderItemException, exceptions, ids=exception_ids)
    return exceptions


def _write_page(*, store: Store, mapped: dict[str, MappedShipment], placeholder_id: int) -> PageOutcome:
    outcome = PageOutcome()
    now = timezone.now()
    existing = {
        row.letzshop_shipment_id: row
        # No ORDER BY: the model's ordering would make SQLite walk the store's rows by date.
        for row in LetzshopOrder.objects.filter(store=store, letzshop_shipment_id__in=list(mapped))
        .order_by()
        .only(
            "id",
            "letzshop_shipment_id",
            "raw_digest",
            "local_order_id",
            "sync_status",
            "tracking_number",
            "tracking_carrier",
        )
    }
    new = [m for m in mapped.values() if m.shipment_id not in existing]
    changed = [(m, existing[m.shipment_id]) for m in mapped.values() if m.shipment_id in existing]
    changed = [(m, row) for m, row in changed if row.raw_digest != m.raw_digest]
    outcome.unchanged = len(mapped) - len(new) - len(changed)
    if not new and not changed:
        return outcome
    touched = new + [m for m, _ in changed]
    gtins = {item.gtin.gtin14 for m in touched for item in m.items if item.gtin.is_valid}
    catalog = products_by_gtin(store=store, gtins=gtins)

    item_rows: list[ItemRows] = []
    if changed:
        item_rows += _update_changed(changed=changed, catalog=catalog, placeholder_id=placeholder_id, now=now)
        outcome.updated = len(changed)
    # The new orders' items are mapped before the orders have ids (set below), so that every
    # row is counted and PostgreSQL hands out the ids of all four tables in one query.
    new_items = [
        _new_item_rows(order_id=None, store_id=store.pk, items=m.items, catalog=catalog, placeholder_id=placeholder_id)
        for m in new
    ]
    every_item = item_rows + [rows for order_items in new_items for rows in order_items]
    ids = ids_reserve(
        {
            Order: len(new),
            LetzshopOrder: len(new),
            OrderItem: len(every_item),
            OrderItemException: sum(1 for _, exception in every_item if exception is not None),
        }
    )
    if new:
        order_ids = insert_rows(
            Order,
            [
                {
                    **m.order,
                    "store_id": store.pk,
                    "status": _order_status(m.letzshop["sync_status"]),
                    "shipped_at": now if m.letzshop["sync_status"] == "shipped" else None,
                }
                for m in new
            ],
            ids=ids.get(Order),
        )
        insert_rows(
            LetzshopOrder,
            [
                {
                    **m.letzshop,
                    "raw_order_data": SerializedJSON(m.raw_json),
                    "raw_digest": m.raw_digest,
                    "store_id": store.pk,
                    "local_order_id": order_id,
                }
                for m, order_id in zip(new, order_ids, strict=True)
            ],
            ids=ids.get(LetzshopOrder),
        )
        for order_items, order_id in zip(new_items, order_ids, strict=True):
            for item, exception in order_items:
                item["order_id"] = order_id
                if exception is not None:
                    exception["order_id"] = order_id
            item_rows += order_items
        outcome.imported = len(new)

    if item_rows:
        exceptions = _insert_items(item_rows, item_ids=ids.get(OrderItem), exception_ids=ids.get(OrderItemException))
        outcome.exceptions_created = len(exceptions)
        outcome.exception_gtins = {e["gtin_normalized"] for e in exceptions if e["gtin_normalized"]}
    orders_imported(  # billing counts the new orders, loyalty takes back returned units' points
        store=store,
        new_order_ids=order_ids if new else [],
        unit_states={
            row.local_order_id: {u["id"]: u["state"] for u in m.letzshop["inventory_units"]}
            for m, row in changed
            if row.local_order_id
        },
    )
    return outcome


def _update_changed(
    *, changed: list[tuple[MappedShipment, LetzshopOrder]], catalog: dict[str, list[int]], placeholder_id: int, now
) -> list[ItemRows]:
    """Shipments Letzshop changed (a state, a unit, tracking): follow it, never backwards.

    Local tracking is kept when Letzshop reads it back empty (it may not read back tracking set
    through the API), and a local sync status ahead of Letzshop's (a queued confirmation) stays.
    """
    orders = Order.objects.in_bulk([row.local_order_id for _, row in changed if row.local_order_id])
    items_by_order: dict[int, dict[str, OrderItem]] = {}
    for item in OrderItem.objects.filter(order_id__in=list(orders)):
        items_by_order.setdefault(item.order_id, {})[item.external_item_key] = item
    rows, order_rows, item_updates, item_deletes = [], [], [], []
    new_items: list[ItemRows] = []
    for m, row in changed:
        values = dict(m.letzshop)
        if not values["tracking_number"] and row.tracking_number:
            values["tracking_number"], values["tracking_carrier"] = row.tracking_number, row.tracking_carrier
        if SYNC_ORDER[row.sync_status] > SYNC_ORDER[values["sync_status"]]:
            values["sync_status"] = row.sync_status
        for name, value in values.items():
            setattr(row, name, value)
        row.raw_digest, row.updated_at = m.raw_digest, now
        rows.append(row)
        order = orders.get(row.local_order_id)
        if order is None:
            continue
        order_values = {k: v for k, v in m.order.items() if k in ORDER_FIELDS}
        if not order_values["tracking_number"]:
            order_values.pop("tracking_number")
        if not order_values["shipping_carrier"]:
            order_values.pop("shipping_carrier")
        for name, value in order_values.items():
            setattr(order, name, value)
        target = _order_status(row.sync_status)
        if target != order.status and order.can_transition_to(target):
            order.status = target
            if target == Order.Status.SHIPPED and order.shipped_at is None:
                order.shipped_at = now
        order.updated_at = now
        order_rows.append(order)
        current = items_by_order.get(order.pk, {})
        fresh = []
        for item in m.items:
            existing_item = current.pop(item.key, None)
            if existing_item is None:
                fresh.append(item)
                continue
            if existing_item.inventory_unit_ids != item.unit_ids or existing_item.unit_price != item.unit_price:
                existing_item.quantity, existing_item.inventory_unit_ids = item.quantity, item.unit_ids
                existing_item.unit_price, existing_item.total_price = item.unit_price, item.total_price
                existing_item.updated_at = now
                item_updates.append(existing_item)
        item_deletes += [item.pk for item in current.values()]  # units Letzshop no longer lists
        new_items += _new_item_rows(
            order_id=order.pk, store_id=order.store_id, items=fresh, catalog=catalog, placeholder_id=placeholder_id
        )
    LetzshopOrder.objects.bulk_update(rows, LETZSHOP_FIELDS)
    if order_rows:
        Order.objects.bulk_update(order_rows, ORDER_FIELDS)
    if item_updates:
        OrderItem.objects.bulk_update(item_updates, ITEM_FIELDS)
    if item_deletes:
        OrderItem.objects.filter(pk__in=item_deletes).delete()
    return new_items


@contextmanager
def _commits_without_waiting_for_the_disk() -> Iterator[None]:
    """On PostgreSQL, commit the run's pages (and its progress) without waiting for their WAL
    to reach the disk.

    A crash in the next fraction of a second could lose the last pages written; they are
    Letzshop's data, still listed there, and the next import writes them again (an import is
    idempotent). The run's outcome, written after this block, waits for the disk as usual.
    """
    if connection.display_name != "PostgreSQL":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        if not connection.needs_rollback:  # an aborted transaction rolls the setting back itself
            try:
                with connection.cursor() as cursor:
                    cursor.execute("RESET synchronous_commit")
            except DatabaseError:  # a broken connection: Django discards it
                logger.warning("could not reset synchronous_commit after an import", exc_info=True)


@dataclass
class MappedPage:
    """Shipments mapped to their rows (pure work, done where the pages are fetched), and those
    that could not be mapped."""

    shipments: dict[str, MappedShipment] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: "MappedPage") -> None:
        self.shipments.update(other.shipments)
        self.errors += other.errors


def shipments_map(shipments: Iterable[Shipment]) -> MappedPage:
    """Map shipments to rows; one that cannot be mapped is reported, the others go on."""
    page = MappedPage()
    for shipment in shipments:
        try:
            page.shipments[shipment.id] = shipment_map(shipment)
        except (ValueError, TypeError, AttributeError, ArithmeticError) as exc:
            page.errors.append({"shipment_id": shipment.id, "error": f"Could not map the shipment: {exc}"})
    return page


def shipments_page_upsert(*, store: Store, shipments: Sequence[Shipment], placeholder_id: int) -> PageOutcome:
    """Write one page of shipments in one transaction. A shipment that cannot be mapped is
    reported in ``errors`` and the others go on."""
    return mapped_page_write(store=store, page=shipments_map(shipments), placeholder_id=placeholder_id)


def mapped_page_write(*, store: Store, page: MappedPage, placeholder_id: int) -> PageOutcome:
    """Write mapped shipments in one transaction."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                outcome = _write_page(store=store, mapped=page.shipments, placeholder_id=placeholder_id)
            break
        except IntegrityError:
            # Another import wrote some of these shipments meanwhile: on the second pass they
            # are existing rows and become updates.
            if attempt == 2:
                raise
            logger.warning("import of store %s met concurrent writes; retrying the page", store.pk)
    if outcome.exception_gtins:
        # A product that entered the catalog while this page was written was matched against
        # nothing: its own auto-match ran before these exceptions were committed. Looking again
        # after the commit closes that gap from this side (one read; an UPDATE only if needed).
        catalog = products_by_gtin(store=store, gtins=outcome.exception_gtins)
        arrived = {gtin for gtin, products in catalog.items() if len(products) == 1}
        if arrived:
            exceptions_auto_match(store=store, gtins=arrived)
    outcome.errors = list(page.errors)
    return outcome


# --- a run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageWork:
    """One page of a state: the ids it holds, and its shipments if it was fetched whole."""

    seen: tuple[str, ...]
    shipments: tuple[Shipment, ...] = ()
    mapped: MappedPage | None = None  # its shipments mapped, in the fetch thread


def _prefetched(
    pages: Iterator[PageWork],
    *,
    depth: int,
    batch_shipments: int,
    prepare: Callable[[PageWork], PageWork] | None = None,
) -> Iterator[list[PageWork]]:
    """Fetch the next pages in a thread while the caller writes the current ones; ``prepare``
    runs on each page in that thread too (the mapping: the writer, the slower side, is spared it).

    Yields, as one batch, every page fetched and not yet taken (at least one; no more pages once
    the batch holds ``batch_shipments`` shipments): when writing is the slower side, the pages
    that wait are written together, in one transaction, which costs the database fewer
    statements and commits per shipment than one transaction per page.
    """
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for page in pages:
                if not put(prepare(page) if prepare else page):
                    return
            put(done)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)

    def batches() -> Iterator[list[PageWork]]:
        try:
            pending = buffer.get()
            while pending is not done:
                if isinstance(pending, BaseException):
                    raise pending
                batch, size, pending = [pending], len(pending.shipments), None
                while pending is None and size < batch_shipments:
                    try:
                        item = buffer.get_nowait()
                    except queue.Empty:
                        break
                    if item is done or isinstance(item, BaseException):
                        pending = item  # the pages before the end, or before an error, go first
                    else:
                        batch.append(item)
                        size += len(item.shipments)
                yield batch
                if pending is None:
                    pending = buffer.get()
        finally:
            stop.set()
            thread.join(timeout=5)

    # Started here, not at the first batch asked for: the first page is on its way meanwhile.
    thread = threading.Thread(target=produce, name="letzshop-prefetch", daemon=True)
    thread.start()
    return batches()


ProgressCallback = Callable[[dict[str, Any]], None]


def _pages(
    client, *, state: str, page_size: int, needs_fetch: Callable[[ShipmentState], bool] | None, adaptive: bool
) -> Iterator[PageWork]:
    """Walk a state's pages to the last one.

    Without ``needs_fetch`` every page is fetched whole. With it, a page is first asked for with
    the light ``ShipmentStates`` query and fetched whole only if ``needs_fetch`` wants one of its
    shipments; ``adaptive`` stops probing once a probe finds mostly new shipments (a store
    catching up), where probing would only add a request per page.
    """
    after: str | None = None
    cursors: set[str] = set()
    probing = needs_fetch is not None
    while True:
        if probing:
            probe = client.shipment_states_page(state=state, first=page_size, after=after)
            wanted = sum(1 for shipment in probe.states if needs_fetch(shipment))
            if adaptive and wanted * 2 > len(probe.states):
                probing = False
            if wanted:
                page = client.shipments_page(state=state, first=page_size, after=after)
                yield PageWork(seen=tuple(s.id for s in page.shipments), shipments=page.shipments)
                has_next, end_cursor = page.has_next_page, page.end_cursor
            else:
                yield PageWork(seen=tuple(s.id for s in probe.states))
                has_next, end_cursor = probe.has_next_page, probe.end_cursor
        else:
            page = client.shipments_page(state=state, first=page_size, after=after)
            yield PageWork(seen=tuple(s.id for s in page.shipments), shipments=page.shipments)
            has_next, end_cursor = page.has_next_page, page.end_cursor
        if not has_next:
            return
        if end_cursor in cursors:
            raise ResponseError(f"Letzshop repeated the page cursor {end_cursor!r}: stopping the pagination")
        cursors.add(end_cursor)
        after = end_cursor


def _changed(known: dict[str, str]) -> Callable[[ShipmentState], bool]:
    def needs_fetch(shipment: ShipmentState) -> bool:
        return known.get(shipment.id) != state_fingerprint(shipment.state, shipment.unit_states, shipment.tracking)

    return needs_fetch


def _known_states(*, store: Store, state: str) -> dict[str, str]:
    return dict(
        LetzshopOrder.objects.filter(store=store, letzshop_state=state)
        .order_by()
        .values_list("letzshop_shipment_id", "state_digest")
    )


def orders_import(
    *,
    store: Store,
    triggered_by: str,
    include_confirmed: bool = False,
    full: bool = False,
    page_size: int | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import the store's unconfirmed shipments (and every confirmed one with
    ``include_confirmed``: a historical import).

    Once a store has shipments, each page is first asked for with a light query of states only
    and fetched whole only if a shipment on it is new or changed state (``full`` fetches every
    page whole, to pick up edits Letzshop makes without a change of state, which are rare).
    Shipments imported earlier that are no longer unconfirmed were confirmed or declined on
    Letzshop: they are looked up among the confirmed shipments and updated.

    Returns at once with ``already_running`` if an import of this store is running. Writes one
    sync log row (with its progress while it runs) and the credentials' ``last_sync_*``.
    """
    credentials = credentials_get(store=store)
    lease = import_lock_acquire(store=store)
    if lease is None:
        credentials.refresh_from_db(fields=["import_started_at"])
        since = timezone.localtime(credentials.import_started_at).strftime("%H:%M:%S")
        return ImportResult(
            status="already_running",
            message=gettext("An import of this store is already running (since %(time)s).") % {"time": since},
        )
    log = sync_log_start(
        store=store,
        operation_type=LetzshopSyncLog.Operation.ORDER_IMPORT,
        direction=LetzshopSyncLog.Direction.INBOUND,
        triggered_by=triggered_by,
        details={"progress": {"pages": 0, "shipments": 0}},
    )
    result = ImportResult(status=SyncStatus.SUCCESS, message="", sync_log_id=log.pk)
    page_size = page_size or settings.LETZSHOP_PAGE_SIZE
    clock = time.perf_counter()
    throttle = Throttle()
    fatal = ""
    try:
        placeholder_id = placeholder_product_get(store=store).pk

        def run(works: Iterator[PageWork], only: set[str] | None = None) -> set[str]:
            """Write the pages; with ``only``, just those shipments, stopping once all are seen."""
            nonlocal lease
            seen: set[str] = set()

            def prepare(work: PageWork) -> PageWork:
                wanted = [s for s in work.shipments if only is None or s.id in only]
                return replace(work, mapped=shipments_map(wanted))

            batches = _prefetched(works, depth=PREFETCH_PAGES, batch_shipments=BATCH_SHIPMENTS, prepare=prepare)
            for batch in batches:
                page = MappedPage()
                for work in batch:
                    seen.update(work.seen)
                    if work.mapped:
                        page.extend(work.mapped)
                if page.shipments or page.errors:
                    outcome = mapped_page_write(store=store, page=page, placeholder_id=placeholder_id)
                    _add(result, outcome)
                if only is None:
                    result.orders_unchanged += sum(len(work.seen) for work in batch if not work.shipments)
                result.pages += len(batch)
                if throttle.due("lease", LEASE_RENEW_SECONDS):
                    lease = import_lock_renew(store=store, lease=lease)
                _report_progress(log=log, result=result, progress=progress, throttle=throttle)
                if only is not None and only <= seen:
                    break
            return seen

        def walk(state: str) -> Iterator[PageWork]:
            known = {} if full else _known_states(store=store, state=state)
            needs_fetch = _changed(known) if known else None
            return _pages(client, state=state, page_size=page_size, needs_fetch=needs_fetch, adaptive=True)

        with client_for(credentials=credentials) as client, bulk_allocations(), _commits_without_waiting_for_the_disk():
            seen = run(walk(STATE_UNCONFIRMED))
            if include_confirmed:
                run(walk(STATE_CONFIRMED))
            else:
                moved_on = set(
                    LetzshopOrder.objects.filter(store=store, letzshop_state=STATE_UNCONFIRMED)
                    .exclude(letzshop_shipment_id__in=seen)
                    .values_list("letzshop_shipment_id", flat=True)
                )
                if moved_on:
                    works = _pages(
                        client,
                        state=STATE_CONFIRMED,
                        page_size=page_size,
                        needs_fetch=lambda shipment: shipment.id in moved_on,
                        adaptive=False,
                    )
                    run(works, only=moved_on)
    except (LetzshopError, CredentialsDecryptionError) as exc:
        fatal = str(exc)
    except Exception as exc:  # recorded, then raised: nothing fails silently
        _finish(store=store, log=log, result=result, fatal=f"{exc.__class__.__name__}: {exc}", clock=clock)
        import_lock_release(store=store, lease=lease)
        raise
    _finish(store=store, log=log, result=result, fatal=fatal, clock=clock)
    import_lock_release(store=store, lease=lease)
    return result


def _add(result: ImportResult, outcome: PageOutcome) -> None:
    result.orders_imported += outcome.imported
    result.orders_updated += outcome.updated
    result.orders_unchanged += outcome.unchanged
    result.exceptions_created += outcome.exceptions_created
    result.errors += outcome.errors


class Throttle:
    """Says when a periodic write is due again, so that a fast import does not write its
    progress and renew its lease after every page (each an extra commit)."""

    def __init__(self) -> None:
        self.last: dict[str, float] = {}

    def due(self, name: str, every: float) -> bool:
        now = time.monotonic()
        if now - self.last.get(name, float("-inf")) < every:
            return False
        self.last[name] = now
        return True


def _report_progress(
    *, log: LetzshopSyncLog, result: ImportResult, progress: ProgressCallback | None, throttle: Throttle
) -> None:
    """The run's progress: to the sync log row (at most every PROGRESS_WRITE_SECONDS, for
    pages that poll it) and to the caller's callback (every page)."""
    snapshot = {
        "pages": result.pages,
        "shipments": result.orders_imported + result.orders_updated + result.orders_unchanged,
        "imported": result.orders_imported,
        "updated": result.orders_updated,
        "unchanged": result.orders_unchanged,
        "errors": len(result.errors),
    }
    if throttle.due("progress", PROGRESS_WRITE_SECONDS):
        LetzshopSyncLog.objects.filter(pk=log.pk).update(details={"progress": snapshot})
    if progress:
        progress(snapshot)


def _finish(*, store, log, result: ImportResult, fatal: str, clock: float) -> None:
    done = result.orders_imported + result.orders_updated + result.orders_unchanged
    if fatal:
        result.errors.append({"error": fatal})
        result.status = SyncStatus.PARTIAL if done else SyncStatus.FAILED
        if done:
            result.message = gettext("Import stopped after %(count)d shipments: %(error)s") % {
                "count": done,
                "error": fatal,
            }
        else:
            result.message = gettext("Import failed: %(error)s") % {"error": fatal}
    else:
        result.status = SyncStatus.PARTIAL if result.errors else SyncStatus.SUCCESS
        counts = {"imported": result.orders_imported, "updated": result.orders_updated, "failed": len(result.errors)}
        if result.errors:
            result.message = (
                gettext("Import completed: %(imported)d imported, %(updated)d updated, %(failed)d failed") % counts
            )
        else:
            result.message = gettext("Import completed: %(imported)d imported, %(updated)d updated") % counts
    completed_at = timezone.now()
    elapsed = time.perf_counter() - clock
    LetzshopSyncLog.objects.filter(pk=log.pk).update(
        status=result.status,
        completed_at=completed_at,
        duration_seconds=round(elapsed),
        duration_ms=round(elapsed * 1000),
        records_processed=done + len([e for e in result.errors if "shipment_id" in e]),
        records_succeeded=done,
        records_failed=len([e for e in result.errors if "shipment_id" in e]),
        error_details=result.errors or None,
        details={
            "imported": result.orders_imported,
            "updated": result.orders_updated,
            "unchanged": result.orders_unchanged,
            "exceptions_created": result.exceptions_created,
            "pages": result.pages,
            "message": result.message,
        },
    )
    StoreLetzshopCredentials.objects.filter(store=store).update(
        last_sync_at=completed_at,
        last_sync_status=result.status,
        last_sync_error=fatal or "; ".join(e.get("error", "") for e in result.errors[:5]),
    )
    import_run_ended(store=store, sync_log_id=log.pk, result=result, seconds=elapsed, error=fatal)
