"""The store portal in headless Chromium, against a live server and the Letzshop sandbox: a store
user connects Letzshop, imports, resolves an exception, confirms, declines and sets tracking,
with nothing but the browser. No worker runs here: where a worker would send a queued operation
to Letzshop, the test runs the queue itself (``queue_process_due``).

Run alone with ``make test frontend=store``. The screenshots go to docs/screenshots/portal-*.png.
"""

import re
import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from config.tests.browser import SCREENSHOTS, screenshot
from exceptions.models import OrderItemException
from letzshop import selectors
from letzshop.imports import orders_import
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials
from letzshop.services.fulfillment import order_confirm, queue_process_due
from letzshop.tests.factories import LetzshopOrderFactory
from letzshop.tests.helpers import run_in_thread
from portal.tests.helpers import PASSWORD, log_in
from sandbox import DEFAULT_API_KEY
from stores.models import Product
from stores.tests.factories import MembershipFactory, StoreFactory

pytestmark = [pytest.mark.frontend, pytest.mark.store_ui, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)


@pytest.fixture
def imported_store(connected_store, letzshop_sandbox):
    """The connected store after an import of the sandbox's twenty shipments."""
    letzshop_sandbox.state.reset(shipments=20, seed=1)
    result = orders_import(store=connected_store, triggered_by="test")
    assert result.success and result.orders_imported
    return connected_store


def blocked_order(store, *, exceptions: int = 1) -> LetzshopOrder:
    """An order that exactly ``exceptions`` product exceptions keep from being confirmed."""
    return selectors.letzshop_order_list(store=store).filter(blocking_exceptions=exceptions).order_by("pk").first()


def clean_order(store, *, units: int = 2) -> LetzshopOrder:
    """An unconfirmed order without exceptions, with at least ``units`` inventory units."""
    orders = selectors.letzshop_order_list(store=store).filter(blocking_exceptions=0, letzshop_state="unconfirmed")
    return next(o for o in orders.order_by("pk") if len(o.inventory_units) >= units)


def unit_states(sandbox, order: LetzshopOrder) -> dict[str, str]:
    detail = sandbox.state.shipment_detail(order.letzshop_shipment_id)
    return {unit["id"]: unit["state"] for unit in detail["inventoryUnits"]}


def order_url(live_server, order) -> str:
    return f"{live_server.url}/store/orders/{order.pk}/"


