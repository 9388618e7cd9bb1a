"""The order import against the sandbox on a real port."""

from collections import Counter
from decimal import Decimal

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exceptions.models import OrderItemException
from letzshop.client import LetzshopClient
from letzshop.imports import import_lock_acquire, orders_import, shipments_page_upsert
from letzshop.models import LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials
from orders.models import Order, OrderItem
from sandbox import DEFAULT_API_KEY, catalog_gtin14s, demo_catalog, gtin14
from stores.services import placeholder_product_get

pytestmark = pytest.mark.django_db


def _unconfirmed(sandbox) -> list[dict]:
    return [s for s in sandbox.state.shipments if s["state"] == "unconfirmed"]


def _expected_items(shipment: dict) -> dict[str, int]:
    """variant id → number of units, read straight from the seeded data."""
    return dict(Counter(unit["variant"]["id"] for unit in shipment["inventoryUnits"]))


def _expected_exception_type(unit: dict) -> str | None:
    """Independent of our matcher: the sandbox's own GTIN normaliser and the catalog."""
    trade_id = unit["variant"]["tradeId"]
    number = trade_id["number"] if trade_id else None
    normalized = gtin14(number) if number else None
    if normalized is None:
        return "gtin_mismatch"
    matches = [p for p in demo_catalog() if gtin14(p["gtin"]) == normalized]
    if not matches:
        return "product_not_found"
    return "duplicate_gtin" if len(matches) > 1 else None


def test_a_first_import_brings_in_every_unconfirmed_shipment(sandbox_store, letzshop_sandbox):
    result = orders_import(store=sandbox_store, triggered_by="7")
    seeded = _unconfirmed(letzshop_sandbox)
    assert result.status == "success", result.errors
    assert result.orders_imported == len(seeded) > 20
    assert result.message == f"Import completed: {len(seeded)} imported, 0 updated"
    assert LetzshopOrder.objects.filter(store=sandbox_store).count() == len(seeded)

    expected_exceptions = Counter()
    for shipment in seeded:
        order = LetzshopOrder.objects.select_related("local_order").get(letzshop_shipment_id=shipment["id"])
        local = order.local_order
        assert local.channel == Order.Channel.LETZSHOP and local.store_id == sandbox_store.pk
        assert order.letzshop_order_number == shipment["order"]["number"] == local.external_order_number
        assert local.shipment_number == shipment["number"]
        assert order.customer_email == shipment["order"]["email"]
        ship = shipment["order"]["shipAddress"]
        assert (local.customer_first_name, local.customer_last_name) == (ship["firstName"], ship["lastName"])
        assert local.shipping_country == ship["country"]["iso"]
        items = {item.external_variant_id: item for item in local.items.all()}
        assert {key: item.quantity for key, item in items.items()} == _expected_items(shipment)
        unit_total = sum(Decimal(str(u["variant"]["price"])) for u in shipment["inventoryUnits"])
        assert local.total_amount == order.total_amount == unit_total.quantize(Decimal("0.01"))
        assert sorted(u["id"] for u in order.inventory_units) == sorted(u["id"] for u in shipment["inventoryUnits"])
        for unit in shipment["inventoryUnits"]:
            item = items[unit["variant"]["id"]]
            assert unit["id"] in item.inventory_unit_ids
            kind = _expected_exception_type(unit)
            assert item.needs_product_match is (kind is not None)
            if kind:
                assert item.exception.exception_type == kind
                assert item.product.is_placeholder
            else:
                assert item.product.gtin_normalized in catalog_gtin14s()
        for item in items.values():
            if item.needs_product_match:
                expected_exceptions[item.exception.exception_type] += 1
    assert expected_exceptions == Counter(
        OrderItemException.objects.filter(store=sandbox_store).values_list("exception_type", flat=True)
    )
    assert set(expected_exceptions) == {"product_not_found", "gtin_mismatch", "duplicate_gtin"}
    assert result.exceptions_created == sum(expected_exceptions.values())

    log = LetzshopSyncLog.objects.get(pk=result.sync_log_id)
    assert (log.operation_type, log.direction, log.status, log.triggered_by) == (
        "order_import",
        "inbound",
        "success",
        "7",
    )
    assert log.records_succeeded == len(seeded) and log.completed_at is not None
    credentials = StoreLetzshopCredentials.objects.get(store=sandbox_store)
    assert credentials.last_sync_status == "success" and credentials.last_sync_at == log.completed_at
    assert credentials.import_started_at is None


