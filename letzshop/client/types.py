"""Typed values the client returns, and the one mapping from Letzshop's JSON to them.

Every key of Letzshop's answers is read in this module and nowhere else. When Letzshop turns out
to name an [inferred] field differently, fix the .graphql document in letzshop/graphql/ and the
matching lookup here (docs/letzshop-client.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .errors import ResponseError

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Address:
    first_name: str | None
    last_name: str | None
    company: str | None
    street_name: str | None
    street_number: str | None
    city: str | None
    zip_code: str | None
    phone: str | None
    country_iso: str | None
    country_name: str | None


@dataclass(frozen=True)
class TradeId:
    number: str | None
    parser: str | None  # TradeIdParser: gtin14, gtin13, gtin12, gtin8, isbn13, isbn10


@dataclass(frozen=True)
class Variant:
    id: str
    sku: str | None
    mpn: str | None
    price: Decimal | None
    trade_id: TradeId | None
    product_name: dict[str, str]  # locale -> name, only the translations Letzshop has
    brand_name: str | None
    brand_known: bool  # False for Letzshop's BrandUnknown (or no brand at all)


@dataclass(frozen=True)
class InventoryUnit:
    id: str
    state: str
    variant: Variant | None


@dataclass(frozen=True)
class Order:
    id: str
    number: str | None
    email: str | None
    total: Decimal | None
    completed_at: datetime | None
    locale: str | None
    ship_address: Address | None
    bill_address: Address | None


@dataclass(frozen=True)
class Tracking:
    code: str | None
    provider: str | None


@dataclass(frozen=True)
class Shipment:
    id: str
    number: str | None
    state: str
    order: Order | None
    inventory_units: tuple[InventoryUnit, ...]
    tracking: Tracking | None
    # The node exactly as received, for storage; left out of comparisons and repr.
    raw: dict[str, Any] = field(compare=False, repr=False)


@dataclass(frozen=True)
class ShipmentPage:
    shipments: tuple[Shipment, ...]
    has_next_page: bool
    end_cursor: str | None
    elapsed_ms: float


@dataclass(frozen=True)
class ShipmentState:
    """What the ``ShipmentStates`` query tells of a shipment: its states, and (in ``raw``)
    everything the import stores but the product data, enough to see any change."""

    id: str
    state: str
    unit_states: tuple[tuple[str, str], ...]  # (unit id, state)
    tracking: Tracking | None
    # The node exactly as received; left out of comparisons and repr.
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class ShipmentStatePage:
    states: tuple[ShipmentState, ...]
    has_next_page: bool
    end_cursor: str | None
    elapsed_ms: float


@dataclass(frozen=True)
class MutationError:
    id: str | None
    code: str | None
    message: str


@dataclass(frozen=True)
class ConfirmResult:
    units: tuple[InventoryUnit, ...]
    errors: tuple[MutationError, ...]
    raw: dict[str, Any] = field(compare=False, repr=False)
    elapsed_ms: float = 0.0


@dataclass(frozen=True)
class TrackingResult:
    shipment: Shipment | None
    errors: tuple[MutationError, ...]
    raw: dict[str, Any] = field(compare=False, repr=False)
    elapsed_ms: float = 0.0


@dataclass(frozen=True)
class ConnectionTestResult:
    success: bool
    message: str
    response_time_ms: float


# -- helpers ----------------------------------------------------------------------------------


def _malformed(what: str, value: Any) -> ResponseError:
    return ResponseError(f"Malformed answer from Letzshop: {what}: {value!r}")


def _object(value: Any, what: str) -> Mapping[str, Any]:
    # The exact-type checks first: JSON gives dicts and strs, and ABC checks are slow over
    # thousands of nodes.
    if type(value) is dict:
        return value
    if not isinstance(value, Mapping):
        raise _malformed(f"{what} is not an object", value)
    return value


def _optional_object(value: Any, what: str) -> Mapping[str, Any] | None:
    return None if value is None else _object(value, what)


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise _malformed(f"{what} is not a list", value)
    return value


def _text(value: Any, what: str) -> str | None:
    if value is None or type(value) is str or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _malformed(f"{what} is not a string", value)


def _id(node: Mapping[str, Any], what: str) -> str:
    value = _text(node.get("id"), "id")
    if not value:
        raise _malformed(f"{what} has no id", dict(node))
    return value


def money(value: Any, what: str = "amount") -> Decimal | None:
    """Letzshop sends EUR amounts as JSON floats: go through str() so that 12.9 is 12.90, not
    12.9000000000000003552713678800500929355621337890625."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _malformed(f"{what} is not a number", value)
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise _malformed(f"{what} is not a number", value) from None
    if not amount.is_finite():
        raise _malformed(f"{what} is not a number", value)
    return amount


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 time as an aware datetime (UTC when it carries no offset); None if absent or
    unreadable, which an import can live with."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# -- mapping ----------------------------------------------------------------------------------


