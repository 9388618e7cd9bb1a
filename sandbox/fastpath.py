"""A projection of the shipment dicts onto a query's selections, without graphql-core's executor.

graphql-core resolves every field of every node one by one (about 30 ms for a page of 100
shipments of 3 units); the benchmarks fetch thousands of shipments, so the sandbox would weigh
on the import it measures. The seeded data is schema-shaped by construction and the document is
validated before it gets here, so copying the selected keys is enough.

Only queries whose root fields are ``shipments`` (and ``__typename``) take this path. Whatever it
does not handle (a variable that does not coerce, an invalid cursor, ...) returns None and the
request goes through graphql-core, which then writes the proper error. A test checks that both
paths answer the same for the project's documents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_variable_values,
    is_abstract_type,
    is_leaf_type,
    value_from_ast,
)

Fields = dict[str, list[FieldNode]]
Completer = Callable[[Any], Any]


class _Unsupported(Exception):
    pass


def applies(operation: OperationDefinitionNode) -> bool:
    if operation.operation != OperationType.QUERY:
        return False
    return all(
        isinstance(selection, FieldNode) and selection.name.value in ("shipments", "__typename")
        for selection in operation.selection_set.selections
    )


def project(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: dict[str, Any] | None,
    shipments: Callable[..., dict[str, Any]],
) -> dict[str, Any] | None:
    """``{"data": ...}`` for the query, or None when graphql-core must answer instead."""
    try:
        return {"data": _Projection(schema, document, operation, variables).run(shipments)}
    except (_Unsupported, GraphQLError, KeyError, TypeError, AttributeError):
        return None


class _Projection:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: dict[str, Any] | None,
    ) -> None:
        coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
        if isinstance(coerced, list):
            raise _Unsupported
        # graphql-core 3.3 wraps the values; earlier versions return the dict itself.
        self.variables: dict[str, Any] = getattr(coerced, "coerced", coerced)
        self.schema = schema
        self.operation = operation
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }

    def run(self, shipments: Callable[..., dict[str, Any]]) -> dict[str, Any]:
        query_type = self.schema.query_type
        assert query_type is not None
        data: dict[str, Any] = {}
        for key, nodes in self._collect(query_type, [self.operation.selection_set]).items():
            name = nodes[0].name.value
            if name == "__typename":
                data[key] = query_type.name
                continue
            field = query_type.fields[name]
            arguments: dict[str, Any] = {}
            for argument in nodes[0].arguments:
                value_node = argument.value
                if isinstance(value_node, VariableNode):
                    if value_node.name.value in self.variables:
                        arguments[argument.name.value] = self.variables[value_node.name.value]
                else:
                    arguments[argument.name.value] = value_from_ast(
                        value_node, field.args[argument.name.value].type, self.variables
                    )
            complete = self._completer(field.type, nodes)
            value = shipments(**arguments)
            data[key] = value if complete is None else complete(value)
        return data

    def _included(self, selection: Any) -> bool:
        for directive in selection.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            condition = directive.arguments[0].value
            if isinstance(condition, VariableNode):
                flag = bool(self.variables.get(condition.name.value))
            elif isinstance(condition, BooleanValueNode):
                flag = condition.value
            else:
                raise _Unsupported
            if flag == (name == "skip"):
                return False
        return True

    def _applies_to(self, condition: str | None, runtime: GraphQLObjectType) -> bool:
        if condition is None or condition == runtime.name:
            return True
        named = self.schema.type_map.get(condition)
        return named is not None and is_abstract_type(named) and self.schema.is_sub_type(named, runtime)  # type: ignore[arg-type]

    def _collect(self, runtime: GraphQLObjectType, selection_sets: list[SelectionSetNode]) -> Fields:
        fields: Fields = {}
        visited: set[str] = set()

        def walk(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if not self._included(selection):
                    continue
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition.name.value if selection.type_condition else None
                    if self._applies_to(condition, runtime):
                        walk(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    if name in visited:
                        continue
                    visited.add(name)
                    fragment = self.fragments[name]
                    if self._applies_to(fragment.type_condition.name.value, runtime):
                        walk(fragment.selection_set)

        for selection_set in selection_sets:
            walk(selection_set)
        return fields

    def _completer(self, type_: Any, nodes: list[FieldNode]) -> Completer | None:
        """A function that turns a stored value of ``type_`` into the answer; None for leaves,
        which are copied as they are. Built once per field of the query, then run for every node."""
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(type_, GraphQLList):
            inner = self._completer(type_.of_type, nodes)
            if inner is None:
                return lambda value: None if value is None else list(value)
            return lambda value: None if value is None else [inner(item) for item in value]
        if is_leaf_type(type_):
            return None
        named = get_named_type(type_)
        if is_abstract_type(named):
            plans: dict[str, Completer] = {}

            def complete_abstract(value: Any) -> Any:
                if value is None:
                    return None
                type_name = value["__typename"]
                plan = plans.get(type_name)
                if plan is None:
                    runtime = self.schema.type_map[type_name]
                    if not isinstance(runtime, GraphQLObjectType):
                        raise _Unsupported
                    plan = plans[type_name] = self._object_plan(runtime, nodes)
                return plan(value)

            return complete_abstract
        if not isinstance(named, GraphQLObjectType):
            raise _Unsupported
        plan = self._object_plan(named, nodes)
        return lambda value: None if value is None else plan(value)

    def _object_plan(self, runtime: GraphQLObjectType, nodes: list[FieldNode]) -> Completer:
        selection_sets = [node.selection_set for node in nodes if node.selection_set is not None]
        entries: list[tuple[str, str | None, Completer | None]] = []
        for key, field_nodes in self._collect(runtime, selection_sets).items():
            name = field_nodes[0].name.value
            if name == "__typename":
                entries.append((key, None, None))
            else:
                entries.append((key, name, self._completer(runtime.fields[name].type, field_nodes)))
        type_name = runtime.name

        def plan(value: Any) -> dict[str, Any]:
            result: dict[str, Any] = {}
            for key, name, complete in entries:
                if name is None:
                    result[key] = type_name
                    continue
                field_value = value.get(name)
                if callable(field_value):
                    field_value = field_value(None)
                result[key] = field_value if complete is None else complete(field_value)
            return result

        return plan
