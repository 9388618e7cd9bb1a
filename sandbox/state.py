"""The sandbox's state: seeded shipments, the GraphQL schema they are served through, and faults.

Everything here works without a socket (``SandboxState.execute``); ``server.py`` puts HTTP around
it. One re-entrant lock guards the data: GraphQL execution, mutations, resets and the control
reads all take it, so a page never shows a shipment half confirmed.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hmac
import json
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    build_schema,
    execute_sync,
    get_operation_ast,
    parse,
    validate,
)

from . import fastpath
from .seed import Shipment, seed_shipments

DEFAULT_API_KEY = "letzshop-sandbox-key"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "letzshop" / "graphql" / "schema.graphql"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
REQUEST_LOG_SIZE = 200
UNAUTHORIZED_MESSAGE = "Unauthorized: invalid API key"

# Items a fail_next script may hold besides an HTTP status code (400-599).
SCRIPTED_FAULTS = ("timeout", "drop", "garbage", "empty")

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
TEXT_HEADERS = {"Content-Type": "text/plain; charset=utf-8"}
HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8"}

_ERROR_PAGE = (
    "<html><head><title>{status} {reason}</title></head>"
    "<body><center><h1>{status} {reason}</h1></center><hr><center>nginx</center></body></html>"
)
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}

Response = tuple[int, dict[str, str], dict[str, Any] | str]


class DroppedConnection(Exception):
    """A scripted "drop": the server closes the connection without answering."""


@dataclass
class Faults:
    """What the sandbox does wrong, on purpose. Only POST /graphql is affected."""

    rate_429: float = 0.0  # probability of an HTTP 429 (plain text, Retry-After)
    rate_500: float = 0.0  # probability of an HTTP 500 (plain text or an HTML error page)
    delay_ms: int = 0  # added before every answer
    bad_key_mode: str = "401"  # how a wrong key is answered: "401", or "200" with GraphQL errors
    fail_next: list[int | str] = field(default_factory=list)  # consumed one per request
    retry_after: int = 1  # seconds, the Retry-After of every 429
    timeout_sleep_s: float = 30.0  # how long a scripted "timeout" hangs (cut short by a server stop)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _probability(value: Any) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise ValueError("a probability must be between 0 and 1")
    return number


def _non_negative(kind: type) -> Any:
    def convert(value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("expected a number")
        number = kind(value)
        if number < 0:
            raise ValueError("must be >= 0")
        return number

    return convert


def _bad_key_mode(value: Any) -> str:
    mode = str(value)
    if mode not in ("401", "200"):
        raise ValueError('bad_key_mode is "401" or "200"')
    return mode


def _fail_next(value: Any) -> list[int | str]:
    if not isinstance(value, list):
        raise ValueError("fail_next is a list")
    script: list[int | str] = []
    for item in value:
        if isinstance(item, str) and item in SCRIPTED_FAULTS:
            script.append(item)
        elif isinstance(item, int | str) and not isinstance(item, bool) and str(item).isdigit():
            status = int(item)
            if not 400 <= status <= 599:
                raise ValueError(f"fail_next status {status} is not an HTTP error")
            script.append(status)
        else:
            raise ValueError(f"fail_next item {item!r}: an HTTP status or one of {', '.join(SCRIPTED_FAULTS)}")
    return script


_FAULT_FIELDS = {
    "rate_429": _probability,
    "rate_500": _probability,
    "delay_ms": _non_negative(int),
    "bad_key_mode": _bad_key_mode,
    "fail_next": _fail_next,
    "retry_after": _non_negative(int),
    "timeout_sleep_s": _non_negative(float),
}


def encode_cursor(index: int) -> str:
    return base64.b64encode(str(index).encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        return int(base64.b64decode(cursor.encode(), validate=True).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise GraphQLError(f"Invalid cursor: {cursor!r}") from None


def _sandbox(info: Any) -> SandboxState:
    return info.context


def _resolve_shipments(_root: Any, info: Any, **args: Any) -> dict[str, Any]:
    return _sandbox(info).shipment_connection(**args)


def _resolve_confirm(_root: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
    return _sandbox(info).confirm_inventory_units(input)


def _resolve_tracking(_root: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
    return _sandbox(info).set_shipment_tracking(input)


@cache
def sandbox_schema() -> GraphQLSchema:
    """The shared contract, with the sandbox's resolvers attached (built once per process)."""
    schema = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema.query_type is not None and schema.mutation_type is not None
    schema.query_type.fields["shipments"].resolve = _resolve_shipments
    schema.mutation_type.fields["confirmInventoryUnits"].resolve = _resolve_confirm
    schema.mutation_type.fields["setShipmentTracking"].resolve = _resolve_tracking
    brand_union = schema.type_map["BrandUnion"]
    brand_union.resolve_type = lambda value, _info, _type: value.get("__typename")  # type: ignore[attr-defined]
    return schema