def address_from_node(node: Any) -> Address | None:
    data = _optional_object(node, "address")
    if data is None:
        return None
    country = _optional_object(data.get("country"), "address.country") or {}
    return Address(
        first_name=_text(data.get("firstName"), "address.firstName"),
        last_name=_text(data.get("lastName"), "address.lastName"),
        company=_text(data.get("company"), "address.company"),
        street_name=_text(data.get("streetName"), "address.streetName"),
        street_number=_text(data.get("streetNumber"), "address.streetNumber"),
        city=_text(data.get("city"), "address.city"),
        zip_code=_text(data.get("zipCode"), "address.zipCode"),
        phone=_text(data.get("phone"), "address.phone"),
        country_iso=_text(country.get("iso"), "address.country.iso"),
        country_name=_text(country.get("name"), "address.country.name"),
    )


def variant_from_node(node: Any) -> Variant | None:
    data = _optional_object(node, "variant")
    if data is None:
        return None
    trade = _optional_object(data.get("tradeId"), "variant.tradeId")
    product = _optional_object(data.get("product"), "variant.product") or {}
    names = _optional_object(product.get("name"), "product.name") or {}
    brand = _optional_object(product.get("_brand"), "product._brand")
    return Variant(
        id=_id(data, "variant"),
        sku=_text(data.get("sku"), "variant.sku"),
        mpn=_text(data.get("mpn"), "variant.mpn"),
        price=money(data.get("price"), "variant.price"),
        trade_id=None
        if trade is None
        else TradeId(number=_text(trade.get("number"), "tradeId.number"), parser=_text(trade.get("parser"), "parser")),
        product_name={locale: name for locale, name in names.items() if isinstance(name, str) and name},
        brand_name=None if brand is None else _text(brand.get("name"), "brand.name"),
        brand_known=brand is not None and brand.get("__typename") == "Brand",
    )


def inventory_unit_from_node(node: Any) -> InventoryUnit:
    data = _object(node, "inventory unit")
    state = _text(data.get("state"), "inventoryUnit.state")
    if not state:
        raise _malformed("inventory unit has no state", dict(data))
    return InventoryUnit(id=_id(data, "inventory unit"), state=state, variant=variant_from_node(data.get("variant")))


def order_from_node(node: Any) -> Order | None:
    data = _optional_object(node, "order")
    if data is None:
        return None
    return Order(
        id=_id(data, "order"),
        number=_text(data.get("number"), "order.number"),
        email=_text(data.get("email"), "order.email"),
        total=money(data.get("total"), "order.total"),
        completed_at=parse_datetime(data.get("completedAt")),
        locale=_text(data.get("locale"), "order.locale"),
        ship_address=address_from_node(data.get("shipAddress")),
        bill_address=address_from_node(data.get("billAddress")),
    )


def shipment_from_node(node: Any) -> Shipment:
    """A Shipment from one ``shipments.nodes`` entry (or a mutation payload's shipment)."""
    data = _object(node, "shipment")
    state = _text(data.get("state"), "shipment.state")
    if not state:
        raise _malformed("shipment has no state", data.get("id"))
    tracking = _optional_object(data.get("tracking"), "shipment.tracking")
    units = data.get("inventoryUnits")
    return Shipment(
        id=_id(data, "shipment"),
        number=_text(data.get("number"), "shipment.number"),
        state=state,
        order=order_from_node(data.get("order")),
        inventory_units=tuple(inventory_unit_from_node(unit) for unit in _list(units, "shipment.inventoryUnits")),
        tracking=tracking_from_node(tracking),
        raw=dict(data),
    )


def shipment_page_from_data(data: Any, elapsed_ms: float) -> ShipmentPage:
    # A null entry in nodes comes with an "errors" entry, which has already been raised.
    nodes, has_next, end_cursor = _page_parts(data)
    return ShipmentPage(
        shipments=tuple(shipment_from_node(node) for node in nodes),
        has_next_page=has_next,
        end_cursor=end_cursor,
        elapsed_ms=elapsed_ms,
    )


