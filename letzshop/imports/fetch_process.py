"""The fetch process: the pages fetched, parsed and mapped in a child process forked from the
run, while the run writes.

Fetching and mapping a page is Python work, as is writing one; in two threads of one process
they take turns on the interpreter's lock, and a first import cost the sum of both. In a forked
child they run at once, on another core (docs/import.md, docs/performance.md). The child gets a
copy of everything the walk needs (the client's settings, the digests already known, the
shipments wanted) without any of it being sent, and sends back each page's mapped rows.

What the child never does: touch the database (the run's connections are the parent's; the
key's shared rate limit and a refused key are relayed to the parent, which owns them), outlive
the run (it is killed and waited for whenever the run stops reading, however it stops), or run
the interpreter's exit (it leaves with ``os._exit``: nothing of the parent's is closed or
flushed twice).
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from multiprocessing import Pipe
from multiprocessing.connection import Connection

from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created

from letzshop.client import LetzshopClient
from letzshop.client.errors import AuthError, LetzshopError, TransientError
from letzshop.client.ratelimit import Turn
from letzshop.imports.fetch import PageWork, prefetched

logger = logging.getLogger(__name__)

# What the child sends: on the pages pipe, a page, its end, a failure; on the requests pipe, a
# request for a turn under the key's rate limit, a pause Letzshop asked for, a request's metrics.
PAGE, END, FAILED, TURN, PAUSE, OBSERVED = "page", "end", "failed", "turn", "pause", "observed"

PagesWalk = Callable[[LetzshopClient], Iterator[PageWork]]
PagePrepare = Callable[[PageWork], PageWork]
# Pages the child's fetch thread may hold ahead of its mapping.
CHILD_PREFETCH_PAGES = 4
PAGES_PIPE_BYTES = 1 << 20


def fetch_process_usable() -> bool:
    """Whether a run fetches in a child process: on by default where the system can fork
    (LETZSHOP_IMPORT_FETCH_PROCESS, docs/configuration.md); else the fetch thread does it."""
    return bool(getattr(settings, "LETZSHOP_IMPORT_FETCH_PROCESS", True)) and hasattr(os, "fork")


class FetchProcess:
    """A child process walking ``walk(client)`` and sending each page once ``prepare`` mapped
    it. In the child too the work is split: a thread fetches the pages, reading only each one's
    cursor, so that the next page is asked for at once, while the main thread reads and maps
    the last one. Neither waits for the other's work under the interpreter's lock.

    The run reads the pages itself, between its writes (``batches``): a thread of the run that
    received them would take the interpreter's lock from the writer whenever a page came in.
    The child's requests that need the run at once (a turn under the key's rate limit, a pause,
    a request's metrics) come on a pipe of their own, which a small thread of the run answers.
    """

    def __init__(self, client: LetzshopClient, walk: PagesWalk, prepare: PagePrepare) -> None:
        self.client = client
        self.walk, self.prepare = walk, prepare
        self.pid: int | None = None
        self._pages: Connection | None = None
        self._requests: Connection | None = None
        self._answers: Connection | None = None
        self._relay: threading.Thread | None = None
        self._relay_stop = threading.Event()
        self._relay_error: BaseException | None = None

    def start(self) -> None:
        pages_in, pages_out = Pipe(duplex=False)
        requests_in, requests_out = Pipe(duplex=False)
        answers_in, answers_out = Pipe(duplex=False)
        _pipe_enlarge(pages_out)
        # Whatever the parent has buffered is written once, by the parent.
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError:
            for end in (pages_in, pages_out, requests_in, requests_out, answers_in, answers_out):
                end.close()
            raise
        if pid == 0:  # the child: never returns
            for end in (pages_in, requests_in, answers_out):
                end.close()
            _child_run(self.client, self.walk, self.prepare, pages_out, requests_out, answers_in)
        for end in (pages_out, requests_out, answers_in):
            end.close()
        self.pid, self._pages, self._requests, self._answers = pid, pages_in, requests_in, answers_out
        self._relay = threading.Thread(target=self._relay_requests, name="letzshop-fetch-relay", daemon=True)
        self._relay.start()

    def batches(
        self, *, batch_shipments: int, idle: Callable[[], None] | None = None, idle_every: float = 1.0
    ) -> Iterator[list[PageWork]]:
        """The pages as the child sends them, in batches: every page that waits, up to
        ``batch_shipments`` shipments (written together, in one transaction); at least one.
        While none comes, ``idle`` runs every ``idle_every`` seconds (the run's lease). The
        child's failure is raised here, after the pages it sent before it."""
        while True:
            kind, value = self._receive(idle, idle_every)
            batch: list[PageWork] = []
            size = 0
            while kind == PAGE:
                batch.append(value)
                size += value.fetched or 0
                if size >= batch_shipments or not self._waiting():
                    break
                kind, value = self._receive(None, idle_every)
            if batch:
                yield batch
            if kind == END:
                return
            if kind == FAILED:
                if isinstance(value, AuthError) and self.client.on_refused is not None:
                    self.client.on_refused()
                raise value

    def _waiting(self) -> bool:
        assert self._pages is not None
        return self._pages.poll(0)

    def _receive(self, idle: Callable[[], None] | None, idle_every: float) -> tuple[str, object]:
        assert self._pages is not None
        try:
            while not self._pages.poll(idle_every):
                if idle is not None:
                    idle()
            return self._pages.recv()
        except (EOFError, OSError):
            if self._relay_error is not None:
                raise self._relay_error from None
            raise TransientError(
                "The import's fetch process stopped unexpectedly; the next import goes on from here"
            ) from None

    def _relay_requests(self) -> None:
        """The relay thread: the child's turns, pauses and metrics, as they come; it ends with
        the child (its pipe closed) or when the run waits for the child."""
        assert self._requests is not None and self._answers is not None
        try:
            while not self._relay_stop.is_set():
                if not self._requests.poll(0.2):
                    continue
                kind, value = self._requests.recv()
                if kind == TURN:
                    self._answers.send(self._turn(*value))
                elif kind == PAUSE:
                    if self.client.limiter is not None:
                        self.client.limiter.pause(value[0], seconds=value[1])
                elif kind == OBSERVED:
                    self.client.observe(**value)
        except (EOFError, OSError):
            return  # the child ended
        except BaseException as error:  # noqa: BLE001 - the run raises it, once the child is stopped
            self._relay_error = error
            self.stop()
        finally:
            connections.close_all()  # this thread's own, if a turn or the metrics opened one

    def _turn(self, key: str, max_wait: float | None) -> Turn:
        if self.client.limiter is None:
            return Turn(granted=True, wait=0.0)
        return self.client.limiter.reserve(key, max_wait=max_wait)

    def stop(self) -> None:
        """Kill the child if it still runs (idempotent): a page it was fetching is abandoned."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def wait(self) -> None:
        """Wait for the child to end (killing it first if it still runs), then for the relay
        thread, and close the pipes: called however the run's reading ended, neither outlives it."""
        if self.pid is not None:
            self.stop()
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass  # already reaped: a process that ignores SIGCHLD has its children reaped for it
            self.pid = None
        if self._relay is not None:
            self._relay_stop.set()
            self._relay.join()
            self._relay = None
        for connection in (self._pages, self._requests, self._answers):
            if connection is not None:
                connection.close()
        self._pages = self._requests = self._answers = None


def _pipe_enlarge(connection: Connection) -> None:
    """A pipe of 1 MiB where the system allows it (64 KiB by default): a few pages wait in it
    while the run writes, instead of the child waiting for the run to read."""
    try:
        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PAGES_PIPE_BYTES)
    except (AttributeError, OSError):
        pass  # not Linux, or over the user's limit: the default size works, a little slower


