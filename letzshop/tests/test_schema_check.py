"""What the schema check finds when Letzshop's schema changes under the client's documents."""

import pytest
from graphql import build_schema

from letzshop.client.documents import DOCUMENTS_DIR
from letzshop.services.schema_check import documents_read, expected_schema, schema_compare

pytestmark = pytest.mark.letzshop


def live_with(*changes: tuple[str, str]):
    sdl = (DOCUMENTS_DIR / "schema.graphql").read_text()
    for old, new in changes:
        assert old in sdl, old
        sdl = sdl.replace(old, new)
    return build_schema(sdl)


def found(*changes) -> list[str]:
    return [d.text() for d in schema_compare(live=live_with(*changes), documents=documents_read())]


def test_the_projects_schema_is_compatible_with_its_documents():
    assert schema_compare(live=expected_schema(), documents=documents_read()) == []


def test_a_removed_field_a_changed_type_and_a_stricter_answer_are_found():
    assert found(("  email: String\n", "  emailAddress: String\n")) == [
        "Order.email: the client expects String, Letzshop has nothing of that name "
        "[shipment_states.graphql, shipments.graphql]"
    ]
    assert found(("  tracking: Tracking ", "  tracking: [Tracking] ")) == [
        "Shipment.tracking: the client expects Tracking, Letzshop has [Tracking] "
        "[set_shipment_tracking.graphql, shipment_states.graphql, shipments.graphql]"
    ]
    # Letzshop promising a value where the client allows null is no difference.
    assert found(("  number: String        # customer-facing", "  number: String!       # customer-facing")) == []


def test_arguments_and_what_the_client_sends_in_python_are_compared():
    assert found(
        (
            "shipments(state: ShipmentStateEnum, first: Int,",
            "shipments(state: ShipmentStateEnum, first: Int, shopId: ID!,",
        )
    ) == [
        "Query.shipments(shopId): Letzshop requires it (ID!); the client does not send it "
        "[shipment_states.graphql, shipments.graphql]"
    ]
    assert found(
        (
            "input InventoryUnitConfirmation { inventoryUnitId: ID! isAvailable: Boolean! }",
            "input InventoryUnitConfirmation { id: ID! isAvailable: Boolean! }",
        )
    ) == [
        "InventoryUnitConfirmation.inventoryUnitId: the client expects ID!, Letzshop has nothing of that name "
        "[confirm_inventory_units.graphql]",
        "InventoryUnitConfirmation.id: Letzshop requires it (ID!); the client does not send it "
        "[confirm_inventory_units.graphql]",
    ]


def test_enum_values_added_or_removed_are_found():
    (text,) = found(("enum InventoryUnitStateEnum { unconfirmed", "enum InventoryUnitStateEnum { pending unconfirmed"))
    assert text.startswith(
        "InventoryUnitStateEnum: the client expects confirmed_available, confirmed_unavailable, returned, unconfirmed"
    )
    assert "Letzshop has confirmed_available, confirmed_unavailable, pending, returned, unconfirmed" in text
