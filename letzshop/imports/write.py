"""Writing mapped shipments: one transaction of bulk reads and bulk writes per page (or per batch
of pages), a constant number of SQL queries whatever the page size; a changed shipment is
followed (never backwards) and what changed of it is listed."""

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from config.bulk import SerializedJSON, ids_reserve, insert_rows
from exceptions.models import OrderItemException
from exceptions.services import exceptions_auto_match, item_exceptions_open
from letzshop.client.types import Shipment
from letzshop.imports.match import ItemRows, MappedPage, new_item_rows, shipments_map
from letzshop.imports.outcomes import PageOutcome
from letzshop.models import LetzshopOrder
from letzshop.services.mapping import MappedShipment, order_status_of
from orders.hooks import orders_imported
from orders.models import Order, OrderItem
from orders.services import (
    carriers_register,
    channel_order_items_insert,
    channel_order_items_update,
    channel_orders_insert,
    channel_orders_update,
    order_follow_channel_status,
)
from stores.models import Store
from stores.selectors import products_by_gtin

logger = logging.getLogger(__name__)

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
# What a change log names: the stored fields a re-import compares, as the models name them.
COMPARED_ORDER_FIELDS = (
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
)
# What an update of a changed shipment writes on its local order (its status follows apart).
ORDER_FIELDS = ["external_order_id", *COMPARED_ORDER_FIELDS, "shipping_carrier", "tracking_number", "updated_at"]
ITEM_FIELDS = ["quantity", "unit_price", "total_price", "inventory_unit_ids", "updated_at"]


def order_status(sync_status: str) -> str:
    """The local order's status for a shipment's sync status (pending while it is pending)."""
    return order_status_of(sync_status) or Order.Status.PENDING


