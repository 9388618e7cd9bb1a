"""A platform admin's journey, in headless Chromium against the sandbox on a real port.

There is no Celery worker here: once the admin has queued an operation, the test sends it as
the worker would (``queue_process_due``) and checks what the admin and Letzshop then show.
"""

import importlib
import re
import threading

import pytest
from playwright.sync_api import expect

from config.tests.browser import screenshot
from exceptions.models import OrderItemException
from letzshop.imports import orders_import
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials
from letzshop.services.credentials import credentials_save
from letzshop.services.fulfillment import queue_process_due
from letzshop.tests.helpers import run_in_thread
from orders.models import ShippingCarrier
from sandbox import DEFAULT_API_KEY, demo_catalog
from stores.services import catalog_import

pytestmark = [pytest.mark.frontend, pytest.mark.admin_ui]


@pytest.fixture
def catalog_store(store):
    catalog_import(store=store, rows=[dict(row) for row in demo_catalog()])
    return store


@pytest.fixture
def imported_store(catalog_store, letzshop_sandbox):
    credentials_save(store=catalog_store, api_key=DEFAULT_API_KEY, api_endpoint=letzshop_sandbox.url)
    orders_import(store=catalog_store, triggered_by="test")
    return catalog_store


@pytest.fixture(autouse=True)
def shipping_carriers(transactional_db):
    """The carriers the migrations seed (a live server's test empties the tables after it)."""
    seed = importlib.import_module("orders.migrations.0002_seed_shipping_carriers")
    for code, name, prefix in seed.CARRIERS:
        ShippingCarrier.objects.get_or_create(code=code, defaults={"name": name, "label_url_prefix": prefix})


def messages_of(page):
    return page.locator("ul.messagelist")


def test_save_and_test_credentials_then_import_now(admin_page, catalog_store, letzshop_sandbox):
    page = admin_page
    page.get_by_role("link", name="Letzshop stores").first.click()
    row = page.locator("#result_list tbody tr", has_text=catalog_store.name)
    expect(row.locator("td.field-configured img")).to_have_attribute("alt", "False")

    row.get_by_role("link", name=catalog_store.name).click()
    page.get_by_role("link", name="Configure credentials").click()
    expect(page.get_by_role("heading", name="Letzshop API")).to_be_visible()
    page.get_by_label("API key").fill(DEFAULT_API_KEY)
    page.get_by_label("API endpoint").fill(letzshop_sandbox.url)
    screenshot(page, "admin-credentials")
    page.get_by_role("button", name="Save & Test").click()

    expect(messages_of(page)).to_contain_text("were saved")
    expect(messages_of(page)).to_contain_text("connection successful")
    # The key is write-only: masked on the page, never in it.
    expect(page.locator("#content-main")).to_contain_text("letz****")
    assert DEFAULT_API_KEY not in page.content()

    page.get_by_role("button", name="Import now").click()
    # The request only starts the run: the progress page follows it while a worker runs it
    # (here a thread of the test's process: it has no worker).
    expect(messages_of(page)).to_contain_text("import started")
    runs = page.locator("#import-runs")
    expect(runs).to_contain_text("waiting for a worker")
    run = LetzshopSyncLog.objects.get(store=catalog_store, operation_type="order_import", status="running")
    lease = StoreLetzshopCredentials.objects.get(store=catalog_store).import_started_at
    worker = threading.Thread(target=run_in_thread, args=(run.pk, lease))
    worker.start()
    expect(runs).to_contain_text(re.compile(r"Import completed: \d+ imported"), timeout=60_000)
    worker.join(timeout=60)
    screenshot(page, "admin-import-progress")
    imported = LetzshopOrder.objects.filter(store=catalog_store).count()
    assert imported == letzshop_sandbox.state.summary()["by_state"]["unconfirmed"]
    page.get_by_role("link", name="Back").click()
    screenshot(page, "admin-store")

    page.get_by_role("navigation", name="Marketplace > Letzshop").get_by_role("link", name="Dashboard").click()
    row = page.locator("#result_list tbody tr", has_text=catalog_store.name)
    pending = LetzshopOrder.objects.filter(store=catalog_store, letzshop_state="unconfirmed").count()
    expect(row.locator("td.field-pending_orders")).to_have_text(str(pending))
    expect(row.locator("td.field-last_sync")).to_contain_text("Success")
    screenshot(page, "admin-dashboard")