def test_a_second_import_changes_nothing(sandbox_store, letzshop_sandbox):
    first = orders_import(store=sandbox_store, triggered_by="command")
    counts = (
        LetzshopOrder.objects.count(),
        Order.objects.count(),
        OrderItem.objects.count(),
        OrderItemException.objects.count(),
    )
    second = orders_import(store=sandbox_store, triggered_by="command")
    assert (second.orders_imported, second.orders_updated) == (0, 0)
    assert second.orders_unchanged == first.orders_imported
    assert second.message == "Import completed: 0 imported, 0 updated"
    assert counts == (
        LetzshopOrder.objects.count(),
        Order.objects.count(),
        OrderItem.objects.count(),
        OrderItemException.objects.count(),
    )


def test_shipments_confirmed_or_declined_on_letzshop_are_updated(sandbox_store, letzshop_sandbox):
    orders_import(store=sandbox_store, triggered_by="command")
    confirmed, declined = _unconfirmed(letzshop_sandbox)[:2]
    with LetzshopClient(api_key=DEFAULT_API_KEY, endpoint=letzshop_sandbox.url) as client:
        client.confirm_inventory_units([(u["id"], True) for u in confirmed["inventoryUnits"]])
        client.confirm_inventory_units([(u["id"], False) for u in declined["inventoryUnits"]])
    result = orders_import(store=sandbox_store, triggered_by="command")
    assert result.orders_updated == 2 and result.orders_imported == 0
    one = LetzshopOrder.objects.select_related("local_order").get(letzshop_shipment_id=confirmed["id"])
    two = LetzshopOrder.objects.select_related("local_order").get(letzshop_shipment_id=declined["id"])
    assert (one.letzshop_state, one.sync_status, one.local_order.status) == ("confirmed", "confirmed", "confirmed")
    assert (two.letzshop_state, two.sync_status, two.local_order.status) == ("confirmed", "rejected", "rejected")
    assert {u["state"] for u in two.inventory_units} == {"confirmed_unavailable"}


def test_a_historical_import_also_brings_confirmed_shipments(sandbox_store, letzshop_sandbox):
    result = orders_import(store=sandbox_store, triggered_by="command", include_confirmed=True)
    confirmed = [s for s in letzshop_sandbox.state.shipments if s["state"] == "confirmed"]
    assert confirmed
    assert result.orders_imported == len(_unconfirmed(letzshop_sandbox)) + len(confirmed)
    assert LetzshopOrder.objects.filter(letzshop_state="confirmed").count() == len(confirmed)


def test_a_shipment_that_cannot_be_mapped_is_reported_and_the_rest_go_on(sandbox_store, letzshop_sandbox):
    broken = _unconfirmed(letzshop_sandbox)[3]
    broken["inventoryUnits"] = []
    result = orders_import(store=sandbox_store, triggered_by="command")
    assert result.status == "partial"
    assert result.errors == [
        {"shipment_id": broken["id"], "error": "Could not map the shipment: the shipment has no inventory units"}
    ]
    assert result.orders_imported == len(_unconfirmed(letzshop_sandbox)) - 1
    assert LetzshopSyncLog.objects.get(pk=result.sync_log_id).records_failed == 1


def test_a_refused_key_fails_with_a_clear_message(sandbox_store, letzshop_sandbox):
    letzshop_sandbox.state.api_key = "another-key"
    result = orders_import(store=sandbox_store, triggered_by="command")
    assert result.status == "failed"
    assert "API key" in result.message or "Unauthorized" in result.message
    assert DEFAULT_API_KEY not in result.message
    credentials = StoreLetzshopCredentials.objects.get(store=sandbox_store)
    assert credentials.last_sync_status == "failed" and credentials.last_sync_error
    assert credentials.import_started_at is None  # the lease was released


