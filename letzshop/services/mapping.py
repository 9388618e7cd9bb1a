"""From a Letzshop shipment (client types) to the rows it becomes. Pure: no database.

One shipment → one LetzshopOrder and one local Order; its inventory units grouped by variant →
one OrderItem per variant with quantity = number of units (Letzshop has no quantity: three of a
variant are three units).
"""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson

from config.bulk import json_text
from config.pickling import pickled_as_values
from letzshop.client.types import Address, InventoryUnit, Shipment
from orders.carriers import carrier_detect
from orders.models import Order
from stores.gtin import Gtin, gtin_normalize

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
LOCALES = ("en", "fr", "de")
UNIT_CONFIRMED = "confirmed_available"
UNIT_DECLINED = "confirmed_unavailable"


@pickled_as_values  # the import's fetch process sends thousands to the writer
@dataclass(slots=True)
class MappedItem:
    key: str  # the variant id, or "unit:<id>" for a unit without a variant
    variant_id: str
    unit_ids: list[str]
    name: str
    sku: str
    gtin_raw: str
    gtin_parser: str
    gtin: Gtin
    unit_price: Decimal
    quantity: int = 0  # set once every unit is grouped (finish)
    total_price: Decimal = ZERO

    def finish(self) -> None:
        self.quantity = len(self.unit_ids)
        self.total_price = (self.unit_price * self.quantity).quantize(CENT)


def change_digest(node: dict[str, Any]) -> str:
    """The digest of what the import stores of a shipment, but the product data: the same from a
    full node (shipments.graphql) and from the probe's node (shipment_states.graphql): its
    number, state, tracking and order, and each unit's id, state, variant id and price."""
    units = []
    for unit in node.get("inventoryUnits") or ():
        variant = unit.get("variant") if isinstance(unit, dict) else None
        if isinstance(variant, dict):
            units.append((unit.get("id"), unit.get("state"), variant.get("id"), variant.get("price")))
        elif isinstance(unit, dict):
            units.append((unit.get("id"), unit.get("state"), None, None))
    parts = (node.get("id"), node.get("number"), node.get("state"), node.get("tracking"), node.get("order"), units)
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()


@pickled_as_values
@dataclass
class MappedShipment:
    shipment_id: str
    state: str
    raw_json: str  # the node as canonical JSON: stored as raw_order_data, and digested
    raw_digest: str
    letzshop: dict[str, Any]  # LetzshopOrder fields
    order: dict[str, Any]  # Order fields
    items: list[MappedItem] = field(default_factory=list)
    tracking_code: str = ""
    tracking_provider: str = ""


def canonical_json(data: Any) -> str:
    # GraphQL answers keep the order of the query's selection, so the same data always gives
    # the same text: no need to sort keys.
    return json_text(data)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _name(names: dict[str, str], locale: str | None) -> str:
    for code in (locale, *LOCALES):
        if code and names.get(code):
            return names[code]
    return next((value for value in names.values() if value), "")


def _address(address: Address | None) -> dict[str, Any]:
    if address is None:
        return {}
    return {
        "first_name": address.first_name or "",
        "last_name": address.last_name or "",
        "company": address.company or "",
        "street_name": address.street_name or "",
        "street_number": address.street_number or "",
        "zip_code": address.zip_code or "",
        "city": address.city or "",
        "country": address.country_iso or "",
        "country_name": address.country_name or "",
        "phone": address.phone or "",
    }


def _item_key(unit: InventoryUnit) -> str:
    return unit.variant.id if unit.variant is not None else f"unit:{unit.id}"


# The local order's status a shipment's sync status stands for (pending: left as it is).
ORDER_STATUS_OF_SYNC_STATUS = {
    "confirmed": Order.Status.CONFIRMED,
    "rejected": Order.Status.DECLINED,
    "shipped": Order.Status.SHIPPED,
}


def order_status_of(sync_status: str) -> str | None:
    """The local order's status for a shipment's sync status; None while it is pending."""
    return ORDER_STATUS_OF_SYNC_STATUS.get(sync_status)


def units_sync_status(unit_states: list[str], current: str = "pending") -> str:
    """A shipment's sync status as its units tell it: all declined → rejected, any confirmed
    → confirmed, else what it was."""
    if unit_states and all(state == UNIT_DECLINED for state in unit_states):
        return "rejected"
    if any(state == UNIT_CONFIRMED for state in unit_states):
        return "confirmed"
    return current