def test_resolve_an_exception_through_the_product_search(admin_page, imported_store):
    page = admin_page
    # (Not one whose GTIN several products share: those are resolved one by one.)
    exception = (
        OrderItemException.objects.filter(store=imported_store, status="pending")
        .exclude(exception_type=OrderItemException.Type.DUPLICATE_GTIN)
        .order_by("id")
        .first()
    )
    same_gtin = OrderItemException.objects.filter(
        store=imported_store, status="pending", gtin_normalized=exception.gtin_normalized
    ).count()
    product = demo_catalog()[4]  # Quetsch Jam 320g

    page.goto(f"{page.base_url}/admin/exceptions/orderitemexception/?store={imported_store.pk}")
    expect(page.locator(".ls-stat--pending .ls-stat-count")).to_have_text(
        str(OrderItemException.objects.filter(store=imported_store, status="pending").count())
    )
    screenshot(page, "admin-exceptions", full_page=False)
    row = page.locator("#result_list tbody tr", has_text=exception.original_product_name)
    row.first.get_by_role("link", name="Resolve").click()

    search = page.get_by_label("Name, SKU or GTIN")
    search.press_sequentially("quetsch", delay=30)
    result = page.locator(".ls-product", has_text=product["name"])
    expect(result).to_be_visible()
    expect(page.locator("#ls-search-status")).to_have_text("1 product found")
    # Keyboard: down from the search box onto the result.
    search.press("ArrowDown")
    expect(result.locator("input[type=radio]")).to_be_checked()
    page.get_by_label("Apply to all exceptions with this GTIN").check()
    screenshot(page, "admin-exception-resolve")
    page.get_by_role("button", name="Confirm").click()

    expect(messages_of(page)).to_contain_text(f"Resolved {same_gtin} exception")
    exception.refresh_from_db()
    assert exception.status == "resolved"
    assert exception.resolved_product.sku == product["sku"]
    assert exception.order_item.product_id == exception.resolved_product_id


def _confirmable_order(store) -> LetzshopOrder:
    """The store's first unconfirmed order with no open exception: one that can be confirmed."""
    blocked = OrderItemException.objects.filter(status__in=["pending", "ignored"]).values("order_id")
    return (
        LetzshopOrder.objects.filter(store=store, letzshop_state="unconfirmed")
        .exclude(local_order_id__in=blocked)
        .order_by("id")
        .first()
    )


def test_confirm_an_order_and_see_it_confirmed_on_letzshop(admin_page, imported_store, letzshop_sandbox):
    page = admin_page
    order = _confirmable_order(imported_store)
    page.goto(f"{page.base_url}/admin/letzshop/letzshoporder/?store={imported_store.pk}")
    screenshot(page, "admin-letzshop-orders", full_page=False)
    page.get_by_role("link", name=order.letzshop_order_number).first.click()
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(messages_of(page)).to_contain_text(f"{order.letzshop_order_number}: confirmation queued for Letzshop")

    expect(page.locator("#ls-follow")).to_contain_text("Waiting for Letzshop's answer")
    assert queue_process_due()["completed"] == 1  # what the worker does
    # The page follows the queue: no reload by hand.
    expect(page.locator("#ls-follow")).to_have_count(0)
    queue = page.locator("fieldset", has_text="Fulfillment queue")
    expect(queue.locator("tbody tr").first).to_contain_text("Completed")
    expect(page.locator(".field-letzshop_state")).to_contain_text("Confirmed")
    screenshot(page, "admin-order")
    units = letzshop_sandbox.state.shipment_detail(order.letzshop_shipment_id)["inventoryUnits"]
    assert {unit["state"] for unit in units} == {"confirmed_available"}


