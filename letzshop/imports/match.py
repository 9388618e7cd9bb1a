"""From shipments to rows: mapping them (pure work, done in the fetch thread) and matching
their items to the catalog by GTIN."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from exceptions.services import item_exception_kind, item_exception_row
from letzshop.client.types import Shipment
from letzshop.services.mapping import MappedItem, MappedShipment, shipment_map

# An item's row and, if it matched no product, its exception's row.
ItemRows = tuple[dict[str, Any], dict[str, Any] | None]


def new_item_rows(
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
        candidates = catalog.get(item.gtin.gtin14, []) if item.gtin.is_valid else []
        kind = item_exception_kind(gtin=item.gtin, products=candidates)
        product_id = candidates[0] if kind is None else None
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
        if kind is not None:
            exception_row = item_exception_row(
                store_id=store_id,
                order_id=order_id,
                gtin=item.gtin,
                gtin_raw=item.gtin_raw,
                name=item.name,
                sku=item.sku,
                kind=kind,
            )
        rows.append((item_row, exception_row))
    return rows


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
