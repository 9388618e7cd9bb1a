"""Fetching: a state's pages walked to the last one (probed first on a re-import), fetched and
mapped in a thread ahead of the writer, a thread that never outlives the client it uses."""

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from letzshop.client.errors import ResponseError
from letzshop.client.types import Shipment, ShipmentPageAnswer, ShipmentState
from letzshop.imports.match import MappedPage
from letzshop.models import LetzshopOrder
from letzshop.services.mapping import change_digest
from stores.models import Store

STATE_UNCONFIRMED = "unconfirmed"
STATE_CONFIRMED = "confirmed"
# Pages fetched ahead of the writing, and the most shipments written in one transaction when
# several fetched pages wait (a page larger than that is still written whole).
PREFETCH_PAGES = 8
BATCH_SHIPMENTS = 1000


@dataclass(frozen=True)
class PageWork:
    """One page of a state: the ids it holds, and its shipments if it was fetched whole."""

    seen: tuple[str, ...]
    shipments: tuple[Shipment, ...] = ()
    mapped: MappedPage | None = None  # its shipments mapped, in the fetch thread
    # The shipments of a fetched page that its probe found new or changed (None: all); the
    # others are left unmapped and counted unchanged.
    wanted: frozenset[str] | None = None
    skipped: int = 0  # fetched, not wanted
    # How many shipments the page held fetched whole (by default, its shipments): kept once
    # they are mapped and dropped (the fetch process sends the rows, not the shipments).
    fetched: int | None = None
    # A page fetched whole whose shipments are not read yet (``read()`` reads them): the walk
    # goes on to the next page with the cursor alone, while another thread reads this one.
    answer: ShipmentPageAnswer | None = None

    def __post_init__(self) -> None:
        if self.fetched is None:
            object.__setattr__(self, "fetched", len(self.shipments))

    def read(self) -> "PageWork":
        """The page with its shipments read from the answer (itself if they were)."""
        if self.answer is None:
            return self
        shipments = self.answer.page().shipments
        return replace(self, seen=tuple(s.id for s in shipments), shipments=shipments, fetched=None, answer=None)


@contextmanager
def prefetched(
    pages: Iterator[PageWork],
    *,
    depth: int,
    batch_shipments: int,
    idle: Callable[[], None] | None = None,
    idle_every: float = 1.0,
    cancel: Callable[[], None] | None = None,
    resume: Callable[[], None] | None = None,
) -> Iterator[Iterator[list[PageWork]]]:
    """Take the next pages in a thread while the caller uses the current ones: in the run,
    ``pages`` fetches and maps them while the writer writes (when there is no fetch process);
    in the fetch process, it only fetches them (their cursors read) while the child's main
    thread reads and maps them (letzshop.imports.fetch_process).

    A context manager: however the block ends (the last page, a failed page, an error of the
    writer), the thread is stopped, ``cancel`` called if it is still at work (the client: no
    further call, no wait for a Retry-After) and the thread waited for, so that it never
    outlives the client it uses (a request already sent ends with its answer or the client's
    read timeout); then ``resume`` makes the client usable again for the run's next walk.

    Yields, as one batch, every page fetched and not yet taken (at least one; no more pages once
    the batch holds ``batch_shipments`` shipments): when writing is the slower side, the pages
    that wait are written together, in one transaction, which costs the database fewer
    statements and commits per shipment than one transaction per page.
    """
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for page in pages:
                if not put(page):
                    return
            put(done)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)

    def wait() -> Any:
        """The next item; while none comes (a slow Letzshop), ``idle`` runs every ``idle_every``
        seconds: the run's lease stays renewed whatever the network does."""
        while True:
            try:
                return buffer.get(timeout=idle_every)
            except queue.Empty:
                if idle:
                    idle()

    def batches() -> Iterator[list[PageWork]]:
        try:
            pending = wait()
            while pending is not done:
                if isinstance(pending, BaseException):
                    raise pending
                batch, size, pending = [pending], pending.fetched, None
                while pending is None and size < batch_shipments:
                    try:
                        item = buffer.get_nowait()
                    except queue.Empty:
                        break
                    if item is done or isinstance(item, BaseException):
                        pending = item  # the pages before the end, or before an error, go first
                    else:
                        batch.append(item)
                        size += item.fetched
                yield batch
                if pending is None:
                    pending = wait()
        finally:
            stop.set()

    # Started here, not at the first batch asked for: the first page is on its way meanwhile.
    thread = threading.Thread(target=produce, name="letzshop-prefetch", daemon=True)
    thread.start()
    iterator = batches()
    try:
        yield iterator
    finally:
        stop.set()
        cancelled = thread.is_alive() and cancel is not None
        if cancelled:
            cancel()
        iterator.close()
        thread.join()
        if cancelled and resume is not None:
            resume()


