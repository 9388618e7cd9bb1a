"""Letzshop's live schema against the client's documents (``manage.py letzshop_schema_check``).

Parts of Letzshop's API are inferred (docs/letzshop-client.md). Asking a store's endpoint for
its schema (introspection) and validating every document of letzshop/graphql/ against it tells,
before an order is lost, which of them Letzshop does not answer as the client expects.

Each difference names the type, the field or argument, what the client expects (the project's
copy of the schema, letzshop/graphql/schema.graphql) and what Letzshop has. Besides the fields
the documents select, the check compares what the client builds in Python and no document
shows: the input objects it sends as variables, and the enums it reads and sends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, ngettext
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Undefined,
    Visitor,
    build_schema,
    get_named_type,
    parse,
    validate,
    visit,
)

from letzshop.client.documents import DOCUMENTS_DIR
from letzshop.client.errors import LetzshopError
from letzshop.crypto import CredentialsDecryptionError
from letzshop.models import LetzshopSyncLog
from letzshop.services.credentials import client_for, credentials_get
from letzshop.services.incidents import credentials_accepted, schema_checked
from letzshop.services.sync_log import sync_log_write
from stores.models import Store

logger = logging.getLogger(__name__)

SCHEMA_FILE = "schema.graphql"
MISSING = ""  # Letzshop has nothing of that name


@dataclass(frozen=True)
class SchemaDifference:
    type: str
    field: str = ""
    argument: str = ""
    expected: str = ""
    actual: str = ""
    documents: tuple[str, ...] = ()
    note: str = ""

    @property
    def where(self) -> str:
        where = self.type
        if self.field:
            where += f".{self.field}"
        if self.argument:
            where += f"({self.argument})"
        return where or "-"

    def text(self) -> str:
        if self.note:
            text = f"{self.where}: {self.note}" if self.type else self.note
        else:
            text = gettext("%(where)s: the client expects %(expected)s, Letzshop has %(actual)s") % {
                "where": self.where,
                "expected": self.expected,
                "actual": self.actual or gettext("nothing of that name"),
            }
        if self.documents:
            text += f" [{', '.join(self.documents)}]"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "field": self.field,
            "argument": self.argument,
            "expected": self.expected,
            "actual": self.actual or None,
            "documents": list(self.documents),
            "message": self.text(),
        }


@dataclass
class SchemaCheck:
    endpoint: str
    documents: list[str] = field(default_factory=list)
    differences: list[SchemaDifference] = field(default_factory=list)
    error: str = ""

    @property
    def compatible(self) -> bool:
        return not self.error and not self.differences

    @property
    def message(self) -> str:
        if self.error:
            return gettext("API schema: could not be checked (%(error)s)") % {"error": self.error}
        if not self.differences:
            return gettext("API schema: compatible")
        count = len(self.differences)
        return ngettext(
            "API schema: %(count)d difference: %(list)s",
            "API schema: %(count)d differences: %(list)s",
            count,
        ) % {"count": count, "list": "; ".join(d.text() for d in self.differences)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "compatible": self.compatible,
            "message": self.message,
            "error": self.error,
            "documents": self.documents,
            "differences": [difference.as_dict() for difference in self.differences],
        }


# --- comparing ----------------------------------------------------------------------------------


@cache
def expected_schema(path: Path = DOCUMENTS_DIR / SCHEMA_FILE) -> GraphQLSchema:
    """What the client expects: the project's copy of Letzshop's schema."""
    return build_schema(path.read_text(encoding="utf-8"))


def documents_read(directory: Path = DOCUMENTS_DIR) -> dict[str, str]:
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(directory.glob("*.graphql"))
        if path.name != SCHEMA_FILE
    }


def _unwrap(type_) -> tuple[bool, Any]:
    return (True, type_.of_type) if isinstance(type_, GraphQLNonNull) else (False, type_)


def _output_fits(expected, actual) -> bool:
    """Can an answer of type ``actual`` be read as ``expected``? Letzshop may be stricter
    (never null where the client allows null), not looser."""
    expected_required, expected = _unwrap(expected)
    actual_required, actual = _unwrap(actual)
    if expected_required and not actual_required:
        return False
    if isinstance(expected, GraphQLList) or isinstance(actual, GraphQLList):
        return (
            isinstance(expected, GraphQLList)
            and isinstance(actual, GraphQLList)
            and _output_fits(expected.of_type, actual.of_type)
        )
    return get_named_type(expected).name == get_named_type(actual).name


def _input_fits(expected, actual) -> bool:
    """Does a value the client sends as ``expected`` fit ``actual``? Letzshop may be looser
    (accept null where the client always sends a value), not stricter."""
    expected_required, expected = _unwrap(expected)
    actual_required, actual = _unwrap(actual)
    if actual_required and not expected_required:
        return False
    if isinstance(expected, GraphQLList) or isinstance(actual, GraphQLList):
        return (
            isinstance(expected, GraphQLList)
            and isinstance(actual, GraphQLList)
            and _input_fits(expected.of_type, actual.of_type)
        )
    return get_named_type(expected).name == get_named_type(actual).name


class _Usage:
    """What the documents use, with the names of the documents using each thing."""

    def __init__(self) -> None:
        self.fields: dict[tuple[str, str], tuple[Any, set[str]]] = {}
        self.arguments: dict[tuple[str, str, str], tuple[Any, set[str]]] = {}
        self.passed: dict[tuple[str, str], set[str]] = {}
        self.named: dict[str, set[str]] = {}

    def add_named(self, type_, document: str) -> None:
        named = get_named_type(type_) if type_ is not None else None
        if named is not None and isinstance(named, GraphQLInputObjectType | GraphQLEnumType):
            first = named.name not in self.named
            self.named.setdefault(named.name, set()).add(document)
            if first and isinstance(named, GraphQLInputObjectType):
                for input_field in named.fields.values():
                    self.add_named(input_field.type, document)


class _Collector(Visitor):
    """Walks one document with the expected schema's TypeInfo, noting what it uses."""

    def __init__(self, *, type_info: TypeInfo, usage: _Usage, document: str) -> None:
        super().__init__()
        self.type_info, self.usage, self.document = type_info, usage, document
        self.fields: list[str] = []

    def enter_field(self, node: FieldNode, *_args) -> None:
        self.fields.append(node.name.value)
        parent = self.type_info.get_parent_type()
        if parent is None or node.name.value.startswith("__"):
            return
        definition = self.type_info.get_field_def()
        key = (parent.name, node.name.value)
        expected = definition.type if definition is not None else None
        self.usage.fields.setdefault(key, (expected, set()))[1].add(self.document)
        self.usage.passed.setdefault(key, set()).update(argument.name.value for argument in node.arguments or ())
        if expected is not None:
            self.usage.add_named(expected, self.document)

    def leave_field(self, *_args) -> None:
        self.fields.pop()

    def enter_argument(self, node, *_args) -> None:
        parent, argument = self.type_info.get_parent_type(), self.type_info.get_argument()
        if parent is None or not self.fields:
            return
        key = (parent.name, self.fields[-1], node.name.value)
        self.usage.arguments.setdefault(key, (argument.type if argument else None, set()))[1].add(self.document)
        if argument is not None:
            self.usage.add_named(argument.type, self.document)

    def enter_variable_definition(self, *_args) -> None:
        self.usage.add_named(self.type_info.get_input_type(), self.document)