def test_a_second_run_while_one_runs_returns_at_once(sandbox_store):
    assert import_lock_acquire(store=sandbox_store) is not None
    result = orders_import(store=sandbox_store, triggered_by="command")
    assert result.status == "already_running"
    assert "already running" in result.message
    assert LetzshopOrder.objects.count() == 0


def test_queries_per_page_do_not_grow_with_the_page_size(sandbox_store, letzshop_sandbox):
    letzshop_sandbox.state.reset(shipments=120, seed=5, unmatched_ratio=0.5, units_per_shipment=3)
    placeholder = placeholder_product_get(store=sandbox_store).pk
    with LetzshopClient(api_key=DEFAULT_API_KEY, endpoint=letzshop_sandbox.url) as client:
        small = client.shipments_page(first=10).shipments
        large = client.shipments_page(first=100, after=None).shipments[10:100]
    counts = []
    for shipments in (small, large):
        with CaptureQueriesContext(connection) as captured:
            outcome = shipments_page_upsert(store=sandbox_store, shipments=shipments, placeholder_id=placeholder)
        assert outcome.imported == len(shipments)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts
    for shipments in (small, large):  # and unchanged pages cost one read
        with CaptureQueriesContext(connection) as captured:
            assert shipments_page_upsert(store=sandbox_store, shipments=shipments, placeholder_id=placeholder).unchanged
        assert len([q for q in captured.captured_queries if q["sql"].startswith("SELECT")]) == 1


def test_a_product_arriving_while_a_page_is_written_still_matches(sandbox_store, letzshop_sandbox):
    """The catalog gains the missing product just after the page read the catalog: the page's
    own auto-match, after its commit, resolves the exception it created."""
    from django.db import connection

    from stores.models import Product

    letzshop_sandbox.state.reset(shipments=20, seed=3, unmatched_ratio=1.0, units_per_shipment=1)
    placeholder = placeholder_product_get(store=sandbox_store).pk
    with LetzshopClient(api_key=DEFAULT_API_KEY, endpoint=letzshop_sandbox.url) as client:
        shipments = client.shipments_page(first=20).shipments
    missing = next(
        s.inventory_units[0].variant.trade_id.number
        for s in shipments
        if s.inventory_units[0].variant.trade_id and gtin14(s.inventory_units[0].variant.trade_id.number)
    )

    arrived = []

    def add_product_after_the_catalog_read(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('SELECT "stores_product"."gtin_normalized"') and not arrived:
            arrived.append(True)
            Product.objects.create(
                store=sandbox_store, name="Arrived late", sku="LATE-1", gtin=missing, gtin_normalized=gtin14(missing)
            )
        return result

    with connection.execute_wrapper(add_product_after_the_catalog_read):
        outcome = shipments_page_upsert(store=sandbox_store, shipments=shipments, placeholder_id=placeholder)
    assert outcome.exceptions_created > 0
    late = OrderItemException.objects.filter(store=sandbox_store, gtin_normalized=gtin14(missing))
    assert late.exists() and all(e.status == "resolved" for e in late)
    assert all(e.resolved_product.sku == "LATE-1" for e in late)


def test_pages_waiting_to_be_written_are_taken_together_up_to_the_batch_size():
    """When writing is the slower side, the pages fetched meanwhile go in one transaction."""
    import threading

    from letzshop.imports import PageWork, prefetched

    all_fetched = threading.Event()

    def pages():
        for number in range(7):
            yield PageWork(seen=(f"s{number}a", f"s{number}b"), shipments=(object(), object()))
        all_fetched.set()

    with prefetched(pages(), depth=10, batch_shipments=5) as batches:
        assert all_fetched.wait(5)  # the writer is late: every page waits
        sizes = [len(batch) for batch in batches]
    assert sizes == [3, 3, 1]  # 2 + 2 + 2 shipments reach 5: the batch is closed


def test_a_fetch_error_reaches_the_writer_after_the_pages_before_it():
    from letzshop.client.errors import ResponseError
    from letzshop.imports import PageWork, prefetched

    def pages():
        yield PageWork(seen=("s1",), shipments=(object(),))
        raise ResponseError("the second page failed")

    taken = []
    with (
        pytest.raises(ResponseError, match="second page"),
        prefetched(pages(), depth=4, batch_shipments=100) as batches,
    ):
        for batch in batches:
            taken += batch
    assert [work.seen for work in taken] == [("s1",)]


@pytest.mark.skipif(connection.display_name != "PostgreSQL", reason="a PostgreSQL setting")
def test_pages_commit_without_waiting_for_the_disk_and_the_outcome_waits_again(sandbox_store, letzshop_sandbox):
    letzshop_sandbox.state.reset(shipments=30, seed=4)

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    before = setting()
    during = []
    result = orders_import(
        store=sandbox_store, triggered_by="command", page_size=10, progress=lambda _: during.append(setting())
    )
    assert result.orders_imported == len(_unconfirmed(letzshop_sandbox))
    assert during and set(during) == {"off"}
    assert setting() == before == "on"


def test_the_raw_shipment_is_stored_as_received_and_read_back_as_data(sandbox_store, letzshop_sandbox):
    letzshop_sandbox.state.reset(shipments=12, seed=6)
    orders_import(store=sandbox_store, triggered_by="command")
    seeded = {s["id"]: s for s in _unconfirmed(letzshop_sandbox)}
    stored = list(LetzshopOrder.objects.filter(store=sandbox_store))
    assert stored and len(stored) == len(seeded)
    for row in stored:
        raw = row.raw_order_data
        assert raw["id"] == row.letzshop_shipment_id
        assert raw["number"] == seeded[row.letzshop_shipment_id]["number"]
        assert [unit["id"] for unit in raw["inventoryUnits"]] == [
            unit["id"] for unit in seeded[row.letzshop_shipment_id]["inventoryUnits"]
        ]
    # The ORM writes it too (an admin edit, a fixture), and reads back the same data.
    row = stored[0]
    row.raw_order_data = {"id": row.letzshop_shipment_id, "note": "édité"}
    row.save(update_fields=["raw_order_data"])
    row.refresh_from_db()
    assert row.raw_order_data == {"id": row.letzshop_shipment_id, "note": "édité"}
    if connection.display_name == "PostgreSQL":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = 'letzshop_orders'::regclass AND attname = 'raw_order_data'"
            )
            assert cursor.fetchone()[0] == "json"


