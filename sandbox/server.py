"""HTTP around SandboxState: POST /graphql plus JSON control endpoints under /_sandbox/.

HTTP/1.1 with exact Content-Length on every answer, so that clients keep their connections alive
(the import benchmark fetches thousands of shipments through here). Each answer goes out in a
single write with Nagle's algorithm off: headers and body in separate small writes would meet the
client's delayed ACK and cost tens of milliseconds per request.
"""

from __future__ import annotations

import json
import logging
import socket
import socketserver
import threading
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from .fleet import StoreFleet
from .state import JSON_HEADERS, DroppedConnection, Response, SandboxState

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SandboxState | StoreFleet, verbose: bool) -> None:
        self.state = state
        self.verbose = verbose
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.address_family = family
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall for seconds without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        """Wake the handler threads that wait on idle keep-alive connections."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "letzshop-sandbox"
    disable_nagle_algorithm = True
    # An idle keep-alive connection is closed after this many seconds.
    timeout = 120
    server: _HTTPServer

    # -- plumbing -----------------------------------------------------------------------------

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.verbose:
            logger.info("%s %s", self.address_string(), format % args)

    def _read_body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            size = int(length)
        except ValueError:
            return None
        if size < 0 or size > MAX_BODY_BYTES:
            return None
        return self.rfile.read(size)

    def _send(self, response: Response) -> None:
        status, headers, body = response
        if isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        lines = [f"HTTP/1.1 {status} {reason}", f"Server: {self.server_version}", f"Date: {formatdate(usegmt=True)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(data)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            self.wfile.write(head + data)
        except OSError:
            # The client gave up (a scripted timeout outlasted its read timeout): nothing to tell it.
            self.close_connection = True
            return
        self.log_request(status)

    def _json(self, status: int, body: Any) -> None:
        self._send((status, JSON_HEADERS, body))

    def _json_body(self, body: bytes) -> dict[str, Any] | None:
        try:
            value = json.loads(body or b"{}")
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    # -- routes -------------------------------------------------------------------------------

    def do_POST(self) -> None:  # noqa: N802
        body = self._read_body()
        path = urlsplit(self.path).path.rstrip("/")
        if body is None:
            self.close_connection = True
            self._json(413, {"errors": [{"message": "Missing or invalid Content-Length"}]})
            return
        state = self.server.state
        if path == "/graphql":
            try:
                response = state.execute_http(body, self.headers.get("Authorization"))
            except DroppedConnection:
                self.close_connection = True
                return
            self._send(response)
        elif path in ("/_sandbox/faults", "/_sandbox/reset"):
            changes = self._json_body(body)
            if changes is None:
                self._json(400, {"error": "expected a JSON object"})
                return
            try:
                result = state.update_faults(changes) if path.endswith("faults") else state.reset(**changes)
            except (TypeError, ValueError) as error:
                self._json(400, {"error": str(error)})
                return
            self._json(200, result)
        elif path.startswith("/_sandbox/shipments/"):
            changes = self._json_body(body)
            if changes is None or not isinstance(changes.get("order"), dict):
                self._json(400, {"error": 'expected {"order": {...}}'})
                return
            try:
                detail = state.shipment_edit(unquote(path.removeprefix("/_sandbox/shipments/")), changes["order"])
            except ValueError as error:
                self._json(400, {"error": str(error)})
                return
            if detail is None:
                self._json(404, {"error": "no such shipment"})
            else:
                self._json(200, detail)
        else:
            self._json(404, {"error": f"no such endpoint: POST {path}"})

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path.rstrip("/")
        state = self.server.state
        if path == "/_sandbox/state":
            self._json(200, state.summary())
        elif path == "/_sandbox/requests":
            self._json(200, {"requests": state.request_log()})
        elif path == "/_sandbox/keys" and isinstance(state, StoreFleet):
            self._json(200, {"keys": state.key_stats()})
        elif path == "/_sandbox/appeared" and isinstance(state, StoreFleet):
            self._json(200, {"appeared": state.appeared()})
        elif path.startswith("/_sandbox/shipments/"):
            detail = state.shipment_detail(unquote(path.removeprefix("/_sandbox/shipments/")))
            if detail is None:
                self._json(404, {"error": "no such shipment"})
            else:
                self._json(200, detail)
        elif path == "/graphql":
            self._json(405, {"errors": [{"message": "Use POST"}]})
        else:
            self._json(404, {"error": f"no such endpoint: GET {path}"})


class SandboxServer:
    """Serves a SandboxState over HTTP, in a background thread (``start``) or in the caller's
    (``serve_forever``)."""

    def __init__(
        self,
        state: SandboxState | StoreFleet | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        verbose: bool = False,
    ) -> None:
        self.state = state if state is not None else SandboxState()
        self._httpd = _HTTPServer((host, port), self.state, verbose)
        self.host = host
        self.port: int = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/graphql"

    def start(self) -> SandboxServer:
        if self._thread is None:
            self.state.stop_event.clear()
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="letzshop-sandbox", daemon=True
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.state.stop_event.clear()
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self.state.stop_event.set()
            self._httpd.close_open_connections()
            self._httpd.server_close()

    def stop(self) -> None:
        self.state.stop_event.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.close_open_connections()
        self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<SandboxServer {self.url}>"