def _collect(schema: GraphQLSchema, documents: dict[str, str]) -> tuple[_Usage, list[SchemaDifference]]:
    usage = _Usage()
    problems: list[SchemaDifference] = []
    for name, text in documents.items():
        try:
            document = parse(text)
        except GraphQLError as error:
            problems.append(SchemaDifference(type="", note=f"{name}: {error.message}", documents=(name,)))
            continue
        type_info = TypeInfo(schema)
        visit(document, TypeInfoVisitor(type_info, _Collector(type_info=type_info, usage=usage, document=name)))
    return usage, problems


def _required_note(type_) -> str:
    return gettext("Letzshop requires it (%(type)s); the client does not send it") % {"type": type_}


def schema_compare(
    *, live: GraphQLSchema, documents: dict[str, str], expected: GraphQLSchema | None = None
) -> list[SchemaDifference]:
    """Every difference between what the documents (and the client) expect and ``live``."""
    expected = expected or expected_schema()
    usage, differences = _collect(expected, documents)

    def docs(names: set[str]) -> tuple[str, ...]:
        return tuple(sorted(names))

    missing_types: set[str] = set()
    for (type_name, field_name), (expected_type, names) in sorted(usage.fields.items()):
        live_type = live.get_type(type_name)
        if live_type is None:
            if type_name not in missing_types:
                missing_types.add(type_name)
                differences.append(
                    SchemaDifference(
                        type=type_name, expected=gettext("this type"), actual=MISSING, documents=docs(names)
                    )
                )
            continue
        live_field = getattr(live_type, "fields", {}).get(field_name)
        if live_field is None:
            note = (
                ""
                if expected_type is not None
                else gettext("the document asks for it; Letzshop has nothing of that name")
            )
            shown = str(expected_type) if expected_type is not None else ""
            differences.append(
                SchemaDifference(
                    type_name, field_name, expected=shown, actual=MISSING, documents=docs(names), note=note
                )
            )
            continue
        shown = str(expected_type)
        if expected_type is not None and not _output_fits(expected_type, live_field.type):
            differences.append(
                SchemaDifference(
                    type_name, field_name, expected=shown, actual=str(live_field.type), documents=docs(names)
                )
            )
        passed = usage.passed.get((type_name, field_name), set())
        for argument_name, argument in live_field.args.items():
            required = isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined
            if required and argument_name not in passed:
                differences.append(
                    SchemaDifference(
                        type_name,
                        field_name,
                        argument_name,
                        actual=str(argument.type),
                        documents=docs(names),
                        note=_required_note(argument.type),
                    )
                )

    for (type_name, field_name, argument_name), (expected_type, names) in sorted(usage.arguments.items()):
        live_type = live.get_type(type_name)
        live_field = getattr(live_type, "fields", {}).get(field_name) if live_type is not None else None
        if live_field is None:
            continue  # already told above
        live_argument = live_field.args.get(argument_name)
        shown = str(expected_type) if expected_type is not None else gettext("this argument")
        if live_argument is None:
            differences.append(
                SchemaDifference(type_name, field_name, argument_name, shown, MISSING, documents=docs(names))
            )
        elif expected_type is not None and not _input_fits(expected_type, live_argument.type):
            differences.append(
                SchemaDifference(
                    type_name, field_name, argument_name, shown, str(live_argument.type), documents=docs(names)
                )
            )

    for type_name, names in sorted(usage.named.items()):
        expected_type, live_type = expected.get_type(type_name), live.get_type(type_name)
        if live_type is None:
            if type_name not in missing_types:
                differences.append(
                    SchemaDifference(type_name, expected=gettext("this type"), actual=MISSING, documents=docs(names))
                )
            continue
        if isinstance(expected_type, GraphQLEnumType):
            if not isinstance(live_type, GraphQLEnumType):
                differences.append(
                    SchemaDifference(
                        type_name, expected=gettext("an enum"), actual=str(live_type), documents=docs(names)
                    )
                )
                continue
            ours, theirs = set(expected_type.values), set(live_type.values)
            if ours != theirs:
                differences.append(
                    SchemaDifference(
                        type_name,
                        expected=", ".join(sorted(ours)),
                        actual=", ".join(sorted(theirs)),
                        documents=docs(names),
                    )
                )
        elif isinstance(expected_type, GraphQLInputObjectType):
            if not isinstance(live_type, GraphQLInputObjectType):
                differences.append(
                    SchemaDifference(
                        type_name, expected=gettext("an input object"), actual=str(live_type), documents=docs(names)
                    )
                )
                continue
            for field_name, input_field in expected_type.fields.items():
                live_field = live_type.fields.get(field_name)
                if live_field is None:
                    differences.append(
                        SchemaDifference(
                            type_name, field_name, expected=str(input_field.type), actual=MISSING, documents=docs(names)
                        )
                    )
                elif not _input_fits(input_field.type, live_field.type):
                    differences.append(
                        SchemaDifference(
                            type_name,
                            field_name,
                            expected=str(input_field.type),
                            actual=str(live_field.type),
                            documents=docs(names),
                        )
                    )
            for field_name, live_field in live_type.fields.items():
                required = isinstance(live_field.type, GraphQLNonNull) and live_field.default_value is Undefined
                if required and field_name not in expected_type.fields:
                    differences.append(
                        SchemaDifference(
                            type_name,
                            field_name,
                            actual=str(live_field.type),
                            documents=docs(names),
                            note=_required_note(live_field.type),
                        )
                    )

    # Anything else Letzshop's own validation would refuse (fragments on a type that changed kind...).
    explained = {name for difference in differences for name in difference.documents}
    for name, text in documents.items():
        if name in explained:
            continue
        try:
            errors = validate(live, parse(text))
        except GraphQLError:
            continue
        differences += [
            SchemaDifference(type="", note=f"{name}: {error.message}", documents=(name,)) for error in errors
        ]
    return differences