# --- in the child --------------------------------------------------------------------------------


class _Sender:
    """The child's end of a pipe, one message at a time: should its two threads both send on
    one, their bytes would interleave."""

    def __init__(self, pipe: Connection) -> None:
        self.pipe = pipe
        self.lock = threading.Lock()

    def send(self, message: tuple) -> None:
        with self.lock:
            self.pipe.send(message)


class _RelayedLimiter:
    """The key's shared rate limit, as the child sees it: each turn asked of the parent (only
    the fetch thread asks, so the answers come back in order)."""

    def __init__(self, requests: _Sender, answers: Connection) -> None:
        self.requests, self.answers = requests, answers

    def reserve(self, key: str, *, max_wait: float | None = None) -> Turn:
        self.requests.send((TURN, (key, max_wait)))
        return self.answers.recv()

    def pause(self, key: str, *, seconds: float) -> None:
        self.requests.send((PAUSE, (key, seconds)))


NO_DATABASE = "the import's fetch process never uses the database: its connections are the run's"


def _no_database(execute, sql, params, many, context):
    raise RuntimeError(NO_DATABASE)


def _no_connection(sender, connection, **kwargs):
    raise RuntimeError(NO_DATABASE)


def _child_run(
    client: LetzshopClient,
    walk: PagesWalk,
    prepare: PagePrepare,
    pipe: Connection,
    requests: Connection,
    answers: Connection,
) -> None:
    code = 0
    pages = _Sender(pipe)
    asks = _Sender(requests)
    try:
        # The run's database connections came along with the fork; a query on one would talk
        # over the parent's socket. None is made, on them or on a new one (from the fetch
        # thread): a mistake fails here, loudly.
        for connection in connections.all():
            connection.execute_wrappers.append(_no_database)
        connection_created.connect(_no_connection)
        own = client.clone(
            limiter=_RelayedLimiter(asks, answers) if client.limiter is not None else None,
            on_refused=None,  # told by the parent, when the AuthError reaches it
            observe=lambda **observed: asks.send((OBSERVED, observed)),
        )
        with (
            own,
            prefetched(walk(own), depth=CHILD_PREFETCH_PAGES, batch_shipments=0, cancel=own.cancel) as fetched,
        ):
            for batch in fetched:
                for work in batch:
                    pages.send((PAGE, prepare(work)))
        pages.send((END, None))
    except BaseException as error:  # noqa: BLE001 - every failure goes to the run, which records it
        code = 1
        _failure_send(pages, error)
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _failure_send(pages: _Sender, error: BaseException) -> None:
    if not isinstance(error, LetzshopError):
        logger.exception("the import's fetch process failed")
    try:
        pages.send((FAILED, error))
    except Exception:  # noqa: BLE001 - an error that cannot be pickled is sent as its text
        try:
            pages.send((FAILED, RuntimeError(f"{type(error).__name__}: {error}")))
        except OSError:
            pass  # the run stopped reading: it killed or is killing this process
