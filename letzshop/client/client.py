"""LetzshopClient: Letzshop's GraphQL API over gql and requests, with typed answers and classified
failures.

The client retries one thing itself: a 429, after waiting what Retry-After asks (bounded), at
most ``rate_limit_waits`` times. Everything else (5xx, timeouts, dropped connections) is raised
as TransientError for the caller, who owns the retry policy (the fulfillment queue, the import
task). There is no urllib3 Retry underneath, so a request is never sent twice behind the
caller's back.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import orjson
import requests
from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportConnectionFailed, TransportError
from gql.transport.requests import RequestsHTTPTransport
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLSchema,
    build_client_schema,
    get_introspection_query,
    print_ast,
)

from config.logs import secret_register
from letzshop.metrics import api_request_observe

from . import documents
from .errors import AuthError, Cancelled, LetzshopError, RateLimited, ResponseError, TransientError
from .options import setting
from .ratelimit import KeyRateLimiter, limit_key, limiter_from_settings
from .types import (
    ConfirmResult,
    ConnectionTestResult,
    ShipmentPage,
    ShipmentPageAnswer,
    ShipmentStatePage,
    TrackingResult,
    confirm_result_from_data,
    shipment_page_answer,
    shipment_page_from_data,
    shipment_state_page_from_data,
    tracking_result_from_data,
)

logger = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_MAX_RETRY_AFTER = 60
DEFAULT_RATE_LIMIT_WAITS = 2
# The longest "Test connection" waits for its turn under the key's shared rate limit: a person
# is waiting for the answer.
TEST_CONNECTION_TURN_WAIT = 2.0
# When a 429 carries no usable Retry-After.
DEFAULT_RETRY_AFTER = 5
# How much of an unexpected body goes into the server's log (never into a message).
BODY_SNIPPET_LENGTH = 500

# Words by which a GraphQL error says that the key was refused, in its message or extensions.code.
_AUTH_WORDS = ("unauthorized", "unauthorised", "unauthenticated", "invalid api key", "not authorized")
_AUTH_CODES = {"UNAUTHENTICATED", "UNAUTHORIZED", "FORBIDDEN", "AUTHENTICATION_ERROR"}

INTROSPECTION_OPERATION = "IntrospectionQuery"
_OUTCOMES = {RateLimited: "rate_limited", TransientError: "transient_error", ResponseError: "response_error"}

CONNECTION_OK = "Connection successful"
CONNECTION_AUTH_FAILED = "Authentication failed: the API key was refused by Letzshop"


_printed: dict[int, tuple[DocumentNode, str]] = {}


def _query_text(document: DocumentNode) -> str:
    """A document's text, printed once: gql prints it again for every request, and a walk of
    fifty pages would print the same query fifty times. Keyed by the document itself (kept
    alive here, so that its id is never reused by another); the client's documents are a handful
    of module constants."""
    cached = _printed.get(id(document))
    if cached is None or cached[0] is not document:
        cached = _printed[id(document)] = (document, print_ast(document))
    return cached[1]


class PrintedRequest(GraphQLRequest):
    """A GraphQLRequest whose query text is printed once per document (``_query_text``)."""

    @property
    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"query": _query_text(self.document)}
        if self.operation_name:
            payload["operationName"] = self.operation_name
        if self.variable_values:
            payload["variables"] = self.variable_values
        if self.extensions:
            payload["extensions"] = self.extensions
        return payload


def json_loads(content: bytes) -> Any:
    """JSON from an answer's bytes: orjson, several times faster on a page of shipments; what it
    refuses and the standard library reads (a lone surrogate escaped in a string) is read by the
    latter, so that one bad text fails one shipment's checks, not the whole page."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return json.loads(content)