def test_a_store_user_connects_letzshop_and_imports(
    live_server, page, catalog_store, store_user, letzshop_sandbox, settings
):
    # Small pages and a slow Letzshop, so that the import's progress shows for a while.
    letzshop_sandbox.state.reset(shipments=10, seed=1)
    letzshop_sandbox.state.update_faults({"delay_ms": 300})
    settings.LETZSHOP_PAGE_SIZE = 2

    page.goto(f"{live_server.url}/store/")
    expect(page).to_have_url(re.compile(r"/store/login/\?next=/store/$"))
    page.get_by_label("Username").fill(store_user.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    expect(page.locator("#connection")).to_contain_text("Not connected")
    expect(page.get_by_role("button", name="Import now")).to_be_disabled()

    # Settings > Letzshop Integration
    page.get_by_role("navigation").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Letzshop Integration")).to_be_visible()
    key = page.get_by_label("API key")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#api_key-error")).to_have_text("Enter your Letzshop API key.")
    expect(key).to_have_attribute("aria-invalid", "true")
    expect(key).to_be_focused()

    key.fill("not-the-key")
    page.get_by_label("API endpoint").fill(letzshop_sandbox.url)
    page.get_by_role("button", name="Test Connection").click()
    expect(page.locator("#test-result")).to_contain_text("Connection failed")
    assert not StoreLetzshopCredentials.objects.filter(store=catalog_store).exists()

    key.fill(DEFAULT_API_KEY)
    page.get_by_role("button", name="Test Connection").click()
    expect(page.locator("#test-result")).to_contain_text("Connection successful")
    expect(key).not_to_have_attribute("aria-invalid", "true")

    page.get_by_label("Import new orders automatically").check()
    interval = page.get_by_label("Sync interval (minutes)")
    interval.fill("2")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#sync_interval_minutes-error")).to_have_text(
        "The sync interval must be between 5 and 1,440 minutes."
    )
    expect(interval).to_be_focused()
    interval.fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-result")).to_have_text("Saved. Orders are imported every 30 minutes.")
    credentials = StoreLetzshopCredentials.objects.get(store=catalog_store)
    assert (credentials.auto_sync_enabled, credentials.sync_interval_minutes) == (True, 30)
    assert credentials.api_endpoint == letzshop_sandbox.url

    page.reload()
    expect(page.locator("#connection-summary")).to_contain_text("letz****")
    expect(key).to_have_value("")
    expect(page.get_by_label("Import new orders automatically")).to_be_checked()
    assert DEFAULT_API_KEY not in page.content()
    screenshot(page, "portal-settings")

    # Import now, with its progress, then the result message.
    page.get_by_role("link", name="Overview").click()
    expect(page.locator("#connection")).to_contain_text("Connected")
    page.get_by_role("button", name="Import now").click()
    # The call answers at once: the run waits for an import worker, and the page says so.
    result = page.locator("#import-result")
    expect(result).to_contain_text("runs in the background")
    run = LetzshopSyncLog.objects.get(store=catalog_store, operation_type="order_import", status="running")
    assert LetzshopOrder.objects.filter(store=catalog_store).count() == 0
    # The page may be left and opened again: it finds the run and follows it.
    page.get_by_role("link", name="Sync logs").click()
    page.get_by_role("link", name="Overview").click()
    expect(result).to_contain_text("An import is running.")
    # The worker's part, here in a thread (the test's process has no worker).
    lease = StoreLetzshopCredentials.objects.get(store=catalog_store).import_started_at
    worker = threading.Thread(target=run_in_thread, args=(run.pk, lease))
    worker.start()
    expect(page.locator("#import-progress-text")).to_contain_text("pages read")
    expect(result).to_contain_text("Import completed", timeout=60_000)
    worker.join(timeout=60)
    imported = LetzshopOrder.objects.filter(store=catalog_store).count()
    exceptions = OrderItemException.objects.filter(store=catalog_store).count()
    assert imported and exceptions
    expect(result).to_contain_text(f"Import completed: {imported} imported, 0 updated")
    expect(result).to_contain_text(f"{exceptions} items matched no product")
    expect(page.locator("#import-progress")).to_be_hidden()
    expect(page.locator("#todo-orders")).to_contain_text(str(imported))
    screenshot(page, "portal-import")

    # The import is in the sync logs.
    page.get_by_role("link", name="Sync logs").click()
    row = page.locator("#list-table tbody tr").filter(has_text="Order import")
    expect(row).to_contain_text("Success")
    expect(row).to_contain_text(f"{imported} processed")
    expect(row).to_contain_text("You")
    screenshot(page, "portal-logs")