def test_every_change_of_what_is_stored_arrives_on_the_next_import(sandbox_store, letzshop_sandbox):
    """Not only states: the customer's e-mail, an address, a unit's variant and price, and the
    next import counts them as updated and logs what changed of each."""
    orders_import(store=sandbox_store, triggered_by="command")
    emailed, moved, repriced = _unconfirmed(letzshop_sandbox)[:3]
    edit = f"{letzshop_sandbox.base_url}/_sandbox/shipments"
    requests.post(f"{edit}/{emailed['id']}", json={"order": {"email": "new.address@example.lu"}}, timeout=5)
    address = {"streetName": "Rue Neuve", "city": "Ettelbruck"}
    requests.post(f"{edit}/{moved['id']}", json={"order": {"shipAddress": address}}, timeout=5)
    unit = repriced["inventoryUnits"][0]
    unit["variant"] = {**unit["variant"], "price": (unit["variant"]["price"] or 0) + 1.5}

    result = orders_import(store=sandbox_store, triggered_by="command")

    assert (result.orders_imported, result.orders_updated) == (0, 3)
    assert result.orders_unchanged == LetzshopOrder.objects.filter(store=sandbox_store).count() - 3
    one = LetzshopOrder.objects.select_related("local_order").get(letzshop_shipment_id=emailed["id"])
    assert one.customer_email == one.local_order.customer_email == "new.address@example.lu"
    two = LetzshopOrder.objects.select_related("local_order").get(letzshop_shipment_id=moved["id"])
    assert two.local_order.shipping_address["street_name"] == "Rue Neuve"
    assert two.local_order.shipping_address["city"] == "Ettelbruck"
    three = LetzshopOrder.objects.select_related("local_order").get(letzshop_shipment_id=repriced["id"])
    item = three.local_order.items.get(external_variant_id=unit["variant"]["id"])
    assert item.unit_price == Decimal(str(unit["variant"]["price"])).quantize(Decimal("0.01"))
    log = LetzshopSyncLog.objects.get(pk=result.sync_log_id)
    changes = {change["shipment_id"]: change["fields"] for change in log.details["changes"]}
    assert "customer_email" in changes[emailed["id"]]
    assert "shipping_address" in changes[moved["id"]] and "customer_email" not in changes[moved["id"]]
    assert "items" in changes[repriced["id"]] and "total_amount" in changes[repriced["id"]]
    assert log.details["changed_fields"]["customer_email"] == 1

    again = orders_import(store=sandbox_store, triggered_by="command")
    assert (again.orders_updated, again.pages) == (0, result.pages)  # nothing left to fetch whole