def insert_items(
    rows: list[ItemRows], *, item_ids: list[int] | None = None, exception_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Insert items, then the exceptions of those that need a person; returns the exceptions."""
    item_ids = channel_order_items_insert(rows=[item for item, _ in rows], ids=item_ids)
    exceptions = []
    for (_, exception), item_id in zip(rows, item_ids, strict=True):
        if exception is not None:
            exception["order_item_id"] = item_id
            exceptions.append(exception)
    item_exceptions_open(rows=exceptions, ids=exception_ids)
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
            "state_digest",
            "letzshop_state",
            "inventory_units",
        )
    }
    new = [m for m in mapped.values() if m.shipment_id not in existing]
    changed = [(m, existing[m.shipment_id]) for m in mapped.values() if m.shipment_id in existing]
    same = [(m, row) for m, row in changed if row.raw_digest == m.raw_digest]
    changed = [(m, row) for m, row in changed if row.raw_digest != m.raw_digest]
    outcome.unchanged = len(mapped) - len(new) - len(changed)
    # Unchanged, but the probe's digest differs from the stored one (taken by an older version
    # of the probe): store it, or every later import would fetch this page whole again.
    stale = [row for m, row in same if row.state_digest != m.letzshop["state_digest"]]
    for row in stale:
        row.state_digest = mapped[row.letzshop_shipment_id].letzshop["state_digest"]
    if stale:
        LetzshopOrder.objects.bulk_update(stale, ["state_digest"])
    if not new and not changed:
        return outcome
    touched = new + [m for m, _ in changed]
    # Every carrier an order names is listed in Settings > Shipping (one INSERT, none if no
    # shipment of the page names a carrier).
    named = {m.order["shipping_carrier"]: m.letzshop["tracking_carrier"] for m in touched}
    carriers_register(carriers={code: name for code, name in named.items() if code})
    gtins = {item.gtin.gtin14 for m in touched for item in m.items if item.gtin.is_valid}
    catalog = products_by_gtin(store=store, gtins=gtins)

    item_rows: list[ItemRows] = []
    if changed:
        item_rows += _update_changed(
            changed=changed, catalog=catalog, placeholder_id=placeholder_id, now=now, changes=outcome.changes
        )
        outcome.updated = len(changed)
    # The new orders' items are mapped before the orders have ids (set below), so that every
    # row is counted and PostgreSQL hands out the ids of all four tables in one query.
    new_items = [
        new_item_rows(order_id=None, store_id=store.pk, items=m.items, catalog=catalog, placeholder_id=placeholder_id)
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
        order_ids = channel_orders_insert(
            rows=[
                {
                    **m.order,
                    "store_id": store.pk,
                    "status": order_status(m.letzshop["sync_status"]),
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
        exceptions = insert_items(item_rows, item_ids=ids.get(OrderItem), exception_ids=ids.get(OrderItemException))
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
    *,
    changed: list[tuple[MappedShipment, LetzshopOrder]],
    catalog: dict[str, list[int]],
    placeholder_id: int,
    now,
    changes: list[dict[str, Any]],
) -> list[ItemRows]:
    """Shipments Letzshop changed (the customer, an address, a unit, a state, tracking, a total):
    follow it, never backwards, and list in ``changes`` what changed of each.

    Local tracking is kept when Letzshop reads it back empty (it may not read back tracking set
    through the API), and a local sync status ahead of Letzshop's (a queued confirmation) stays.
    """
    orders = Order.objects.in_bulk([row.local_order_id for _, row in changed if row.local_order_id])
    items_by_order: dict[int, dict[str, OrderItem]] = {}
    for item in OrderItem.objects.filter(order_id__in=list(orders)):
        items_by_order.setdefault(item.order_id, {})[item.external_item_key] = item
    rows, order_rows, item_updates, item_deletes = [], [], [], []
    following: dict[str, list[int]] = {}  # orders whose channel status moved, by the status
    new_items: list[ItemRows] = []
    for m, row in changed:
        what = _changed_fields(m, row, orders.get(row.local_order_id))
        values = dict(m.letzshop)
        if not values["tracking_number"] and row.tracking_number:
            values["tracking_number"], values["tracking_carrier"] = row.tracking_number, row.tracking_carrier
        if SYNC_ORDER[row.sync_status] > SYNC_ORDER[values["sync_status"]]:
            values["sync_status"] = row.sync_status
        for name, value in values.items():
            setattr(row, name, value)
        # The shipment as now received (parsed again: only changed shipments come here).
        row.raw_order_data = orjson.loads(m.raw_json)
        row.raw_digest, row.updated_at = m.raw_digest, now
        rows.append(row)
        order = orders.get(row.local_order_id)
        if order is None:
            changes.append({"shipment_id": m.shipment_id, "order_number": row.letzshop_order_number, "fields": what})
            continue
        order_values = {k: v for k, v in m.order.items() if k in ORDER_FIELDS}
        if not order_values["tracking_number"]:
            order_values.pop("tracking_number")
        if not order_values["shipping_carrier"]:
            order_values.pop("shipping_carrier")
        for name, value in order_values.items():
            setattr(order, name, value)
        target = order_status_of(row.sync_status)
        if target is not None and target != order.status:
            following.setdefault(target, []).append(order.pk)
        order.updated_at = now
        order_rows.append(order)
        current = items_by_order.get(order.pk, {})
        updates_before = len(item_updates)
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
        if fresh or current or len(item_updates) > updates_before:
            what.append("items")
        changes.append({"shipment_id": m.shipment_id, "order_number": order.external_order_number, "fields": what})
        new_items += new_item_rows(
            order_id=order.pk, store_id=order.store_id, items=fresh, catalog=catalog, placeholder_id=placeholder_id
        )
    LetzshopOrder.objects.bulk_update(rows, LETZSHOP_FIELDS)
    channel_orders_update(orders=order_rows, fields=ORDER_FIELDS)
    for status, order_ids in following.items():  # along allowed transitions only, never backwards
        order_follow_channel_status(order_ids=order_ids, status=status)
    channel_order_items_update(items=item_updates, fields=ITEM_FIELDS, deleted_ids=item_deletes)
    return new_items


def _changed_fields(m: MappedShipment, row: LetzshopOrder, order: Order | None) -> list[str]:
    """The stored fields of a shipment that Letzshop now shows otherwise."""
    what = []
    if row.letzshop_state != m.letzshop["letzshop_state"]:
        what.append("letzshop_state")
    if row.inventory_units != m.letzshop["inventory_units"]:
        what.append("inventory_units")
    if m.letzshop["tracking_number"] and (row.tracking_number, row.tracking_carrier) != (
        m.letzshop["tracking_number"],
        m.letzshop["tracking_carrier"],
    ):
        what.append("tracking")
    if order is not None:
        what += [name for name in COMPARED_ORDER_FIELDS if name in m.order and getattr(order, name) != m.order[name]]
    return what


@contextmanager
def commits_without_waiting_for_the_disk() -> Iterator[None]:
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
