"""The import's fetch process (letzshop.imports.fetch_process): a first import's pages fetched
and mapped in a forked child, against the sandbox on a real port; the child never outlives the
run, never touches the database, and hands its failures, its turns under the key's rate limit
and a refused key to the run."""

import os
import pickle
import threading
import time

import pytest

from letzshop.client import LetzshopClient
from letzshop.client.errors import AuthError, RateLimited, ResponseError, TransientError
from letzshop.imports import fetch_process, orders_import
from letzshop.imports.match import shipments_map
from letzshop.models import LetzshopKeySlot, LetzshopOrder, LetzshopSyncLog
from notifications.models import Notification
from sandbox import DEFAULT_API_KEY


@pytest.fixture
def children(monkeypatch):
    """The pids of the fetch processes started, each one's after the fork."""
    started: list[int] = []
    start = fetch_process.FetchProcess.start

    def recorded(self):
        start(self)
        started.append(self.pid)

    monkeypatch.setattr(fetch_process.FetchProcess, "start", recorded)
    return started


def _reaped(pid: int) -> bool:
    """True once ``pid`` is no child of this process any more (it ended and was waited for)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _relays() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "letzshop-fetch-relay"]


def test_letzshop_errors_cross_a_process_boundary_whole():
    for error in (
        RateLimited("slow down", retry_after=7),
        AuthError("refused", status_code=401),
        TransientError("down", status_code=503),
        ResponseError("odd"),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and copy.__dict__ == error.__dict__ and str(copy) == str(error)
    assert pickle.loads(pickle.dumps(RateLimited("x", retry_after=7))).retry_after == 7


def test_mapped_rows_reach_the_writer_equal(letzshop_sandbox):
    letzshop_sandbox.state.reset(shipments=20, seed=4, unmatched_ratio=0.5, units_per_shipment=3)
    with LetzshopClient(api_key=DEFAULT_API_KEY, endpoint=letzshop_sandbox.url) as client:
        page = shipments_map(client.shipments_page(first=20).shipments)
    assert len(page.shipments) == 20
    copy = pickle.loads(pickle.dumps(page))
    assert copy.shipments == page.shipments  # every field, each item's and GTIN's included
    item = next(iter(copy.shipments.values())).items[0]
    assert item.gtin.is_valid in (True, False) and item.total_price == item.unit_price * item.quantity


def test_a_first_import_is_fetched_in_a_child_that_is_waited_for(sandbox_store, letzshop_sandbox, children):
    unconfirmed = sum(1 for s in letzshop_sandbox.state.shipments if s["state"] == "unconfirmed")

    result = orders_import(store=sandbox_store, triggered_by="test", page_size=7)

    assert result.status == "success" and result.orders_imported == unconfirmed
    assert LetzshopOrder.objects.filter(store=sandbox_store).count() == unconfirmed
    assert len(children) == 1 and _reaped(children[0])
    assert not _relays()  # the thread that answered the child's requests ended with it
    # A re-import probes its pages: little to map, no fork.
    again = orders_import(store=sandbox_store, triggered_by="test", page_size=7)
    assert again.orders_unchanged == unconfirmed and len(children) == 1


def test_a_failing_page_in_the_middle_ends_the_run_and_its_child(
    sandbox_store, letzshop_sandbox, children, monkeypatch
):
    from letzshop.imports import run

    walk = run.pages_walk

    def walk_failing_at_page_3(client, **kwargs):
        for number, work in enumerate(walk(client, **kwargs), start=1):
            if number == 3:
                raise ResponseError("page 3 failed")
            yield work

    monkeypatch.setattr(run, "pages_walk", walk_failing_at_page_3)  # the child runs its copy
    result = orders_import(store=sandbox_store, triggered_by="test", page_size=10)

    # Pages 1 and 2 were written; the third's failure, raised in the child, ended the run.
    assert result.status == "partial" and result.orders_imported == 20
    assert "Import stopped after 20 shipments" in result.message and "page 3 failed" in result.message
    assert LetzshopOrder.objects.filter(store=sandbox_store).count() == 20
    assert len(children) == 1 and _reaped(children[0])


def test_a_writer_failing_kills_and_waits_for_the_child(sandbox_store, letzshop_sandbox, children, monkeypatch):
    from letzshop.imports import run

    letzshop_sandbox.state.update_faults({"delay_ms": 1000})  # the child is at work when the writer fails

    def broken_write(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(run, "mapped_page_write", broken_write)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="went away"):
        orders_import(store=sandbox_store, triggered_by="test", page_size=5)

    assert time.monotonic() - started < 4  # killed, not waited for through its remaining pages
    assert len(children) == 1 and _reaped(children[0])
    log = LetzshopSyncLog.objects.get(store=sandbox_store)
    assert log.status == "failed" and "went away" in log.details["message"]


def test_the_child_never_uses_the_database(sandbox_store, letzshop_sandbox, children, monkeypatch):
    from letzshop.imports import run

    walk = run.pages_walk

    def walk_asking_the_database(client, **kwargs):
        LetzshopOrder.objects.count()  # in the child: refused before it reaches the run's socket
        yield from walk(client, **kwargs)

    monkeypatch.setattr(run, "pages_walk", walk_asking_the_database)
    with pytest.raises(RuntimeError, match="never uses the database"):
        orders_import(store=sandbox_store, triggered_by="test")
    assert len(children) == 1 and _reaped(children[0])
    assert LetzshopSyncLog.objects.get(store=sandbox_store).status == "failed"


def test_a_key_refused_in_the_child_is_told_by_the_run(sandbox_store, letzshop_sandbox, children):
    letzshop_sandbox.state.api_key = "another-key"

    result = orders_import(store=sandbox_store, triggered_by="test")

    assert result.status == "failed" and DEFAULT_API_KEY not in result.message
    assert Notification.objects.filter(kind=Notification.CREDENTIALS_REFUSED, store=sandbox_store).count() == 1
    assert len(children) == 1 and _reaped(children[0])


@pytest.mark.django_db(transaction=True)  # the turns are taken on the fetch thread's own connection
def test_the_childs_requests_take_their_turns_through_the_run(sandbox_store, letzshop_sandbox, children, settings):
    settings.LETZSHOP_RATE_LIMIT_PER_SECOND = 20
    settings.LETZSHOP_RATE_LIMIT_BACKEND = "database"
    settings.LETZSHOP_RATE_LIMIT_MARGIN = 0.0
    started = time.time()

    result = orders_import(store=sandbox_store, triggered_by="test", page_size=10)

    assert result.status == "success" and result.pages >= 3 and len(children) == 1
    # One turn per page, each 1/20 s after the last, reserved in the database by the run for the
    # child (the child itself cannot reach the database).
    slot = LetzshopKeySlot.objects.get()
    assert slot.next_at >= started + result.pages * 0.05 - 0.01
    assert _reaped(children[0])


def test_no_fork_possible_the_thread_fetches(sandbox_store, letzshop_sandbox, monkeypatch, caplog):
    def refused():
        raise BlockingIOError(11, "Resource temporarily unavailable")  # EAGAIN: the process limit

    monkeypatch.setattr(fetch_process.os, "fork", refused)
    unconfirmed = sum(1 for s in letzshop_sandbox.state.shipments if s["state"] == "unconfirmed")

    result = orders_import(store=sandbox_store, triggered_by="test", page_size=7)

    assert result.status == "success" and result.orders_imported == unconfirmed
    assert "fetching in a thread" in caplog.text


def test_a_page_that_cannot_be_read_ends_the_run_after_the_pages_before_it(
    sandbox_store, letzshop_sandbox, children, monkeypatch
):
    # The child's fetch thread reads only each page's cursor and goes on; its main thread reads
    # the shipments. A node that cannot be read fails there, with the pages before it written.
    from letzshop.client import types

    read = types.shipment_from_node
    unconfirmed = sum(1 for s in letzshop_sandbox.state.shipments if s["state"] == "unconfirmed")
    fetched = []

    def unreadable_on_page_3(node):
        fetched.append(node["id"])
        if len(fetched) == 21:
            raise ResponseError("Letzshop answered a malformed page: shipment has no id")
        return read(node)

    monkeypatch.setattr(types, "shipment_from_node", unreadable_on_page_3)  # the child runs its copy
    result = orders_import(store=sandbox_store, triggered_by="test", page_size=10)

    assert unconfirmed > 30  # more than three pages of 10
    assert result.status == "partial" and result.orders_imported == 20
    assert "malformed page" in result.message
    assert LetzshopOrder.objects.filter(store=sandbox_store).count() == 20
    assert len(children) == 1 and _reaped(children[0]) and not _relays()


def test_a_request_the_run_cannot_answer_stops_the_child(sandbox_store, letzshop_sandbox, children, monkeypatch):
    # The run's relay thread answers the child's requests; when answering fails (here the
    # metrics of a request), the child is killed and the run fails with that error.
    from letzshop.imports import run

    client_for = run.client_for

    def client_with_broken_metrics(**kwargs):
        client = client_for(**kwargs)

        def broken_observe(**observed):
            raise RuntimeError("the metrics store is gone")

        client.observe = broken_observe
        return client

    monkeypatch.setattr(run, "client_for", client_with_broken_metrics)
    letzshop_sandbox.state.update_faults({"delay_ms": 300})  # the child has pages left to fetch
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="metrics store is gone"):
        orders_import(store=sandbox_store, triggered_by="test", page_size=5)

    assert time.monotonic() - started < 4
    assert len(children) == 1 and _reaped(children[0]) and not _relays()
    assert LetzshopSyncLog.objects.get(store=sandbox_store).status == "failed"
