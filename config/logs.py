"""Logs a machine can read: one JSON object per line with ``LOG_FORMAT=json`` (docs/operations.md).

Each line carries what it happened to: the request (``request_id``), the store, the sync log
row, the fulfillment queue row. These come from a context bound where the work starts (a
request, a task, a sync log row, a queue row) and kept in context variables, so that a log call
anywhere below needs no argument for them.

No line ever carries a Letzshop API key: the client registers each key it holds, and every
formatter here, plain or JSON, writes ``****`` in its place (as well as after ``Bearer``).
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

CONTEXT_FIELDS = ("request_id", "store", "sync_log", "queue_item", "task")
REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only if it is short and plain (it ends up in every log line).
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")

_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("log_context", default={})  # noqa: B039


# --- the context --------------------------------------------------------------------------


def log_context_get() -> dict[str, Any]:
    return dict(_context.get())


def log_context_bind(**values: Any) -> None:
    """Add to the current context (a request's, a task's) until it is reset."""
    _context.set({**_context.get(), **{k: v for k, v in values.items() if v is not None}})


def log_context_reset(**values: Any) -> None:
    """Start a fresh context (a new request, a new task)."""
    _context.set({k: v for k, v in values.items() if v is not None})


@contextmanager
def log_context(**values: Any) -> Iterator[None]:
    """Bind values for the duration of a block."""
    token = _context.set({**_context.get(), **{k: v for k, v in values.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def request_id_new() -> str:
    return uuid.uuid4().hex


# --- secrets never written ------------------------------------------------------------------

# Every key a client of this process has held. A process holds few (one per store it served),
# and a key stays a secret after its client is closed: a line may quote it later.
_MAX_SECRETS = 10_000
_secrets: dict[str, None] = {}
_secrets_pattern: re.Pattern | None = None
_secrets_lock = threading.Lock()


def _secrets_lock_fresh() -> None:
    # A process forked while another thread held the lock (the import's fetch process) would
    # wait for it forever: that thread is not in the child.
    global _secrets_lock
    _secrets_lock = threading.Lock()


os.register_at_fork(after_in_child=_secrets_lock_fresh)


def secret_register(value: str) -> None:
    """Keep ``value`` out of every log line written by this process from now on."""
    global _secrets_pattern
    if not value or len(value) < 4:
        return
    with _secrets_lock:
        if value in _secrets:
            return
        _secrets[value] = None
        while len(_secrets) > _MAX_SECRETS:
            del _secrets[next(iter(_secrets))]
        ordered = sorted(_secrets, key=len, reverse=True)
        _secrets_pattern = re.compile("|".join(re.escape(secret) for secret in ordered))


def redact(text: str) -> str:
    if not text:
        return text
    pattern = _secrets_pattern
    if pattern is not None:
        text = pattern.sub("****", text)
    return _BEARER.sub(r"\1****", text)


class ContextFilter(logging.Filter):
    """Puts the bound context on every record, for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        for name in CONTEXT_FIELDS:
            if not hasattr(record, name):
                setattr(record, name, context.get(name))
        return True


class PlainFormatter(logging.Formatter):
    """The human format of ``make run``, with the request id and the store when known."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        context = [f"{name}={getattr(record, name)}" for name in CONTEXT_FIELDS if getattr(record, name, None)]
        if context:
            text = f"{text} [{' '.join(context)}]"
        return redact(text)


class JsonFormatter(_LibraryJsonFormatter):
    """One JSON object per line: time, level, logger, message, the context, any ``extra``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger", "asctime": "time"})
        kwargs.setdefault("timestamp", False)
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", *args, **kwargs)

    def add_fields(self, log_record: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_record, record, message_dict)
        for name in CONTEXT_FIELDS:
            log_record[name] = getattr(record, name, None)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """``LOGGING`` for the settings: ``plain`` (default) or ``json``."""
    formatter = "json" if log_format == "json" else "plain"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "config.logs.ContextFilter"}},
        "formatters": {
            "plain": {"()": "config.logs.PlainFormatter", "format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "config.logs.JsonFormatter"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": formatter, "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # gql logs whole payloads at DEBUG; keep it quiet whatever the root level.
            "gql": {"level": "WARNING"},
            "urllib3": {"level": "WARNING"},
        },
    }


# --- requests -------------------------------------------------------------------------------


class RequestIdMiddleware:
    """Each request gets an id (the caller's ``X-Request-ID`` if it is a plain short one), bound to
    its log lines and answered in the same header."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else request_id_new()
        request.request_id = request_id
        # A fresh context for each request; it is left in place after the response, since Django
        # logs a failed request's line (django.request) once the middleware has returned.
        _context.set({"request_id": request_id})
        response = self.get_response(request)
        response.headers[REQUEST_ID_HEADER] = request_id
        return response