# --- checking a store ---------------------------------------------------------------------------


def schema_check_with_client(*, client, documents_dir: Path = DOCUMENTS_DIR) -> SchemaCheck:
    """Introspect through an open client and compare. Never raises: a failure is the result's error."""
    documents = documents_read(documents_dir)
    check = SchemaCheck(endpoint=client.endpoint, documents=sorted(documents))
    try:
        live = client.schema()
    except LetzshopError as error:
        check.error = error.message
        return check
    check.differences = schema_compare(live=live, documents=documents)
    return check


def schema_check(*, store: Store, triggered_by: str = "", documents_dir: Path = DOCUMENTS_DIR) -> SchemaCheck:
    """Check a store's endpoint; the outcome goes to the sync log and, if Letzshop's schema
    differs, to the store's and the platform's people (once per incident)."""
    credentials = credentials_get(store=store)
    started_at = timezone.now()
    try:
        with client_for(credentials=credentials, rate_limit_waits=0) as client:
            check = schema_check_with_client(client=client, documents_dir=documents_dir)
    except CredentialsDecryptionError as error:
        check = SchemaCheck(endpoint=credentials.api_endpoint, error=str(error))
    schema_check_record(store=store, check=check, started_at=started_at, triggered_by=triggered_by)
    return check


def schema_check_record(*, store: Store, check: SchemaCheck, started_at, triggered_by: str = "") -> None:
    """The sync log row of a check, and the notification of its differences."""
    sync_log_write(
        store=store,
        operation_type=LetzshopSyncLog.Operation.TEST_CONNECTION,
        direction=LetzshopSyncLog.Direction.OUTBOUND,
        status="success" if check.compatible else "failed",
        started_at=started_at,
        records_processed=len(check.documents),
        records_succeeded=0
        if check.error
        else len(check.documents) - len({d for x in check.differences for d in x.documents}),
        records_failed=len({d for x in check.differences for d in x.documents}),
        error_details={"message": check.message} if not check.compatible else None,
        triggered_by=triggered_by,
        details={"check": "schema", "endpoint": check.endpoint, "schema": check.as_dict()},
    )
    if not check.error:
        schema_checked(store=store, differences=[difference.text() for difference in check.differences])


def schema_check_after_test(*, store: Store | None, client, outcome) -> dict | None:
    """ "Test connection" checks the schema too, once the connection works: the answer shows
    "API schema: compatible" or the differences, and a stored key's differences are told
    (``store``; a key tested before it is saved only answers)."""
    if not outcome.success:
        return None
    check = schema_check_with_client(client=client)
    if store is not None:
        credentials_accepted(store=store)
        if not check.error:
            schema_checked(store=store, differences=[difference.text() for difference in check.differences])
    return check.as_dict()