def test_a_store_user_finds_confirms_declines_and_sets_tracking(
    live_server, page, imported_store, store_user, letzshop_sandbox
):
    total = LetzshopOrder.objects.filter(store=imported_store).count()
    blocked = blocked_order(imported_store)
    order = clean_order(imported_store)
    log_in(page, live_server, store_user, next_path="/store/orders/")

    # The list, its search and its filters.
    rows = page.locator("#list-table tbody tr")
    expect(rows).to_have_count(total)
    expect(page.locator("#list-summary")).to_have_text(f"{total} orders")
    screenshot(page, "portal-orders")
    page.get_by_label("Search").fill(order.letzshop_order_number)
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(order.customer_name)
    page.get_by_role("button", name="Clear filters").click()
    expect(rows).to_have_count(total)
    page.get_by_label("Imported from").fill((timezone.localdate() + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#list-summary")).to_have_text("0 orders")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("No orders match")
    page.get_by_label("Imported from").fill(timezone.localdate().isoformat())
    page.get_by_label("Product exceptions").select_option("true")
    page.get_by_role("button", name="Apply filters").click()
    with_exceptions = selectors.letzshop_order_list(store=imported_store).filter(has_exceptions=True).count()
    expect(rows).to_have_count(with_exceptions)
    expect(rows.filter(has_text="blocking")).to_have_count(with_exceptions)
    assert "has_exceptions=true" in page.url

    # An order with an unresolved exception cannot be confirmed.
    page.goto(order_url(live_server, blocked))
    expect(page.locator("#order-blocking")).to_be_visible()
    page.get_by_role("button", name="Confirm all units").click()
    expect(page.locator("#confirm-result")).to_contain_text(
        f"Blocked by {blocked.blocking_exceptions} exception", ignore_case=True
    )
    assert not LetzshopFulfillmentQueue.objects.filter(letzshop_order=blocked).exists()

    # Confirm one selected unit of a clean order.
    page.goto(order_url(live_server, order))
    expect(page.locator("#order-number")).to_have_text(order.letzshop_order_number)
    page.get_by_role("button", name="Confirm selected units").click()
    expect(page.locator("#units-error")).to_contain_text("Select at least one unconfirmed unit")
    first_unit = page.get_by_label("Unit 1", exact=False).first
    unit_id = first_unit.get_attribute("value")
    first_unit.check()
    page.get_by_role("button", name="Confirm selected units").click()
    result = page.locator("#confirm-result")
    expect(result).to_contain_text("Confirmation queued for Letzshop.")
    assert queue_process_due()["completed"] == 1
    expect(result).to_have_text("Done: Letzshop confirmed the units.")
    states = unit_states(letzshop_sandbox, order)
    assert states.pop(unit_id) == "confirmed_available"
    assert set(states.values()) == {"unconfirmed"}
    expect(page.get_by_label("Unit 1", exact=False).first).to_be_disabled()

    # Decline the rest, with a reason.
    page.get_by_role("button", name="Decline all units").click()
    reason = page.get_by_label("Reason for declining")
    expect(page.locator("#reason-error")).to_have_text("Say why the order is declined (for example: out of stock).")
    expect(reason).to_be_focused()
    reason.fill("Out of stock")
    page.get_by_role("button", name="Decline all units").click()
    page.locator("#decline-dialog").get_by_role("button", name="Decline").click()
    result = page.locator("#decline-result")
    expect(result).to_contain_text("Decline queued for Letzshop.")
    assert queue_process_due()["completed"] == 1
    expect(result).to_have_text("Done: Letzshop recorded the decline.")
    assert set(unit_states(letzshop_sandbox, order).values()) == {"confirmed_available", "confirmed_unavailable"}
    assert letzshop_sandbox.state.shipment_detail(order.letzshop_shipment_id)["state"] == "confirmed"
    expect(page.get_by_role("button", name="Confirm all units")).to_be_disabled()

    # Ship (tracking sent, the order shipped in one step), by keyboard.
    page.get_by_label("Carrier").fill("")
    page.get_by_role("button", name="Ship", exact=True).click()
    expect(page.locator("#tracking_number-error")).to_have_text("Enter the tracking number.")
    expect(page.locator("#tracking_carrier-error")).to_contain_text("Enter the carrier")
    page.get_by_label("Tracking number").fill("1Z999AA10123456784")
    page.get_by_label("Carrier").fill("ups")
    page.get_by_role("button", name="Ship", exact=True).focus()
    page.keyboard.press("Enter")
    result = page.locator("#tracking-result")
    expect(result).to_contain_text("Shipping: the tracking number is queued for Letzshop.")
    expect(page.locator("#tracking-current")).to_contain_text("1Z999AA10123456784 (ups)")
    assert queue_process_due()["completed"] == 1
    expect(result).to_have_text("Shipped: Letzshop has the tracking number and the order is marked shipped.")
    # A shipped order's tracking can still be corrected.
    expect(page.get_by_role("button", name="Update tracking")).to_be_visible()
    detail = letzshop_sandbox.state.shipment_detail(order.letzshop_shipment_id)
    assert detail["storedTracking"] == {"code": "1Z999AA10123456784", "provider": "ups"}
    assert detail["state"] == "shipped"
    expect(page.locator("#order-summary")).to_contain_text("Shipped")
    screenshot(page, "portal-order")


def test_a_store_user_resolves_an_exception_then_confirms(
    live_server, page, imported_store, store_user, letzshop_sandbox
):
    order = blocked_order(imported_store)
    exception = OrderItemException.objects.filter(order_id=order.local_order_id).first()
    product = Product.objects.filter(store=imported_store, is_placeholder=False).order_by("name").first()
    log_in(page, live_server, store_user, next_path=f"/store/orders/{order.pk}/")

    item_name = exception.order_item.product_name
    page.get_by_role("button", name=f"Resolve {item_name}").click()
    dialog = page.get_by_role("dialog", name="Resolve exception")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Find the product in your catalog")).to_be_focused()
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog.locator("#product_id-error")).to_contain_text("Choose the product")
    search = dialog.get_by_label("Find the product in your catalog")
    search.fill(product.sku)
    search.press("Enter")
    expect(dialog.locator("#product-results-status")).to_have_text("1 product found.")
    dialog.get_by_role("radio", name=re.compile(re.escape(product.name))).check()
    expect(dialog.locator("#product_id-error")).to_be_hidden()
    dialog.get_by_label("Notes (optional)").fill("Same item, new barcode")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "portal-resolve.png"))  # the viewport, where the dialog is
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#confirm-result")).to_contain_text("resolved")
    expect(page.locator("#items-table")).to_contain_text(f"Matched to {product.name}")
    exception.refresh_from_db()
    assert (exception.status, exception.resolved_product_id) == ("resolved", product.pk)

    # Nothing blocks the order any more.
    expect(page.locator("#order-blocking")).to_be_hidden()
    page.get_by_role("button", name="Confirm all units").click()
    expect(page.locator("#confirm-result")).to_contain_text("Confirmation queued for Letzshop.")
    assert queue_process_due()["completed"] == 1
    expect(page.locator("#confirm-result")).to_have_text("Done: Letzshop confirmed the units.")
    assert set(unit_states(letzshop_sandbox, order).values()) == {"confirmed_available"}

    # The Exceptions page: ignore one, with a reason.
    page.get_by_role("navigation").get_by_role("link", name="Exceptions").click()
    pending = OrderItemException.objects.filter(store=imported_store, status="pending")
    count = pending.count()
    assert count >= 2
    rows = page.locator("#list-table tbody tr")
    expect(rows).to_have_count(count)
    expect(page.locator('[data-stat="pending"]')).to_have_text(str(count))
    first = pending.order_by("-created_at", "-id").first()
    page.get_by_role("button", name=f"Ignore {first.original_product_name}").first.click()
    dialog = page.get_by_role("dialog", name="Ignore exception")
    dialog.get_by_role("button", name="Ignore").click()
    expect(dialog.locator("#ignore-reason-error")).to_have_text("Say why this exception is ignored.")
    dialog.get_by_label("Reason").fill("Discontinued by the supplier")
    dialog.get_by_role("button", name="Ignore").click()
    expect(page.locator("#action-result")).to_contain_text("Exception ignored.")
    expect(rows).to_have_count(count - 1)
    expect(page.locator("#list-summary")).to_have_text(f"{count - 1} exception" + ("s" if count - 1 != 1 else ""))
    expect(page.locator('[data-stat="ignored"]')).to_have_text("1")
    first.refresh_from_db()
    assert (first.status, first.ignore_reason) == ("ignored", "Discontinued by the supplier")
    screenshot(page, "portal-exceptions")

    # Its order link leads to the order page.
    row = rows.first
    number = row.locator("td").nth(4).inner_text().strip()
    row.get_by_role("link").click()
    expect(page.locator("#order-number")).to_have_text(number)