def test_the_probe_and_the_full_page_give_the_same_digest(sandbox_store, letzshop_sandbox):
    from letzshop.services.mapping import change_digest

    with LetzshopClient(api_key=DEFAULT_API_KEY, endpoint=letzshop_sandbox.url) as client:
        full = client.shipments_page(state="unconfirmed", first=20)
        probe = client.shipment_states_page(state="unconfirmed", first=20)
    assert [s.id for s in full.shipments] == [s.id for s in probe.states]
    assert [change_digest(s.raw) for s in full.shipments] == [change_digest(s.raw) for s in probe.states]
    # The probe leaves the product data out, and that alone.
    variant = probe.states[0].raw["inventoryUnits"][0]["variant"]
    assert set(variant) == {"id", "price"}


def test_an_updated_shipment_keeps_its_new_raw_data(sandbox_store, letzshop_sandbox):
    orders_import(store=sandbox_store, triggered_by="command")
    shipment = _unconfirmed(letzshop_sandbox)[0]
    edit = f"{letzshop_sandbox.base_url}/_sandbox/shipments/{shipment['id']}"
    requests.post(edit, json={"order": {"email": "raw@example.lu"}}, timeout=5)
    orders_import(store=sandbox_store, triggered_by="command")
    row = LetzshopOrder.objects.get(letzshop_shipment_id=shipment["id"])
    assert row.raw_order_data["order"]["email"] == "raw@example.lu"


class PagedAnswer:
    """A page answered, its shipments read when asked (as ShipmentPageAnswer's)."""

    def __init__(self, page):
        self.has_next_page, self.end_cursor, self._page = page.has_next_page, page.end_cursor, page

    def page(self):
        return self._page


class PagedClient:
    """A client serving pages fetched before, failing the page numbered ``fail_at`` (counted
    from 0), or, with ``hang_at``, waiting there until cancelled; it counts calls made after it
    was closed."""

    def __init__(self, pages, *, fail_at=None, hang_at=None):
        import threading

        self.pages, self.fail_at, self.hang_at = pages, fail_at, hang_at
        self.closed = False
        self.calls_after_close = 0
        self.cancels = 0
        self._cancelled = threading.Event()

    def shipments_page(self, *, state, first, after):
        from dataclasses import replace

        from letzshop.client import Cancelled, TransientError

        if self.closed:
            self.calls_after_close += 1
        index = int(after or 0)
        if index == self.fail_at:
            raise TransientError(f"page {index + 1} failed")
        if index == self.hang_at:
            self._cancelled.wait(30)
            raise Cancelled("cancelled while waiting")
        last = index + 1 >= len(self.pages)
        return replace(self.pages[index], has_next_page=not last, end_cursor=None if last else str(index + 1))

    def shipments_page_answer(self, *, state, first, after):
        return PagedAnswer(self.shipments_page(state=state, first=first, after=after))

    def cancel(self):
        self.cancels += 1
        self._cancelled.set()

    def resume(self):
        self._cancelled.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.closed = True


def _prefetch_threads():
    import threading

    return [thread for thread in threading.enumerate() if thread.name == "letzshop-prefetch"]