def parse_retry_after(value: str | None, *, maximum: float, default: int = DEFAULT_RETRY_AFTER) -> int:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), within [0, maximum]."""
    seconds: float = default
    text = (value or "").strip()
    if text.isdigit():
        seconds = int(text)
    elif text:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            moment = None
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            seconds = math.ceil((moment - datetime.now(UTC)).total_seconds())
    return int(max(0, min(seconds, maximum)))


def _is_auth_error(error: Any) -> bool:
    if not isinstance(error, Mapping):
        return False
    message = str(error.get("message") or "").lower()
    extensions = error.get("extensions")
    code = str(extensions.get("code") or "").upper() if isinstance(extensions, Mapping) else ""
    return code in _AUTH_CODES or any(word in message for word in _AUTH_WORDS)


def _error_messages(errors: Any) -> str:
    if not isinstance(errors, list):
        return str(errors)
    messages = []
    for error in errors:
        if isinstance(error, Mapping):
            path = error.get("path")
            text = str(error.get("message") or error)
            messages.append(f"{text} (at {'.'.join(map(str, path))})" if isinstance(path, list) and path else text)
        else:
            messages.append(str(error))
    return "; ".join(messages)


_MEDIA_TYPE = re.compile(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$")
# What a person may read of a body: a few words that say what it was, never the body itself
# (another server's page must not reach a person through this client; docs/security.md).
_BODY_KINDS = (
    ("text/html", "an HTML page"),
    ("application/xhtml+xml", "an HTML page"),
    ("application/json", "a JSON document"),
    ("application/graphql-response+json", "a JSON document"),
    ("text/plain", "plain text"),
    ("application/xml", "an XML document"),
    ("text/xml", "an XML document"),
)


def body_summary(response: requests.Response) -> str:
    """What an answer's body was, in a few safe words ("an HTML error page", "plain text")."""
    if not response.content:
        return "an empty body"
    media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if not media_type and response.content.lstrip()[:1] == b"<":
        media_type = "text/html"
    kind = dict(_BODY_KINDS).get(media_type)
    if kind is None:
        kind = f"a body of type {media_type}" if _MEDIA_TYPE.match(media_type) and len(media_type) <= 60 else "a body"
    if kind == "an HTML page" and response.status_code >= 400:
        kind = "an HTML error page"
    return kind


def _location_summary(location: str) -> str:
    """Where a redirect pointed: scheme, host, port and path, printable and short."""
    parts = urlsplit(location.strip())
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host:
        text = parts.path or "(no Location)"
    else:
        text = f"{parts.scheme}://{host}{f':{port}' if port else ''}{parts.path}"
    text = "".join(ch for ch in text if ch.isprintable())
    return text if len(text) <= 200 else text[:199] + "…"