def test_a_failed_operation_is_retried_from_the_queue(live_server, page, imported_store, store_user, letzshop_sandbox):
    order = clean_order(imported_store, units=1)
    letzshop_sandbox.state.update_faults({"fail_next": [401]})  # the key refused: no automatic retry
    order_confirm(order=order, user=store_user)
    assert queue_process_due()["failed"] == 1

    log_in(page, live_server, store_user, next_path="/store/queue/")
    rows = page.locator("#list-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Failed")
    expect(rows.first).to_contain_text(order.letzshop_order_number)
    screenshot(page, "portal-queue")

    page.get_by_label("Status").select_option("failed")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("button", name=f"Retry {order.letzshop_order_number}").click()
    sent_again = f"Confirm of order {order.letzshop_order_number} sent again."
    expect(page.locator("#action-result")).to_contain_text(sent_again)
    expect(page.locator("#list-table")).to_contain_text("Nothing in the queue matches.")
    assert queue_process_due()["completed"] == 1
    page.get_by_role("button", name="Clear filters").click()
    expect(rows.first).to_contain_text("Completed")
    assert set(unit_states(letzshop_sandbox, order).values()) == {"confirmed_available"}


def test_the_portal_works_at_phone_width(live_server, page, imported_store, store_user):
    page.set_viewport_size({"width": 375, "height": 812})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    order = clean_order(imported_store)
    log_in(page, live_server, store_user, next_path="/store/orders/")
    expect(page.locator("#list-table tbody tr").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # Each row is a card whose values carry their column's name.
    order_cell = page.locator("#list-table tbody tr").first.locator("td").nth(1)  # after the selection box
    assert order_cell.get_attribute("data-label") == "Order"
    expect(page.get_by_role("navigation").get_by_role("link", name="Exceptions")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "portal-phone.png"))

    page.goto(order_url(live_server, order))
    expect(page.locator("#order-number")).to_have_text(order.letzshop_order_number)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    confirm = page.get_by_role("button", name="Confirm all units")
    confirm.scroll_into_view_if_needed()
    expect(confirm).to_be_in_viewport()
    page.screenshot(path=str(SCREENSHOTS / "portal-phone-order.png"))