def shipment_map(shipment: Shipment) -> MappedShipment:
    """Map one shipment; raises ValueError (with a reason) if it cannot become an order."""
    order = shipment.order
    if order is None:
        raise ValueError("the shipment has no order")
    if not shipment.inventory_units:
        raise ValueError("the shipment has no inventory units")
    ship = _address(order.ship_address)
    bill = _address(order.bill_address)
    person = ship if (ship.get("first_name") or ship.get("last_name")) else bill
    customer_name = " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p)

    items: dict[str, MappedItem] = {}
    units_json = []
    for unit in shipment.inventory_units:
        variant = unit.variant
        key = _item_key(unit)
        trade_id = variant.trade_id if variant is not None else None
        units_json.append(
            {
                "id": unit.id,
                "state": unit.state,
                "variant_id": variant.id if variant else None,
                "sku": variant.sku if variant else None,
                "gtin": trade_id.number if trade_id else None,
            }
        )
        item = items.get(key)
        if item is None:
            gtin_raw = (trade_id.number or "") if trade_id else ""
            parser = (trade_id.parser or "") if trade_id else ""
            items[key] = MappedItem(
                key=key,
                variant_id=variant.id if variant else "",
                unit_ids=[unit.id],
                name=_name(variant.product_name, order.locale)[:500] if variant else "",
                sku=((variant.sku or "") if variant else "")[:100],
                gtin_raw=gtin_raw[:32],
                gtin_parser=parser,
                gtin=gtin_normalize(gtin_raw, parser or None),
                unit_price=(variant.price if variant and variant.price is not None else ZERO),
            )
        else:
            item.unit_ids.append(unit.id)

    for item in items.values():
        item.finish()
    # A Letzshop order may be split into several shipments, its total covering all of them: a
    # shipment's own total is the sum of its units.
    priced = any(unit.variant is not None and unit.variant.price is not None for unit in shipment.inventory_units)
    total = sum((i.total_price for i in items.values()), ZERO) if priced else (order.total or ZERO)
    tracking_code = (shipment.tracking.code or "") if shipment.tracking else ""
    tracking_provider = (shipment.tracking.provider or "") if shipment.tracking else ""
    shipment_number = (shipment.number or "")[:64]
    unit_states = [unit.state for unit in shipment.inventory_units]
    raw_json = canonical_json(shipment.raw)
    fingerprint = change_digest(shipment.raw)
    sync_status = "shipped" if shipment.state in ("shipped", "delivered") else units_sync_status(unit_states)
    return MappedShipment(
        shipment_id=shipment.id,
        state=shipment.state,
        raw_json=raw_json,
        raw_digest=digest(raw_json),
        tracking_code=tracking_code,
        tracking_provider=tracking_provider,
        letzshop={
            "letzshop_order_id": order.id,
            "letzshop_shipment_id": shipment.id,
            "letzshop_order_number": (order.number or "")[:64],
            "letzshop_state": shipment.state,
            "customer_email": (order.email or "")[:254],
            "customer_name": customer_name[:300],
            "total_amount": total,
            "currency": "EUR",
            "inventory_units": units_json,
            "sync_status": sync_status,
            "tracking_number": tracking_code[:128],
            "tracking_carrier": tracking_provider[:64],
            "state_digest": fingerprint,
        },
        order={
            "channel": "letzshop",
            "external_order_id": order.id[:255],
            "external_order_number": (order.number or "")[:64],
            "external_shipment_id": shipment.id[:255],
            "shipment_number": shipment_number,
            "customer_email": (order.email or "")[:254],
            "customer_first_name": (person.get("first_name") or "")[:150],
            "customer_last_name": (person.get("last_name") or "")[:150],
            "customer_phone": (person.get("phone") or "")[:64],
            "locale": (order.locale or "")[:8],
            "shipping_address": ship,
            "shipping_country": (ship.get("country") or "")[:2],
            "billing_address": bill,
            "billing_country": (bill.get("country") or "")[:2],
            "currency": "EUR",
            "total_amount": total,
            "ordered_at": order.completed_at,
            "shipping_carrier": carrier_detect(provider=tracking_provider, shipment_number=shipment_number),
            "tracking_number": tracking_code[:128],
        },
        items=list(items.values()),
    )