def _safe_text(text: str, limit: int = 300) -> str:
    """A GraphQL error message as a person may read it: printable, one line, short."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LetzshopTransport(RequestsHTTPTransport):
    """gql's requests transport, classifying each answer by its HTTP status before its body.

    gql alone reports a 401 whose body carries "errors" as a GraphQL error, and a throttle's
    plain-text 429 as a protocol error; here each becomes the exception a caller acts on.
    Redirects are never followed (a redirect is a failure saying where it pointed), and a body
    that is not a GraphQL answer is only described, never quoted: it goes to the server's log,
    truncated.
    """

    def __init__(self, *, url: str, api_key: str, timeout: tuple[float, float], max_retry_after: float) -> None:
        super().__init__(
            url=url,
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=timeout,  # type: ignore[arg-type]
            retries=0,
            allow_redirects=False,
        )
        self._api_key = api_key
        self.max_retry_after = max_retry_after

    @property
    def api_key(self) -> str:
        return self._api_key

    def connect(self):
        super().connect()
        # No proxy or .netrc from the environment: the allowlist names where calls go.
        self.session.trust_env = False

    def __repr__(self) -> str:
        return f"<LetzshopTransport {self.url}>"

    def redact(self, text: str) -> str:
        """``text`` without the API key, should a server (or a proxy) have echoed it."""
        return text.replace(self._api_key, "****") if self._api_key else text

    def _snippet(self, response: requests.Response) -> str:
        text = response.content[: BODY_SNIPPET_LENGTH * 4].decode("utf-8", errors="replace")
        text = " ".join(text.split())
        if len(text) > BODY_SNIPPET_LENGTH:
            text = text[:BODY_SNIPPET_LENGTH] + "…"
        return self.redact(text) or "(empty body)"

    def _refused(self, error_class, response: requests.Response, what: str, **kwargs) -> LetzshopError:
        """An error whose message describes the answer; the body itself goes to the log only."""
        status = response.status_code
        logger.warning("Letzshop answered HTTP %s at %s: %s", status, self.url, self._snippet(response))
        return error_class(f"Letzshop answered HTTP {status} ({what})", status_code=status, **kwargs)

    def _auth_message(self, response: requests.Response) -> str:
        """A refused key: GraphQL's own error text when the answer is a GraphQL answer (it says
        why), else the answer described."""
        try:
            errors = json.loads(response.content).get("errors")
        except (ValueError, AttributeError):
            errors = None
        if errors:
            text = self.redact(_safe_text(_error_messages(errors)))
            return f"Letzshop refused the API key (HTTP {response.status_code}: {text})"
        return str(self._refused(AuthError, response, body_summary(response)))

    def _prepare_result(self, response: requests.Response) -> ExecutionResult:
        self.response_headers = response.headers
        status = response.status_code
        if 300 <= status < 400:
            where = self.redact(_location_summary(response.headers.get("Location") or ""))
            logger.warning("Letzshop answered HTTP %s at %s, a redirect to %s: not followed", status, self.url, where)
            raise ResponseError(
                f"Letzshop answered HTTP {status}, a redirect to {where}: redirects are not followed; "
                "check the endpoint",
                status_code=status,
            )
        if status in (401, 403):
            raise AuthError(self._auth_message(response), status_code=status)
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), maximum=self.max_retry_after)
            raise RateLimited(
                f"HTTP 429: rate limited by Letzshop, retry after {retry_after} s", retry_after=retry_after
            )
        if status >= 500:
            raise self._refused(TransientError, response, body_summary(response))
        if not 200 <= status < 300:
            raise self._refused(ResponseError, response, body_summary(response))
        try:
            # From bytes: decoded as UTF-8 (as JSON is), where response.text may guess the charset slowly.
            result = json_loads(response.content)
        except ValueError:
            raise self._refused(ResponseError, response, f"{body_summary(response)}, not JSON") from None
        if not isinstance(result, dict) or ("data" not in result and "errors" not in result):
            raise self._refused(ResponseError, response, "JSON without data or errors")
        errors = result.get("errors")
        if errors:
            message = self.redact(_safe_text(_error_messages(errors)))
            if isinstance(errors, list) and any(_is_auth_error(error) for error in errors):
                raise AuthError(message, status_code=status)
            raise ResponseError(f"GraphQL errors: {message}", status_code=status)
        if not isinstance(result.get("data"), dict):
            raise self._refused(ResponseError, response, "JSON without data")
        return ExecutionResult(data=result["data"], errors=None, extensions=result.get("extensions"))


class LetzshopClient:
    """One API key at one endpoint. Reuses one HTTP session (keep-alive) across calls; not meant
    to be shared between threads. Use as a context manager or call ``close()``."""

    def __init__(
        self,
        *,
        api_key: str,
        endpoint: str,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        max_retry_after: float | None = None,
        rate_limit_waits: int | None = None,
        on_refused: Callable[[], None] | None = None,
        limiter: KeyRateLimiter | None | bool = True,
        observe: Callable[..., None] = api_request_observe,
    ) -> None:
        """``on_refused`` is called (in the thread that made the call) each time Letzshop refuses
        the key, before AuthError is raised: how the platform tells a store its key stopped working.

        ``limiter``: the key's shared rate limit (letzshop.client.ratelimit); True takes the one the
        settings describe, None or False sends without one.

        ``observe(operation=, outcome=, seconds=)`` is told of every request (the metrics)."""
        if not api_key:
            raise ValueError("an API key is required")
        if not endpoint:
            raise ValueError("an endpoint is required")
        self.endpoint = endpoint
        self.connect_timeout = float(
            connect_timeout
            if connect_timeout is not None
            else setting("LETZSHOP_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT)
        )
        self.read_timeout = float(
            read_timeout if read_timeout is not None else setting("LETZSHOP_READ_TIMEOUT", DEFAULT_READ_TIMEOUT)
        )
        self.max_retry_after = float(
            max_retry_after
            if max_retry_after is not None
            else setting("LETZSHOP_MAX_RETRY_AFTER_SECONDS", DEFAULT_MAX_RETRY_AFTER)
        )
        self.rate_limit_waits = int(rate_limit_waits if rate_limit_waits is not None else DEFAULT_RATE_LIMIT_WAITS)
        self._transport = LetzshopTransport(
            url=endpoint,
            api_key=api_key,
            timeout=(self.connect_timeout, self.read_timeout),
            max_retry_after=self.max_retry_after,
        )
        self._gql = Client(transport=self._transport, fetch_schema_from_transport=False)
        self._session: Any = None
        self._cancelled = threading.Event()
        self.on_refused = on_refused
        self.observe = observe
        self.limiter = limiter_from_settings() if limiter is True else (limiter or None)
        self._limit_key = limit_key(endpoint=endpoint, api_key=api_key)
        # The key never reaches a log line of this process (config.logs).
        secret_register(api_key)

    def __repr__(self) -> str:
        return f"LetzshopClient(endpoint={self.endpoint!r})"

    def clone(self, **overrides: Any) -> LetzshopClient:
        """A new client for the same key, endpoint and settings, with a connection of its own:
        how the import's fetch process gets one (an HTTP connection is never shared across a
        fork). ``overrides`` replace any of the constructor's arguments but the key and endpoint."""
        options: dict[str, Any] = {
            "connect_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "max_retry_after": self.max_retry_after,
            "rate_limit_waits": self.rate_limit_waits,
            "on_refused": self.on_refused,
            "limiter": self.limiter,
            "observe": self.observe,
            **overrides,
        }
        return LetzshopClient(api_key=self._transport.api_key, endpoint=self.endpoint, **options)

    # -- lifecycle ----------------------------------------------------------------------------

    def cancel(self) -> None:
        """From any thread: the call under way ends at its next wait (a 429's Retry-After), and
        no further call is made (each raises Cancelled). A request already sent runs to its
        answer or its timeout."""
        self._cancelled.set()

    def resume(self) -> None:
        """Undo ``cancel``: calls are made again."""
        self._cancelled.clear()

    def close(self) -> None:
        if self._session is not None:
            self._session = None
            self._gql.close_sync()

    def __enter__(self) -> LetzshopClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- operations ---------------------------------------------------------------------------

    def shipments_page(
        self, *, state: str | None = "unconfirmed", first: int = 100, after: str | None = None
    ) -> ShipmentPage:
        """One page of shipments in ``state`` (None: every state)."""
        return self.shipments_page_answer(state=state, first=first, after=after).page()

    def shipments_page_answer(
        self, *, state: str | None = "unconfirmed", first: int = 100, after: str | None = None
    ) -> ShipmentPageAnswer:
        """The same page as ``shipments_page``, its shipments not read yet (``.page()`` reads
        them): the cursor to the next page is known at once."""
        variables: dict[str, Any] = {"state": state, "first": first, "after": after}
        data, elapsed_ms = self._execute(documents.SHIPMENTS, variables, documents.SHIPMENTS_OPERATION)
        return shipment_page_answer(data, elapsed_ms)

    def shipment_states_page(
        self, *, state: str | None = "unconfirmed", first: int = 100, after: str | None = None
    ) -> ShipmentStatePage:
        """The same page as ``shipments_page`` with the same arguments, with only the states of
        each shipment, its units and its tracking: a cheap way to see whether anything changed."""
        variables: dict[str, Any] = {"state": state, "first": first, "after": after}
        data, elapsed_ms = self._execute(documents.SHIPMENT_STATES, variables, documents.SHIPMENT_STATES_OPERATION)
        return shipment_state_page_from_data(data, elapsed_ms)

    def iter_shipment_pages(self, *, state: str | None = "unconfirmed", page_size: int = 100) -> Iterator[ShipmentPage]:
        """Every page, following pageInfo to the last one."""
        after: str | None = None
        seen: set[str] = set()
        while True:
            page = self.shipments_page(state=state, first=page_size, after=after)
            yield page
            if not page.has_next_page:
                return
            cursor = page.end_cursor
            assert cursor is not None  # shipment_page_from_data refuses a next page without a cursor
            # A server that hands back a cursor it already gave would keep us paging forever.
            if cursor in seen:
                raise ResponseError(f"Letzshop repeated the page cursor {cursor!r}: stopping the pagination")
            seen.add(cursor)
            after = cursor

    def confirm_inventory_units(self, units: Sequence[tuple[str, bool]]) -> ConfirmResult:
        """Confirm (True) or decline (False) each inventory unit, in one request.

        Per-unit refusals come back in ``ConfirmResult.errors``; the other units went through.
        """
        if not units:
            raise ValueError("no inventory units to confirm")
        variables = {
            "input": {
                "inventoryUnits": [
                    {"inventoryUnitId": str(unit_id), "isAvailable": bool(available)} for unit_id, available in units
                ]
            }
        }
        data, elapsed_ms = self._execute(
            documents.CONFIRM_INVENTORY_UNITS, variables, documents.CONFIRM_INVENTORY_UNITS_OPERATION
        )
        return confirm_result_from_data(data, elapsed_ms)

    def set_shipment_tracking(self, *, shipment_id: str, code: str, provider: str) -> TrackingResult:
        """Set a shipment's tracking. Letzshop may not show it back (TrackingResult.shipment may
        carry the old tracking, or none): the caller keeps what it sent."""
        variables = {"input": {"shipmentId": shipment_id, "code": code, "provider": provider}}
        data, elapsed_ms = self._execute(
            documents.SET_SHIPMENT_TRACKING, variables, documents.SET_SHIPMENT_TRACKING_OPERATION
        )
        return tracking_result_from_data(data, elapsed_ms)

    def schema(self) -> GraphQLSchema:
        """Letzshop's schema as its endpoint describes it (introspection): what
        ``letzshop_schema_check`` validates the documents of letzshop/graphql/ against."""
        data, _ = self._execute(
            gql(get_introspection_query(descriptions=False)), None, INTROSPECTION_OPERATION, rate_limit_waits=0
        )
        try:
            return build_client_schema(data)  # type: ignore[arg-type]
        except (TypeError, KeyError, ValueError) as error:
            raise ResponseError(f"Letzshop's introspection answer is not a schema: {error}") from None

    def test_connection(self) -> ConnectionTestResult:
        """Fetch one shipment to check the endpoint and the key. Never raises; never waits on a 429
        (a person is waiting for the answer)."""
        started = time.perf_counter()
        try:
            data, _ = self._execute(
                documents.SHIPMENTS,
                {"state": None, "first": 1, "after": None},
                documents.SHIPMENTS_OPERATION,
                rate_limit_waits=0,
                turn_wait=TEST_CONNECTION_TURN_WAIT,
            )
            shipment_page_from_data(data, 0.0)
        except AuthError:
            success, message = False, CONNECTION_AUTH_FAILED
        except RateLimited as error:
            success, message = False, f"Letzshop is rate limiting requests: retry after {error.retry_after} s"
        except TransientError as error:
            success, message = False, f"Letzshop is unreachable or failing: {error.message}"
        except ResponseError as error:
            success, message = False, f"Unexpected answer from Letzshop: {error.message}"
        except Exception as error:  # noqa: BLE001 - the contract is to answer, whatever happened
            logger.exception("Letzshop connection test failed unexpectedly")
            success, message = False, f"Unexpected error: {type(error).__name__}"
        else:
            success, message = True, CONNECTION_OK
        return ConnectionTestResult(
            success=success, message=message, response_time_ms=round((time.perf_counter() - started) * 1000, 1)
        )

    # -- plumbing -----------------------------------------------------------------------------

    def _connected_session(self) -> Any:
        if self._session is None:
            self._session = self._gql.connect_sync()
        return self._session

    def _execute(
        self,
        request: GraphQLRequest,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        *,
        rate_limit_waits: int | None = None,
        turn_wait: float | None = None,
    ) -> tuple[dict[str, Any], float]:
        """Send one operation; answer (data, elapsed ms including any 429 waits)."""
        waits_left = self.rate_limit_waits if rate_limit_waits is None else rate_limit_waits
        prepared = PrintedRequest(request, variable_values=variables, operation_name=operation_name)
        started = time.perf_counter()
        while True:
            if self._cancelled.is_set():
                raise Cancelled("the Letzshop client was cancelled")
            try:
                self._take_turn(turn_wait)
                data = self._timed_send(prepared, operation_name)
            except RateLimited as error:
                if waits_left <= 0:
                    raise
                waits_left -= 1
                logger.info(
                    "Letzshop rate limit on %s: waiting %s s before retrying", operation_name, error.retry_after
                )
                self._cancelled.wait(error.retry_after)
                continue
            elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
            logger.debug("Letzshop %s answered in %.0f ms", operation_name or "operation", elapsed_ms)
            return data, elapsed_ms

    def _take_turn(self, max_wait: float | None = None) -> None:
        """Wait for the key's next slot under the shared rate limit; a slot out of reach (a pause
        after a 429, or a long line of workers) is a RateLimited, as Letzshop's own 429 would be."""
        if self.limiter is None:
            return
        turn = self.limiter.reserve(self._limit_key, max_wait=max_wait)
        if not turn.granted:
            retry_after = min(max(1, math.ceil(turn.wait)), int(self.max_retry_after))
            raise RateLimited(
                f"The shared rate limit of this Letzshop key: retry after {retry_after} s", retry_after=retry_after
            )
        if turn.wait > 0:
            time.sleep(turn.wait)

    def _timed_send(self, request: GraphQLRequest, operation_name: str | None) -> dict[str, Any]:
        """``_send``, measured (letzshop.metrics) and telling ``on_refused`` of a refused key."""
        started = time.perf_counter()
        outcome = "error"
        try:
            data = self._send(request)
            outcome = "ok"
            return data
        except AuthError:
            outcome = "auth_error"
            if self.on_refused is not None:
                try:
                    self.on_refused()
                except Exception:  # noqa: BLE001 - telling must never hide the refusal itself
                    logger.exception("telling of a refused Letzshop key failed")
            raise
        except LetzshopError as error:
            outcome = _OUTCOMES.get(type(error), "error")
            if isinstance(error, RateLimited) and self.limiter is not None:
                # Letzshop's 429 pauses every worker's calls for this key, not only this one's.
                self.limiter.pause(self._limit_key, seconds=error.retry_after)
            raise
        finally:
            self.observe(operation=operation_name, outcome=outcome, seconds=time.perf_counter() - started)

    def _send(self, request: GraphQLRequest) -> dict[str, Any]:
        session = self._connected_session()
        try:
            return session.execute(request)
        except LetzshopError:
            raise
        except TransportConnectionFailed as error:
            raise self._connection_error(error) from error
        except TransportError as error:
            raise TransientError(self._transport.redact(f"Transport failure: {error}")) from error

    def _connection_error(self, error: TransportConnectionFailed) -> LetzshopError:
        cause = error.__cause__
        if isinstance(
            cause,
            requests.exceptions.InvalidURL | requests.exceptions.MissingSchema | requests.exceptions.InvalidSchema,
        ):
            # A configuration mistake, not an outage: retrying cannot help.
            return ResponseError(self._transport.redact(f"Invalid Letzshop endpoint: {cause}"))
        if isinstance(cause, requests.ConnectTimeout):
            return TransientError(f"Could not connect to Letzshop within {self.connect_timeout:g} s")
        if isinstance(cause, requests.Timeout):
            return TransientError(f"Letzshop did not answer within {self.read_timeout:g} s")
        if isinstance(cause, requests.ConnectionError):
            return TransientError(self._transport.redact(f"Connection to Letzshop failed: {cause}"))
        return TransientError(self._transport.redact(f"Request to Letzshop failed: {error}"))