def test_the_language_switcher_translates_dates_numbers_and_money(live_server, page, store, store_user):
    LetzshopOrderFactory(store=store)  # total 59.90 EUR
    log_in(page, live_server, store_user, next_path="/store/orders/")
    total = page.locator("#list-table tbody tr").first.locator("td").nth(4)
    expect(total).to_have_text("€59.90")

    page.locator("#language").select_option("de")
    page.locator(".language-switcher button").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(total).to_have_text(re.compile(r"^59,90\s€$"))
    ordered = page.locator("#list-table tbody tr").first.locator("td").nth(2)
    expect(ordered).to_have_text(re.compile(r"^\d{2}\.\d{2}\.\d{4}"))

    page.locator("#language").select_option("fr")
    page.locator(".language-switcher button").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(total).to_have_text(re.compile(r"^59,90\s€$"))
    expect(page.locator("#list-summary")).to_have_text("1 commande")  # the French catalog's words


def test_a_user_of_two_stores_switches_and_sees_only_its_stores(live_server, page, store, store_user):
    second = MembershipFactory(user=store_user).store
    mine = LetzshopOrderFactory(store=store, customer_name="First Customer")
    theirs = LetzshopOrderFactory(store=second, customer_name="Second Customer")
    stranger = LetzshopOrderFactory(store=StoreFactory(), customer_name="Stranger")

    log_in(page, live_server, store_user, next_path="/store/orders/")
    # Two stores: the portal asks which one first.
    expect(page.get_by_role("heading", name="Choose a store")).to_be_visible()
    page.get_by_role("button", name=store.name).click()
    expect(page).to_have_url(re.compile(r"/store/orders/(\?state=unconfirmed)?$"))
    rows = page.locator("#list-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("First Customer")

    page.get_by_label("Store", exact=True).select_option(str(second.pk))
    page.get_by_role("button", name="Switch store").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Second Customer")

    # An order of the other store of the user opens in its store; a stranger's is not found.
    page.goto(order_url(live_server, mine))
    expect(page.locator("#order-number")).to_have_text(mine.letzshop_order_number)
    expect(page.get_by_label("Store", exact=True)).to_have_value(str(store.pk))
    response = page.goto(order_url(live_server, stranger))
    assert response.status == 404
    assert "Stranger" not in page.content()
    assert theirs.pk != stranger.pk

    # Keyboard: the first Tab reaches "Skip to main content", which leads into the page.
    page.goto(f"{live_server.url}/store/orders/")
    expect(rows).to_have_count(1)
    expect(page.locator("#state-tabs a").first).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # The tabs of the orders' states come first, then the filters.
    expect(page.locator("#state-tabs a").first).to_be_focused()


UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
    .filter((el) => el.tagName === 'BUTTON' ? !el.textContent.trim() && !el.getAttribute('aria-label')
                                             : !el.labels.length && !el.getAttribute('aria-label'))
    .map((el) => el.outerHTML)"""


def test_every_field_and_button_of_every_page_has_a_label(live_server, page, imported_store, store_user):
    order = blocked_order(imported_store)
    page.goto(f"{live_server.url}/store/login/")
    assert page.evaluate(UNLABELLED) == []
    log_in(page, live_server, store_user)
    paths = ["/store/", "/store/letzshop/", "/store/orders/", f"/store/orders/{order.pk}/", "/store/exceptions/"]
    for path in [*paths, "/store/queue/", "/store/logs/", "/store/stores/"]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(UNLABELLED) == [], path
        assert page.locator("h1").count() == 1, path