def test_retry_a_failed_queue_row(admin_page, imported_store, letzshop_sandbox, settings):
    settings.LETZSHOP_QUEUE_MAX_ATTEMPTS = 1
    page = admin_page
    order = _confirmable_order(imported_store)
    from letzshop.services.fulfillment import order_confirm

    order_confirm(order=order)
    letzshop_sandbox.state.update_faults({"fail_next": [500]})
    assert queue_process_due()["failed"] == 1

    page.goto(f"{page.base_url}/admin/letzshop/letzshopfulfillmentqueue/?status__exact=failed")
    row = page.locator("#result_list tbody tr", has_text=order.letzshop_order_number)
    expect(row.locator("td.field-status_and_attempts")).to_contain_text("Failed")
    expect(row.locator("td.field-error")).to_contain_text("500")
    screenshot(page, "admin-queue")
    row.get_by_role("button", name="Retry").click()
    expect(messages_of(page)).to_contain_text("queued again")

    assert queue_process_due()["completed"] == 1
    item = LetzshopFulfillmentQueue.objects.get(letzshop_order=order)
    assert item.status == "completed"
    page.goto(f"{page.base_url}/admin/letzshop/letzshopfulfillmentqueue/{item.pk}/change/")
    expect(page.locator(".field-status_shown")).to_contain_text("Completed")
    expect(page.locator(".field-attempt_log tbody tr")).to_have_count(2)  # the failed attempt, then the retry
    page.goto(f"{page.base_url}/admin/letzshop/letzshopsynclog/?store={imported_store.pk}")
    screenshot(page, "admin-sync-log", full_page=False)
    units = letzshop_sandbox.state.shipment_detail(order.letzshop_shipment_id)["inventoryUnits"]
    assert {unit["state"] for unit in units} == {"confirmed_available"}


def test_shipping_settings_label_link_and_mark_shipped(admin_page, imported_store):
    page = admin_page
    page.goto(f"{page.base_url}/admin/letzshop/letzshopstore/")
    page.get_by_role("navigation", name="Marketplace > Letzshop").get_by_role(
        "link", name="Settings > Shipping"
    ).click()
    row = page.locator("#result_list tbody tr", has_text="Colissimo")
    row.locator("input[name$=label_url_prefix]").fill("https://labels.example.lu/colissimo/")
    page.get_by_role("button", name="Save").click()
    expect(messages_of(page)).to_contain_text("was changed successfully")
    assert ShippingCarrier.objects.get(code="colissimo").label_url_prefix == "https://labels.example.lu/colissimo/"
    screenshot(page, "admin-shipping")

    order = (
        LetzshopOrder.objects.filter(store=imported_store, local_order__shipping_carrier="greco").first().local_order
    )
    page.goto(f"{page.base_url}/admin/orders/order/{order.pk}/change/")
    label = page.get_by_role("link", name="Shipping label")
    expect(label).to_have_attribute("href", f"https://dispatchweb.fr/Tracky/Home/{order.shipment_number}")

    page.get_by_role("button", name="Mark shipped…").click()
    page.get_by_label(f"Tracking number ({order})").fill("TRACK-123")
    page.get_by_role("button", name="Mark shipped").click()
    expect(messages_of(page)).to_contain_text(f"{order}: marked shipped")
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == ("shipped", "TRACK-123")
    assert order.shipped_at is not None


def test_the_admin_follows_the_chosen_language(admin_page):
    page = admin_page
    page.goto(f"{page.base_url}/admin/letzshop/letzshopstore/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#ls-language-select").select_option("fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Déconnexion")).to_be_visible()
    page.locator("#ls-language-select").select_option("de")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
