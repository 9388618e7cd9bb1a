"""The GraphQL operations the client sends, read from letzshop/graphql/*.graphql.

Parsed once, at import: a syntax error in a document fails at start-up, not at the first call.
The text lives in those files, not in Python, because parts of Letzshop's API are inferred and
must be correctable there (docs/letzshop-client.md).
"""

from __future__ import annotations

from pathlib import Path

from gql import GraphQLRequest, gql

DOCUMENTS_DIR = Path(__file__).resolve().parent.parent / "graphql"


def document_text(name: str) -> str:
    """The text of ``letzshop/graphql/<name>.graphql``."""
    return (DOCUMENTS_DIR / f"{name}.graphql").read_text(encoding="utf-8")


def _load(name: str) -> GraphQLRequest:
    return gql(document_text(name))


SHIPMENTS = _load("shipments")
SHIPMENT_STATES = _load("shipment_states")
CONFIRM_INVENTORY_UNITS = _load("confirm_inventory_units")
SET_SHIPMENT_TRACKING = _load("set_shipment_tracking")

# Operation names as written in the documents (sent as operationName).
SHIPMENTS_OPERATION = "Shipments"
SHIPMENT_STATES_OPERATION = "ShipmentStates"
CONFIRM_INVENTORY_UNITS_OPERATION = "ConfirmInventoryUnits"
SET_SHIPMENT_TRACKING_OPERATION = "SetShipmentTracking"
