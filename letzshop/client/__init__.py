"""The Letzshop GraphQL client: typed answers, classified failures. See docs/letzshop-client.md."""

from .client import LetzshopClient, LetzshopTransport, parse_retry_after
from .errors import AuthError, Cancelled, LetzshopError, RateLimited, ResponseError, TransientError
from .types import (
    Address,
    ConfirmResult,
    ConnectionTestResult,
    InventoryUnit,
    MutationError,
    Order,
    Shipment,
    ShipmentPage,
    Tracking,
    TrackingResult,
    TradeId,
    Variant,
    shipment_from_node,
)

__all__ = [
    "Address",
    "AuthError",
    "Cancelled",
    "ConfirmResult",
    "ConnectionTestResult",
    "InventoryUnit",
    "LetzshopClient",
    "LetzshopError",
    "LetzshopTransport",
    "MutationError",
    "Order",
    "RateLimited",
    "ResponseError",
    "Shipment",
    "ShipmentPage",
    "TradeId",
    "Tracking",
    "TrackingResult",
    "TransientError",
    "Variant",
    "parse_retry_after",
    "shipment_from_node",
]