def pages_walk(
    client,
    *,
    state: str,
    page_size: int,
    needs_fetch: Callable[[ShipmentState], bool] | None,
    adaptive: bool,
    probe_size: int | None = None,
) -> Iterator[PageWork]:
    """Walk a state's pages to the last one.

    Without ``needs_fetch`` every page is fetched whole, and only its cursor read: the walk
    asks for the next page at once, and whoever takes the page reads its shipments
    (``PageWork.read``), in the fetch process while the next page is on its way. With it, a
    page is first asked for with the light ``ShipmentStates`` query and fetched whole only if
    ``needs_fetch`` wants one of its shipments; ``adaptive`` stops probing once a probe finds
    mostly new shipments (a store catching up), where probing would only add a request per page.

    Probes ask for ``probe_size`` shipments at once (None or 0: ``page_size``; never fewer), and
    a probe page that wants one is fetched whole with the same size, so that it covers the same
    shipments: an unchanged store costs a round trip per ``probe_size`` shipments, which is what
    a re-import waits for where Letzshop is slow to answer (docs/performance.md). Should
    Letzshop cap the size, both answers are capped alike and the walk goes on with the cursors.
    """
    after: str | None = None
    cursors: set[str] = set()
    probing = needs_fetch is not None
    probe_first = max(page_size, probe_size or page_size)
    while True:
        if probing:
            probe = client.shipment_states_page(state=state, first=probe_first, after=after)
            changed = {shipment.id for shipment in probe.states if needs_fetch(shipment)}
            if adaptive and len(changed) * 2 > len(probe.states):
                probing = False
            if changed:
                page = client.shipments_page(state=state, first=probe_first, after=after)
                # A shipment the probe did not list (the page moved in between) is wanted too.
                probed = {shipment.id for shipment in probe.states}
                changed |= {s.id for s in page.shipments if s.id not in probed}
                yield PageWork(
                    seen=tuple(s.id for s in page.shipments), shipments=page.shipments, wanted=frozenset(changed)
                )
                has_next, end_cursor = page.has_next_page, page.end_cursor
            else:
                yield PageWork(seen=tuple(s.id for s in probe.states))
                has_next, end_cursor = probe.has_next_page, probe.end_cursor
        else:
            # Only the cursor is read here: the shipments are read by whoever takes the page.
            answer = client.shipments_page_answer(state=state, first=page_size, after=after)
            yield PageWork(seen=(), answer=answer)
            has_next, end_cursor = answer.has_next_page, answer.end_cursor
        if not has_next:
            return
        if end_cursor in cursors:
            raise ResponseError(f"Letzshop repeated the page cursor {end_cursor!r}: stopping the pagination")
        cursors.add(end_cursor)
        after = end_cursor


def probe_changed(known: dict[str, str]) -> Callable[[ShipmentState], bool]:
    def needs_fetch(shipment: ShipmentState) -> bool:
        return known.get(shipment.id) != change_digest(shipment.raw)

    return needs_fetch


def known_digests(*, store: Store, state: str) -> dict[str, str]:
    return dict(
        LetzshopOrder.objects.filter(store=store, letzshop_state=state)
        .order_by()
        .values_list("letzshop_shipment_id", "state_digest")
    )