def tracking_from_node(tracking: Mapping[str, Any] | None) -> Tracking | None:
    if tracking is None:
        return None
    return Tracking(code=_text(tracking.get("code"), "code"), provider=_text(tracking.get("provider"), "provider"))


@dataclass(frozen=True)
class ShipmentPageAnswer:
    """A page of shipments as Letzshop answered it: its cursor read and checked, its shipments
    not yet (``shipment_page_from_data`` reads them). Walking the pages only needs the cursor,
    so that whoever fetches the next page need not wait for the shipments of this one to be
    read (letzshop.imports.fetch)."""

    data: Any
    elapsed_ms: float
    has_next_page: bool
    end_cursor: str | None

    def page(self) -> ShipmentPage:
        return shipment_page_from_data(self.data, self.elapsed_ms)


def shipment_page_answer(data: Any, elapsed_ms: float) -> ShipmentPageAnswer:
    _, has_next, end_cursor = _page_parts(data)
    return ShipmentPageAnswer(data=data, elapsed_ms=elapsed_ms, has_next_page=has_next, end_cursor=end_cursor)


def _page_parts(data: Any) -> tuple[list[Any], bool, str | None]:
    connection = _object(_object(data, "data").get("shipments"), "data.shipments")
    page_info = _object(connection.get("pageInfo"), "shipments.pageInfo")
    nodes = _list(connection.get("nodes"), "shipments.nodes")
    has_next = page_info.get("hasNextPage")
    if not isinstance(has_next, bool):
        raise _malformed("pageInfo.hasNextPage is not a boolean", has_next)
    end_cursor = _text(page_info.get("endCursor"), "pageInfo.endCursor")
    if has_next and not end_cursor:
        raise _malformed("pageInfo says there is a next page but gives no endCursor", dict(page_info))
    return [node for node in nodes if node is not None], has_next, end_cursor


def shipment_state_from_node(node: Any) -> ShipmentState:
    node = _object(node, "shipment")
    units = []
    for unit in _list(node.get("inventoryUnits"), "shipment.inventoryUnits"):
        unit = _object(unit, "inventory unit")
        units.append((_id(unit, "inventory unit"), _text(unit.get("state"), "inventoryUnit.state") or ""))
    return ShipmentState(
        id=_id(node, "shipment"),
        state=_text(node.get("state"), "shipment.state") or "",
        unit_states=tuple(units),
        tracking=tracking_from_node(_optional_object(node.get("tracking"), "shipment.tracking")),
        raw=node,
    )


def shipment_state_page_from_data(data: Any, elapsed_ms: float) -> ShipmentStatePage:
    nodes, has_next, end_cursor = _page_parts(data)
    return ShipmentStatePage(
        states=tuple(shipment_state_from_node(node) for node in nodes),
        has_next_page=has_next,
        end_cursor=end_cursor,
        elapsed_ms=elapsed_ms,
    )


def mutation_errors_from_list(value: Any) -> tuple[MutationError, ...]:
    errors = []
    for item in _list(value or [], "errors"):
        error = _object(item, "mutation error")
        errors.append(
            MutationError(
                id=_text(error.get("id"), "error.id"),
                code=_text(error.get("code"), "error.code"),
                message=_text(error.get("message"), "error.message") or "",
            )
        )
    return tuple(errors)


def confirm_result_from_data(data: Any, elapsed_ms: float) -> ConfirmResult:
    payload = _object(_object(data, "data").get("confirmInventoryUnits"), "data.confirmInventoryUnits")
    units = _list(payload.get("inventoryUnits") or [], "confirmInventoryUnits.inventoryUnits")
    return ConfirmResult(
        units=tuple(inventory_unit_from_node(unit) for unit in units),
        errors=mutation_errors_from_list(payload.get("errors")),
        raw=dict(payload),
        elapsed_ms=elapsed_ms,
    )


def tracking_result_from_data(data: Any, elapsed_ms: float) -> TrackingResult:
    payload = _object(_object(data, "data").get("setShipmentTracking"), "data.setShipmentTracking")
    shipment = payload.get("shipment")
    return TrackingResult(
        shipment=None if shipment is None else shipment_from_node(shipment),
        errors=mutation_errors_from_list(payload.get("errors")),
        raw=dict(payload),
        elapsed_ms=elapsed_ms,
    )
