"""The operation documents in letzshop/graphql/ against the schema they must follow."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLSchema,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_schema,
    get_named_type,
    parse,
    validate,
    visit,
)

from letzshop.client import documents

pytestmark = pytest.mark.letzshop

GRAPHQL_DIR = Path(__file__).resolve().parent.parent / "graphql"
SCHEMA_FILE = GRAPHQL_DIR / "schema.graphql"
OPERATION_FILES = sorted(path for path in GRAPHQL_DIR.glob("*.graphql") if path.name != "schema.graphql")


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))


def test_the_project_has_its_four_operations() -> None:
    assert [path.name for path in OPERATION_FILES] == [
        "confirm_inventory_units.graphql",
        "set_shipment_tracking.graphql",
        "shipment_states.graphql",
        "shipments.graphql",
    ]


@pytest.mark.parametrize("path", OPERATION_FILES, ids=lambda path: path.name)
def test_document_validates_against_the_schema(schema: GraphQLSchema, path: Path) -> None:
    document = parse(path.read_text(encoding="utf-8"))
    errors = validate(schema, document)
    assert errors == [], [error.message for error in errors]
    operations = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
    assert len(operations) == 1, "one named operation per file"
    assert operations[0].name is not None


def test_operation_names_are_the_ones_the_client_sends() -> None:
    def name_of(path: str) -> str:
        document = parse((GRAPHQL_DIR / path).read_text(encoding="utf-8"))
        operation = next(node for node in document.definitions if isinstance(node, OperationDefinitionNode))
        assert operation.name is not None
        return operation.name.value

    assert name_of("shipments.graphql") == documents.SHIPMENTS_OPERATION == "Shipments"
    assert name_of("confirm_inventory_units.graphql") == documents.CONFIRM_INVENTORY_UNITS_OPERATION
    assert name_of("set_shipment_tracking.graphql") == documents.SET_SHIPMENT_TRACKING_OPERATION


def _selected_fields(schema: GraphQLSchema, text: str) -> set[tuple[str, str]]:
    """(type name, field name) for every field the document selects."""
    type_info = TypeInfo(schema)
    selected: set[tuple[str, str]] = set()

    class Collect(Visitor):
        def enter_field(self, node, *_args):  # type: ignore[no-untyped-def]
            parent = type_info.get_parent_type()
            if parent is not None:
                selected.add((get_named_type(parent).name, node.name.value))

    visit(parse(text), TypeInfoVisitor(type_info, Collect()))
    return selected


def test_shipments_query_selects_everything_an_import_stores(schema: GraphQLSchema) -> None:
    selected = _selected_fields(schema, (GRAPHQL_DIR / "shipments.graphql").read_text(encoding="utf-8"))
    for type_name in (
        "Shipment",
        "Order",
        "Address",
        "Country",
        "InventoryUnit",
        "Variant",
        "TradeId",
        "Product",
        "TranslatedString",
        "Tracking",
        "Brand",
        "BrandUnknown",
    ):
        missing = {name for name in schema.type_map[type_name].fields if (type_name, name) not in selected}  # type: ignore[attr-defined]
        assert not missing, f"{type_name} fields not selected: {sorted(missing)}"
    # nodes is the verified part of the connection; pagination needs both pageInfo fields.
    assert ("ShipmentConnection", "nodes") in selected
    assert ("ShipmentConnection", "edges") not in selected
    assert {("PageInfo", "hasNextPage"), ("PageInfo", "endCursor")} <= selected
