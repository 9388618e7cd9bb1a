"""What a store's people read and may do, in headless Chromium against the Letzshop sandbox:
failures in sentences (the technical answer behind "Details"), a decline that asks first, only
the actions an order allows, and a bulk resolve that says what it touches."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exceptions.models import OrderItemException
from exceptions.tests.factories import OrderItemExceptionFactory
from letzshop import selectors
from letzshop.models import LetzshopFulfillmentQueue
from letzshop.services.fulfillment import order_confirm, queue_process_due
from letzshop.services.imports import orders_import
from letzshop.tests.factories import LetzshopOrderFactory
from letzshop.tests.helpers import units_on_letzshop as unit_states
from portal.tests.helpers import log_in
from stores.tests.factories import UserFactory

pytestmark = [pytest.mark.frontend, pytest.mark.store_ui, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)


@pytest.fixture
def imported_store(connected_store, letzshop_sandbox):
    letzshop_sandbox.state.reset(shipments=12, seed=1)
    assert orders_import(store=connected_store, triggered_by="test").success
    return connected_store


def clean_order(store, units: int = 1):
    """An unconfirmed order without exceptions, with at least ``units`` inventory units."""
    orders = selectors.letzshop_order_list(store=store).filter(blocking_exceptions=0, letzshop_state="unconfirmed")
    return next(o for o in orders.order_by("pk") if len(o.inventory_units) >= units)


def other_clean_order(store, *, than):
    orders = selectors.letzshop_order_list(store=store).filter(blocking_exceptions=0, letzshop_state="unconfirmed")
    return orders.exclude(pk=than.pk).order_by("pk").first()


def test_failures_read_as_sentences_with_the_answer_behind_details(
    live_server, page, imported_store, store_user, letzshop_sandbox
):
    refused = clean_order(imported_store, units=1)
    letzshop_sandbox.state.update_faults({"fail_next": [401]})
    order_confirm(order=refused, user=store_user)
    assert queue_process_due()["failed"] == 1
    # Letzshop behind a proxy that answers an HTML error page: retried, never shown as HTML.
    operator = UserFactory(first_name="Olga", last_name="Operator")
    down = other_clean_order(imported_store, than=refused)
    letzshop_sandbox.state.update_faults({"fail_next": [503]})
    order_confirm(order=down, user=operator)
    queue_process_due()
    assert LetzshopFulfillmentQueue.objects.get(letzshop_order=down).error_message

    log_in(page, live_server, store_user, next_path="/store/queue/")
    rows = page.locator("#list-table tbody tr")
    failed = rows.filter(has_text=refused.letzshop_order_number)
    expect(failed).to_contain_text("Letzshop refused the API key. Check the key in the Letzshop settings")
    details = failed.locator("details")
    expect(details.locator("code")).not_to_be_visible()
    details.locator("summary", has_text="Details").click()
    expect(details.locator("code")).to_be_visible()
    expect(details.locator("code")).to_contain_text("HTTP 401")
    waiting = rows.filter(has_text=down.letzshop_order_number)
    expect(waiting).to_contain_text("Letzshop could not be reached or had a problem on its side.")
    assert "<html" not in page.locator("#list-table").inner_text()

    # The sync log names who started each call: the reader is "You", another person by name.
    page.goto(f"{live_server.url}/store/logs/")
    log_rows = page.locator("#list-table tbody tr")
    expect(log_rows.filter(has_text="Olga Operator").first).to_be_visible()
    expect(log_rows.filter(has_text="You").first).to_be_visible()
    expect(page.locator("#list-table")).not_to_contain_text("User ")

    # In French, the same sentence in French.
    page.goto(f"{live_server.url}/store/queue/")
    page.locator("#language").select_option("fr")
    page.locator(".language-switcher button").click()
    expect(page.locator("#list-table")).to_contain_text("Letzshop a refusé la clé API.")
    expect(page.locator("#list-table summary").first).to_have_text("Détails")


def test_declining_asks_first_and_a_declined_order_offers_no_tracking(
    live_server, page, imported_store, store_user, letzshop_sandbox
):
    order = clean_order(imported_store, units=1)
    log_in(page, live_server, store_user, next_path=f"/store/orders/{order.pk}/")
    expect(page.locator("#order-number")).to_have_text(order.letzshop_order_number)  # the order is loaded
    page.get_by_label("Reason for declining").fill("Out of stock")
    page.get_by_role("button", name="Decline all units").click()
    dialog = page.locator("#decline-dialog")
    expect(dialog).to_be_visible()
    units = len(order.inventory_units)
    expect(dialog).to_contain_text(f"{units} unit{'s' if units > 1 else ''} of order {order.letzshop_order_number}")
    expect(dialog).to_contain_text("cannot be undone")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert not LetzshopFulfillmentQueue.objects.filter(letzshop_order=order).exists()

    page.get_by_role("button", name="Decline all units").click()
    dialog.get_by_role("button", name="Decline").click()
    expect(page.locator("#decline-result")).to_contain_text("Decline queued for Letzshop.")
    assert queue_process_due()["completed"] == 1
    expect(page.locator("#decline-result")).to_have_text("Done: Letzshop recorded the decline.")
    assert set(unit_states(letzshop_sandbox, order).values()) == {"confirmed_unavailable"}

    # One word for the state; nothing to ship, so no tracking form.
    summary = page.locator("#order-summary")
    expect(summary).to_contain_text("Declined")
    expect(summary).not_to_contain_text("Confirmed")
    expect(summary).not_to_contain_text("Rejected")
    expect(page.locator("#tracking-none")).to_be_visible()
    expect(page.get_by_role("button", name="Ship", exact=True)).to_be_hidden()

    page.goto(f"{live_server.url}/store/queue/")
    expect(page.locator("#list-table tbody tr").first).to_contain_text("Decline")
    expect(page.locator("#list-table")).not_to_contain_text("Reject")


def test_bulk_resolve_says_how_many_and_is_not_offered_for_a_gtin_several_products_share(
    live_server, page, store, store_user
):
    shared = OrderItemExceptionFactory(store=store, original_product_name="Mug")
    OrderItemExceptionFactory(store=store, original_gtin=shared.original_gtin, original_product_name="Mug")
    OrderItemExceptionFactory(store=store, original_gtin=shared.original_gtin, original_product_name="Mug")
    several = OrderItemExceptionFactory(
        store=store, exception_type=OrderItemException.Type.DUPLICATE_GTIN, original_product_name="Lamp"
    )
    for exception in (shared, several):
        LetzshopOrderFactory(store=store, local_order=exception.order)

    log_in(page, live_server, store_user, next_path="/store/exceptions/")
    rows = page.locator("#list-table tbody tr")
    rows.filter(has_text="Mug").first.get_by_role("button", name="Resolve").click()
    dialog = page.locator("#resolve-dialog")
    expect(dialog.locator("#apply-all-label")).to_contain_text(f"GTIN {shared.original_gtin} (3 in all)")
    expect(dialog.locator("#apply-all-duplicate")).to_be_hidden()
    dialog.get_by_role("button", name="Cancel").click()

    rows.filter(has_text="Lamp").get_by_role("button", name="Resolve").click()
    expect(dialog.get_by_label("Apply to all", exact=False)).to_be_hidden()
    expect(dialog.locator("#apply-all-duplicate")).to_be_visible()
    expect(dialog.locator("#apply-all-duplicate")).to_contain_text("Several products of your catalog have this GTIN")


def test_the_ignore_dialog_says_the_exception_still_blocks_and_what_to_do(live_server, page, store, store_user):
    exception = OrderItemExceptionFactory(store=store, original_product_name="Vase")
    LetzshopOrderFactory(store=store, local_order=exception.order)
    log_in(page, live_server, store_user, next_path="/store/exceptions/")
    page.locator("#list-table tbody tr", has_text="Vase").get_by_role("button", name="Ignore").click()
    dialog = page.locator("#ignore-dialog")
    expect(dialog).to_contain_text("still blocks the order's confirmation")
    expect(dialog).to_contain_text("decline this item's units on the order page")
    expect(dialog).to_contain_text("resolve it with the right product instead")


def test_orders_open_on_what_to_confirm_newest_order_first_with_a_tab_per_state(live_server, page, store, store_user):
    now = timezone.now()
    # Imported in this order: an old order first brought in last, as when a history is imported.
    recent = LetzshopOrderFactory(store=store, local_order__ordered_at=now - timedelta(hours=1))
    older = LetzshopOrderFactory(store=store, local_order__ordered_at=now - timedelta(days=30))
    for n in range(3):
        LetzshopOrderFactory(
            store=store, letzshop_state="confirmed", local_order__ordered_at=now - timedelta(days=40 + n)
        )
    LetzshopOrderFactory(store=store, letzshop_state="shipped", local_order__ordered_at=now - timedelta(days=60))

    log_in(page, live_server, store_user, next_path="/store/orders/")
    tabs = page.locator("#state-tabs")
    expect(tabs.get_by_role("link", name="To confirm 2")).to_have_attribute("aria-current", "page")
    expect(tabs.get_by_role("link", name="Confirmed 3")).to_be_visible()
    expect(tabs.get_by_role("link", name="Shipped 1")).to_be_visible()
    expect(tabs.get_by_role("link", name="All 6")).to_be_visible()
    rows = page.locator("#list-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(recent.letzshop_order_number)
    expect(rows.nth(1)).to_contain_text(older.letzshop_order_number)
    expect(page.locator("#list-table thead")).to_contain_text("Ordered")

    tabs.get_by_role("link", name="Confirmed 3").click()
    expect(rows).to_have_count(3)
    expect(page.locator("#state-tabs [aria-current=page]")).to_contain_text("Confirmed")
    tabs.get_by_role("link", name="All 6").click()
    expect(rows).to_have_count(6)
    expect(rows.nth(0)).to_contain_text(recent.letzshop_order_number)


def test_the_product_search_follows_typing_and_starts_empty(live_server, page, store, store_user):
    from stores.tests.factories import ProductFactory

    ProductFactory(store=store, name="Quetsch Jam 320g", sku="JAM-320")
    exception = OrderItemExceptionFactory(store=store, original_product_name="Confiture de quetsches")
    LetzshopOrderFactory(store=store, local_order=exception.order)
    log_in(page, live_server, store_user, next_path="/store/exceptions/")
    page.locator("#list-table tbody tr", has_text="Confiture").get_by_role("button", name="Resolve").click()
    search = page.get_by_label("Find the product in your catalog")
    expect(search).to_have_value("")
    search.press_sequentially("quetsch", delay=20)  # no Enter, no button
    dialog = page.locator("#resolve-dialog")
    expect(dialog.locator("#product-results-status")).to_have_text("1 product found.")
    expect(dialog.get_by_role("radio", name=re.compile("Quetsch Jam"))).to_be_visible()
    expect(page.locator("link[rel=icon]")).to_have_attribute("href", re.compile(r"favicon\.svg$"))


def test_confirming_several_orders_reports_each_and_skips_the_blocked(
    live_server, page, imported_store, store_user, letzshop_sandbox
):
    clean = list(
        selectors.letzshop_order_list(store=imported_store)
        .filter(blocking_exceptions=0, letzshop_state="unconfirmed")
        .order_by("pk")[:2]
    )
    blocked = selectors.letzshop_order_list(store=imported_store).filter(blocking_exceptions__gt=0).first()
    log_in(page, live_server, store_user, next_path="/store/orders/?state=unconfirmed")
    button = page.get_by_role("button", name="Confirm selected orders")
    expect(button).to_be_disabled()
    expect(page.get_by_label(f"Select order {blocked.letzshop_order_number}")).to_be_disabled()
    for order in clean:
        page.get_by_label(f"Select order {order.letzshop_order_number}").check()
    button.click()
    report = page.locator("#bulk-result li")
    expect(report).to_have_count(2)
    for order in clean:
        expect(report.filter(has_text=order.letzshop_order_number)).to_contain_text("confirmation queued for Letzshop")
    assert LetzshopFulfillmentQueue.objects.filter(letzshop_order__in=clean).count() == 2
    assert not LetzshopFulfillmentQueue.objects.filter(letzshop_order=blocked).exists()
    assert queue_process_due()["completed"] == 2
    for order in clean:
        assert set(unit_states(letzshop_sandbox, order).values()) == {"confirmed_available"}


def test_at_phone_width_a_page_of_25_orders_stays_short(live_server, page, store, store_user):
    for _ in range(25):
        LetzshopOrderFactory(store=store)
    page.set_viewport_size({"width": 375, "height": 812})
    log_in(page, live_server, store_user, next_path="/store/orders/")
    rows = page.locator("#list-table tbody tr")
    expect(rows).to_have_count(25)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    card = rows.first.bounding_box()
    assert card["height"] < 130, card  # three short lines, not one line per column
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4500, height
    expect(rows.first.get_by_role("link")).to_be_visible()
    expect(rows.first).to_contain_text("€59.90")


def test_an_order_shows_its_shipping_label_or_why_there_is_none(live_server, page, store, store_user):
    from orders.models import ShippingCarrier

    ShippingCarrier.objects.update_or_create(
        code="greco", defaults={"name": "Greco", "label_url_prefix": "https://dispatchweb.fr/Tracky/Home/"}
    )
    labelled = LetzshopOrderFactory(
        store=store, local_order__shipping_carrier="greco", local_order__shipment_number="H74683403433"
    )
    bare = LetzshopOrderFactory(store=store, local_order__shipping_carrier="", local_order__shipment_number="X1")
    log_in(page, live_server, store_user, next_path=f"/store/orders/{labelled.pk}/")
    link = page.locator("#order-summary").get_by_role("link", name="Open the carrier's label")
    expect(link).to_have_attribute("href", "https://dispatchweb.fr/Tracky/Home/H74683403433")
    expect(page.locator("#order-summary")).to_contain_text("Greco")  # the carrier's name, not its code
    page.goto(f"{live_server.url}/store/orders/{bare.pk}/")
    expect(page.locator("#order-summary")).to_contain_text("This order has no shipping carrier.")


def test_times_are_shown_in_the_stores_time_zone(live_server, page, store, store_user):
    from datetime import UTC, datetime

    # 03:30 UTC on 1 July: still 30 June in New York, already 1 July in Luxembourg.
    order = LetzshopOrderFactory(store=store, local_order__ordered_at=datetime(2026, 7, 1, 3, 30, tzinfo=UTC))
    store.time_zone = "America/New_York"
    store.save(update_fields=["time_zone"])
    log_in(page, live_server, store_user, next_path="/store/orders/")
    row = page.locator("#list-table tbody tr", has_text=order.letzshop_order_number)
    expect(row).to_contain_text("30 Jun 2026, 23:30")
    expect(page.locator("#time-zone-note")).to_have_text("Times are shown in America/New_York, the store's time zone.")

    store.time_zone = "Europe/Luxembourg"
    store.save(update_fields=["time_zone"])
    page.reload()
    expect(row).to_contain_text("1 Jul 2026, 05:30")
    expect(page.locator("#time-zone-note")).to_contain_text("Europe/Luxembourg")