def _pages_of(sandbox, count: int, size: int):
    sandbox.state.reset(shipments=count, seed=3)
    with LetzshopClient(api_key=DEFAULT_API_KEY, endpoint=sandbox.url) as client:
        return list(client.iter_shipment_pages(page_size=size))


def test_a_failing_page_in_the_middle_ends_the_run_and_its_fetch_thread(
    sandbox_store, letzshop_sandbox, monkeypatch, settings
):
    from letzshop.imports import run as imports

    settings.LETZSHOP_IMPORT_FETCH_PROCESS = False  # the fetch thread, with a client in this process
    pages = _pages_of(letzshop_sandbox, 60, 10)
    client = PagedClient(pages, fail_at=2)
    monkeypatch.setattr(imports, "client_for", lambda credentials: client)

    result = orders_import(store=sandbox_store, triggered_by="test", page_size=10)

    written = sum(len(page.shipments) for page in pages[:2])
    assert result.status == "partial" and "page 3 failed" in result.message
    assert result.orders_imported == written == LetzshopOrder.objects.filter(store=sandbox_store).count()
    assert _prefetch_threads() == [] and client.calls_after_close == 0


def test_a_writer_failing_while_a_page_is_fetched_cancels_and_waits_for_the_fetch(
    sandbox_store, letzshop_sandbox, monkeypatch, settings
):
    from letzshop.imports import run as imports

    settings.LETZSHOP_IMPORT_FETCH_PROCESS = False
    pages = _pages_of(letzshop_sandbox, 30, 10)
    client = PagedClient(pages, hang_at=1)
    monkeypatch.setattr(imports, "client_for", lambda credentials: client)

    def broken_write(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(imports, "mapped_page_write", broken_write)
    with pytest.raises(RuntimeError, match="went away"):
        orders_import(store=sandbox_store, triggered_by="test", page_size=10)

    # The thread, waiting on the second page, was cancelled and waited for before the client closed.
    assert client.cancels == 1
    assert _prefetch_threads() == [] and client.calls_after_close == 0
    log = LetzshopSyncLog.objects.get(store=sandbox_store)
    assert log.status == "failed" and "went away" in log.details["message"]


def test_larger_probes_cover_a_reimport_in_fewer_round_trips_and_still_find_a_change(
    sandbox_store, letzshop_sandbox, settings
):
    letzshop_sandbox.state.reset(shipments=60, seed=5)
    unconfirmed = _unconfirmed(letzshop_sandbox)
    orders_import(store=sandbox_store, triggered_by="command", page_size=10)
    changed = unconfirmed[-1]  # on the last probe page
    requests.post(
        f"{letzshop_sandbox.base_url}/_sandbox/shipments/{changed['id']}",
        json={"order": {"email": "probed@example.lu"}},
        timeout=5,
    )

    def reimport() -> tuple[object, list[dict]]:
        before = letzshop_sandbox.state.request_count
        result = orders_import(store=sandbox_store, triggered_by="command", page_size=10)
        made = letzshop_sandbox.state.request_count - before
        return result, letzshop_sandbox.state.request_log()[-made:]

    settings.LETZSHOP_PROBE_PAGE_SIZE = 30
    result, made = reimport()
    probes = [entry for entry in made if entry["operationName"] == "ShipmentStates"]
    whole = [entry for entry in made if entry["operationName"] == "Shipments"]
    assert (result.orders_updated, result.orders_unchanged) == (1, len(unconfirmed) - 1)
    assert len(probes) == -(-len(unconfirmed) // 30) and {p["variables"]["first"] for p in probes} == {30}
    # The probe page with the change is fetched whole at the same size: the same shipments.
    assert len(whole) == 1 and whole[0]["variables"] == probes[-1]["variables"]
    assert LetzshopOrder.objects.get(letzshop_shipment_id=changed["id"]).customer_email == "probed@example.lu"

    settings.LETZSHOP_PROBE_PAGE_SIZE = 0  # the default: probes of the page size
    result, made = reimport()
    assert result.orders_unchanged == len(unconfirmed)
    assert len(made) == -(-len(unconfirmed) // 10) and {e["variables"]["first"] for e in made} == {10}