class SandboxState:
    """A stateful stand-in for Letzshop's GraphQL API."""

    def __init__(
        self,
        *,
        shipments: int = 200,
        seed: int | str = 1,
        api_key: str = DEFAULT_API_KEY,
        unmatched_ratio: float = 0.3,
        units_per_shipment: int | None = None,
        tracking_reads_back: bool = True,
        faults: Mapping[str, Any] | None = None,
    ) -> None:
        self.lock = threading.RLock()
        # Set by the server when it stops, so that a scripted hang or a delay ends at once.
        self.stop_event = threading.Event()
        self.api_key = api_key
        self.faults = Faults()
        # The client sends the same few documents over and over: parse and validate each once.
        self._documents: dict[str, tuple[DocumentNode | None, list[GraphQLError]]] = {}
        self.seed = seed
        self.shipment_count = shipments
        self.unmatched_ratio = unmatched_ratio
        self.units_per_shipment = units_per_shipment
        self.tracking_reads_back = tracking_reads_back
        self.reset()
        if faults:
            self.update_faults(faults)

    # -- data ---------------------------------------------------------------------------------

    def reset(self, **changes: Any) -> dict[str, Any]:
        """Re-seed. ``changes`` may hold shipments, seed, unmatched_ratio, units_per_shipment and
        tracking_reads_back; what is left out keeps its current value. Clears the request log and
        counters; faults and the key are kept."""
        allowed = {"shipments", "seed", "unmatched_ratio", "units_per_shipment", "tracking_reads_back"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"unknown reset option(s): {', '.join(sorted(unknown))}")
        with self.lock:
            shipments = int(changes.get("shipments", self.shipment_count))
            seed = changes.get("seed", self.seed)
            ratio = float(changes.get("unmatched_ratio", self.unmatched_ratio))
            units = changes.get("units_per_shipment", self.units_per_shipment)
            units = None if units is None else int(units)
            data = seed_shipments(shipments, seed, unmatched_ratio=ratio, units_per_shipment=units)
            self.shipment_count, self.seed, self.unmatched_ratio, self.units_per_shipment = (
                shipments,
                seed,
                ratio,
                units,
            )
            self.tracking_reads_back = bool(changes.get("tracking_reads_back", self.tracking_reads_back))
            self.shipments: list[Shipment] = data
            self._by_id = {shipment["id"]: shipment for shipment in data}
            self._units = {unit["id"]: (unit, shipment) for shipment in data for unit in shipment["inventoryUnits"]}
            self._stored_tracking: dict[str, dict[str, str]] = {}
            self.request_count = 0
            self.mutation_count = 0
            self._log: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)
            # Re-seeding also replays the probabilistic faults from the start: runs stay repeatable.
            self._fault_rng = random.Random(f"faults:{seed}")
            return self.summary()

    def shipment_connection(
        self,
        state: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> dict[str, Any]:
        """A Relay connection over the shipments in list order. Cursors hold positions in the whole
        list, not in the filtered one, so that confirming shipments between two pages (which
        takes them out of the "unconfirmed" filter) does not make the next page skip any."""
        for name, value in (("first", first), ("last", last)):
            if value is not None and value < 0:
                raise GraphQLError(f"Argument '{name}' must be >= 0")
        items = self.shipments
        start = decode_cursor(after) + 1 if after else 0
        end = min(decode_cursor(before), len(items)) if before else len(items)

        def matches(position: int) -> bool:
            return state is None or items[position]["state"] == state

        def any_match(positions: range) -> bool:
            return any(matches(position) for position in positions)

        if last is not None and first is None:
            size = min(last, MAX_PAGE_SIZE)
            picked: list[int] = []
            for position in range(end - 1, start - 1, -1):
                if matches(position):
                    if len(picked) == size:
                        break
                    picked.append(position)
            has_previous = len(picked) == size and any_match(range(start, picked[-1] if picked else end))
            picked.reverse()
            next_range = range(end, len(items))
            page_info: dict[str, Any] = {
                "hasPreviousPage": has_previous,
                "hasNextPage": lambda _info: before is not None and any_match(next_range),
            }
        else:
            size = min(DEFAULT_PAGE_SIZE if first is None else first, MAX_PAGE_SIZE)
            picked = []
            has_next = False
            for position in range(start, end):
                if matches(position):
                    if len(picked) == size:
                        has_next = True
                        break
                    picked.append(position)
            previous_range = range(0, min(start, len(items)))
            page_info = {
                "hasNextPage": has_next,
                # Computed only when asked for: it scans the list before the page.
                "hasPreviousPage": lambda _info: after is not None and any_match(previous_range),
            }
        page_info["startCursor"] = encode_cursor(picked[0]) if picked else None
        page_info["endCursor"] = encode_cursor(picked[-1]) if picked else None
        nodes = [items[position] for position in picked]
        return {
            "nodes": nodes,
            "edges": [
                {"cursor": encode_cursor(position), "node": node} for position, node in zip(picked, nodes, strict=True)
            ],
            "pageInfo": page_info,
        }

    def confirm_inventory_units(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Confirm or decline units; per-unit problems go to the payload's errors, the rest go through."""
        touched: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        shipments: dict[str, Shipment] = {}
        with self.lock:
            for item in payload["inventoryUnits"]:
                unit_id = item["inventoryUnitId"]
                wanted = "confirmed_available" if item["isAvailable"] else "confirmed_unavailable"
                found = self._units.get(unit_id)
                if found is None:
                    errors.append(
                        {"id": unit_id, "code": "not_found", "message": f"Inventory unit {unit_id} not found"}
                    )
                    continue
                unit, shipment = found
                if unit["state"] == wanted:
                    # Already done: a retried request must succeed.
                    touched.append(unit)
                    continue
                if unit["state"] != "unconfirmed":
                    message = f"Inventory unit {unit_id} is {unit['state']} and cannot become {wanted}"
                    errors.append({"id": unit_id, "code": "invalid_state", "message": message})
                    continue
                unit["state"] = wanted
                touched.append(unit)
                shipments[shipment["id"]] = shipment
            for shipment in shipments.values():
                # Declining every unit still confirms the shipment: "declined" is not a shipment state.
                if shipment["state"] == "unconfirmed" and all(
                    unit["state"] != "unconfirmed" for unit in shipment["inventoryUnits"]
                ):
                    shipment["state"] = "confirmed"
        return {"inventoryUnits": touched, "errors": errors, "clientMutationId": payload.get("clientMutationId")}

    def set_shipment_tracking(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        shipment_id = payload["shipmentId"]
        with self.lock:
            shipment = self._by_id.get(shipment_id)
            if shipment is None:
                error = {"id": shipment_id, "code": "not_found", "message": f"Shipment {shipment_id} not found"}
                return {"shipment": None, "errors": [error], "clientMutationId": payload.get("clientMutationId")}
            tracking = {"code": payload["code"], "provider": payload["provider"]}
            self._stored_tracking[shipment_id] = tracking
            if self.tracking_reads_back:
                shipment["tracking"] = dict(tracking)
            if shipment["state"] == "confirmed":
                shipment["state"] = "shipped"
        return {"shipment": shipment, "errors": [], "clientMutationId": payload.get("clientMutationId")}

    # -- control ------------------------------------------------------------------------------

    def update_faults(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Merge ``changes`` into the faults; ``{"reset": true}`` first restores the defaults."""
        changes = dict(changes)
        reset = bool(changes.pop("reset", False))
        unknown = set(changes) - set(_FAULT_FIELDS)
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        converted = {name: _FAULT_FIELDS[name](value) for name, value in changes.items()}
        with self.lock:
            if reset:
                self.faults = Faults()
                self._fault_rng = random.Random(f"faults:{self.seed}")
            for name, value in converted.items():
                setattr(self.faults, name, value)
            return self.faults.as_dict()

    def summary(self) -> dict[str, Any]:
        with self.lock:
            by_state = Counter(shipment["state"] for shipment in self.shipments)
            units_by_state = Counter(unit["state"] for unit, _ in self._units.values())
            return {
                "shipments": len(self.shipments),
                "by_state": dict(sorted(by_state.items())),
                "units_by_state": dict(sorted(units_by_state.items())),
                "requests": self.request_count,
                "mutations": self.mutation_count,
                "faults": self.faults.as_dict(),
                "seed": self.seed,
                "unmatched_ratio": self.unmatched_ratio,
                "units_per_shipment": self.units_per_shipment,
                "tracking_reads_back": self.tracking_reads_back,
            }

    def shipment_detail(self, shipment_id: str) -> dict[str, Any] | None:
        """The shipment as stored, with ``storedTracking``: the tracking last set through the API,
        visible here even when the API does not read it back."""
        with self.lock:
            shipment = self._by_id.get(shipment_id)
            if shipment is None:
                return None
            detail = copy.deepcopy(shipment)
            detail["storedTracking"] = copy.deepcopy(self._stored_tracking.get(shipment_id))
            return detail

    def shipment_edit(self, shipment_id: str, order: dict[str, Any]) -> dict[str, Any] | None:
        """Change a shipment's order as Letzshop's support would (a corrected e-mail or address):
        ``order``'s keys replace the order's, an address's keys are merged into that address.
        Answers the shipment as stored, or None if unknown."""
        with self.lock:
            shipment = self._by_id.get(shipment_id)
            if shipment is None:
                return None
            stored = shipment.get("order")
            if not isinstance(stored, dict):
                raise ValueError("the shipment has no order to change")
            for key, value in order.items():
                if (
                    key in ("shipAddress", "billAddress")
                    and isinstance(value, dict)
                    and isinstance(stored.get(key), dict)
                ):
                    stored[key] = {**stored[key], **value}
                elif key in ("email", "locale", "number", "total"):
                    stored[key] = value
                else:
                    raise ValueError(f"the order field {key!r} cannot be changed here")
        return self.shipment_detail(shipment_id)

    def request_log(self) -> list[dict[str, Any]]:
        with self.lock:
            # Copies: an entry still in flight gets its status later, from another thread.
            return [dict(entry) for entry in self._log]

    # -- requests -----------------------------------------------------------------------------

    def execute(
        self,
        query: str | None,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        api_key: str | None = None,
    ) -> Response:
        """Answer one GraphQL request as the HTTP endpoint would: (status, headers, body).

        The body is a dict for JSON answers and a str for plain text and HTML ones. A scripted
        "drop" raises DroppedConnection.
        """
        request = {
            "query": query,
            "variables": dict(variables) if variables is not None else None,
            "operationName": operation_name,
        }
        return self._answer(request, api_key)

    def execute_http(self, body: bytes, authorization: str | None) -> Response:
        """Answer the raw body of a POST /graphql with its Authorization header."""
        api_key = None
        if authorization and authorization[:7].lower() == "bearer ":
            api_key = authorization[7:].strip()
        try:
            request = json.loads(body or b"null")
        except ValueError:
            request = None
        if not isinstance(request, dict):
            return self._answer(None, api_key)
        return self._answer(request, api_key)

    def _answer(self, request: dict[str, Any] | None, api_key: str | None) -> Response:
        started = time.perf_counter()
        variables = request.get("variables") if request else None
        entry: dict[str, Any] = {
            "at": datetime.now(UTC).isoformat(),
            "operationName": request.get("operationName") if request else None,
            "variables": copy.deepcopy(variables) if isinstance(variables, dict) else variables,
            "status": None,
            "fault": None,
            "elapsed_ms": None,
        }
        with self.lock:
            self.request_count += 1
            scripted = self.faults.fail_next.pop(0) if self.faults.fail_next else None
            delay = self.faults.delay_ms / 1000
            throttled = scripted is None and self._fault_rng.random() < self.faults.rate_429
            failing = scripted is None and not throttled and self._fault_rng.random() < self.faults.rate_500
            html_page = self._fault_rng.random() < 0.5
            retry_after = self.faults.retry_after
            hang = self.faults.timeout_sleep_s
            bad_key_mode = self.faults.bad_key_mode
            self._log.append(entry)
        try:
            if delay:
                self.stop_event.wait(delay)
            if scripted is not None:
                entry["fault"] = scripted
                response = self._scripted(scripted, retry_after, hang)
            elif throttled:
                entry["fault"] = "rate_429"
                response = self._throttled(retry_after)
            elif failing:
                entry["fault"] = "rate_500"
                response = self._server_error(500, html_page)
            elif not self._key_is_valid(api_key):
                response = self._unauthorized(bad_key_mode)
            elif request is None:
                response = 400, JSON_HEADERS, {"errors": [{"message": "Expected a JSON object body"}]}
            else:
                response = self._graphql(request)
        except DroppedConnection:
            entry.update(status="dropped", elapsed_ms=round((time.perf_counter() - started) * 1000, 2))
            raise
        entry.update(status=response[0], elapsed_ms=round((time.perf_counter() - started) * 1000, 2))
        return response

    def _key_is_valid(self, api_key: str | None) -> bool:
        return api_key is not None and hmac.compare_digest(api_key.encode(), self.api_key.encode())

    def _scripted(self, fault: int | str, retry_after: int, hang: float) -> Response:
        if fault == "drop":
            raise DroppedConnection
        if fault == "timeout":
            self.stop_event.wait(hang)
            return 504, TEXT_HEADERS, "Gateway Timeout"
        if fault == "garbage":
            return 200, HTML_HEADERS, "<html><body><h1>Maintenance</h1><p>Back soon.</p></body></html>"
        if fault == "empty":
            return 200, JSON_HEADERS, {}
        assert isinstance(fault, int)
        if fault == 429:
            return self._throttled(retry_after)
        if fault >= 500:
            return self._server_error(fault, html_page=fault != 500)
        return fault, TEXT_HEADERS, _REASONS.get(fault, "Error")

    @staticmethod
    def _throttled(retry_after: int) -> Response:
        return 429, {**TEXT_HEADERS, "Retry-After": str(retry_after)}, "Too Many Requests"

    @staticmethod
    def _server_error(status: int, html_page: bool) -> Response:
        reason = _REASONS.get(status, "Server Error")
        if html_page:
            return status, HTML_HEADERS, _ERROR_PAGE.format(status=status, reason=reason)
        return status, TEXT_HEADERS, reason

    @staticmethod
    def _unauthorized(mode: str) -> Response:
        if mode == "200":
            error = {"message": UNAUTHORIZED_MESSAGE, "extensions": {"code": "UNAUTHENTICATED"}}
            return 200, JSON_HEADERS, {"data": None, "errors": [error]}
        return 401, JSON_HEADERS, {"errors": [{"message": UNAUTHORIZED_MESSAGE}]}

    def _document(self, query: str) -> tuple[DocumentNode | None, list[GraphQLError]]:
        cached = self._documents.get(query)
        if cached is None:
            try:
                document = parse(query)
            except GraphQLError as error:
                cached = None, [error]
            else:
                cached = document, validate(sandbox_schema(), document)
            if len(self._documents) >= 256:
                self._documents.clear()
            self._documents[query] = cached
        return cached

    def _graphql(self, request: dict[str, Any]) -> Response:
        query, variables, operation_name = request.get("query"), request.get("variables"), request.get("operationName")
        if not isinstance(query, str) or not query.strip():
            return 200, JSON_HEADERS, {"errors": [{"message": "No query string was present"}]}
        if variables is not None and not isinstance(variables, dict):
            return 200, JSON_HEADERS, {"errors": [{"message": "Variables must be a JSON object"}]}
        if operation_name is not None and not isinstance(operation_name, str):
            return 200, JSON_HEADERS, {"errors": [{"message": "operationName must be a string"}]}
        with self.lock:
            document, errors = self._document(query)
            if errors or document is None:
                return 200, JSON_HEADERS, {"errors": [error.formatted for error in errors]}
            operation = get_operation_ast(document, operation_name)
            if operation is not None and operation.operation == OperationType.MUTATION:
                self.mutation_count += 1
            if operation is not None and fastpath.applies(operation):
                projected = fastpath.project(sandbox_schema(), document, operation, variables, self.shipment_connection)
                if projected is not None:
                    return 200, JSON_HEADERS, projected
            result = execute_sync(
                sandbox_schema(),
                document,
                context_value=self,
                variable_values=variables,
                operation_name=operation_name,
            )
        # The result holds fresh dicts of immutable leaves: it can be serialised outside the lock.
        return 200, JSON_HEADERS, result.formatted
