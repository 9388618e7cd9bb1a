"""What a platform admin reads and may do, in headless Chromium against the Letzshop sandbox:
Save & Test that keeps a working key, failures in sentences with the answer behind "Details",
names for who started a sync, addresses and unit states in words, only the actions an order
allows, and no bulk resolve for a GTIN several products share."""

import re

import pytest
from playwright.sync_api import expect

from exceptions.models import OrderItemException
from exceptions.tests.factories import OrderItemExceptionFactory
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, StoreLetzshopCredentials
from letzshop.services.credentials import credentials_api_key, credentials_save
from letzshop.services.fulfillment import order_confirm, order_decline, queue_process_due
from sandbox import DEFAULT_API_KEY
from stores.tests.factories import UserFactory

pytestmark = [pytest.mark.frontend, pytest.mark.admin_ui, pytest.mark.usefixtures("shipping_carriers")]


def messages_of(page):
    return page.locator("ul.messagelist")


def clean_orders(store):
    blocked = OrderItemException.objects.filter(status__in=["pending", "ignored"]).values("order_id")
    return (
        LetzshopOrder.objects.filter(store=store, letzshop_state="unconfirmed")
        .exclude(local_order_id__in=blocked)
        .order_by("id")
    )


def test_save_and_test_keeps_the_working_key_unless_saved_anyway(admin_page, catalog_store, letzshop_sandbox):
    page = admin_page
    credentials_save(store=catalog_store, api_key=DEFAULT_API_KEY, api_endpoint=letzshop_sandbox.url)
    page.goto(f"{page.base_url}/admin/letzshop/letzshopstore/{catalog_store.pk}/credentials/")
    page.get_by_label("API key").fill("a-wrong-key-typed-over-it")
    page.get_by_role("button", name="Save & Test").click()

    expect(page.locator(".errorlist")).to_contain_text("Letzshop refused the API key.")
    expect(page.locator(".errorlist")).to_contain_text("Nothing was saved: the stored credentials are kept.")
    credentials = StoreLetzshopCredentials.objects.get(store=catalog_store)
    assert credentials_api_key(credentials=credentials) == DEFAULT_API_KEY

    # Saving it anyway is a choice the admin makes on purpose.
    page.get_by_label("API key").fill("a-wrong-key-typed-over-it")
    page.get_by_role("button", name="Save anyway").click()
    expect(messages_of(page)).to_contain_text("were saved")
    credentials.refresh_from_db()
    assert credentials_api_key(credentials=credentials) == "a-wrong-key-typed-over-it"


def test_failures_read_as_sentences_and_syncs_name_who_started_them(admin_page, imported_store, letzshop_sandbox):
    page = admin_page
    operator = UserFactory(first_name="Olga", last_name="Operator")
    order = clean_orders(imported_store).first()
    letzshop_sandbox.state.update_faults({"fail_next": [503]})
    order_confirm(order=order, user=operator)
    queue_process_due()
    item = LetzshopFulfillmentQueue.objects.get(letzshop_order=order)
    assert "503" in item.error_message

    page.goto(f"{page.base_url}/admin/letzshop/letzshopfulfillmentqueue/")
    row = page.locator("#result_list tbody tr", has_text=order.letzshop_order_number)
    expect(row).to_contain_text("Letzshop could not be reached or had a problem on its side.")
    code = row.locator("details code")
    expect(code).to_be_hidden()
    row.locator("details summary").click()
    expect(code).to_contain_text("HTTP 503")

    page.goto(f"{page.base_url}/admin/letzshop/letzshopsynclog/?store={imported_store.pk}")
    failed = page.locator("#result_list tbody tr", has_text="Olga Operator")
    expect(failed).to_contain_text("Letzshop could not be reached")
    expect(page.locator("#result_list")).not_to_contain_text("<html")

    # The order's own page: the queue row in words too.
    page.goto(f"{page.base_url}/admin/letzshop/letzshoporder/{order.pk}/change/")
    expect(page.locator("fieldset", has_text="Fulfillment queue")).to_contain_text("Letzshop could not be reached")


def test_an_orders_page_shows_addresses_and_unit_states_in_words(admin_page, imported_store, letzshop_sandbox):
    page = admin_page
    order = clean_orders(imported_store).first()
    address = order.local_order.shipping_address
    page.goto(f"{page.base_url}/admin/orders/order/{order.local_order_id}/change/")
    shown = page.locator(".field-shipping_address_shown")
    expect(shown).to_contain_text(address["city"])
    expect(shown).to_contain_text(address["street_name"])
    expect(shown).not_to_contain_text("{")
    expect(shown).not_to_contain_text("first_name")
    units = page.locator("fieldset", has_text="Inventory units on Letzshop")
    expect(units).to_contain_text("Unconfirmed")
    expect(units).not_to_contain_text("unconfirmed")
    expect(page.get_by_role("button", name="Set tracking…")).to_be_visible()

    # Declined whole: one word for its state, and nothing to track.
    order_decline(order=order, reason="Out of stock")
    assert queue_process_due()["completed"] == 1
    page.goto(f"{page.base_url}/admin/letzshop/letzshoporder/{order.pk}/change/")
    expect(page.locator("fieldset", has_text="Inventory units on Letzshop")).to_contain_text("Declined")
    expect(page.locator("fieldset", has_text="Inventory units on Letzshop")).not_to_contain_text(
        "confirmed_unavailable"
    )
    expect(page.get_by_role("button", name="Set tracking…")).to_have_count(0)
    expect(page.locator("fieldset", has_text="Fulfillment queue")).to_contain_text("Decline")
    expect(page.locator("fieldset", has_text="Fulfillment queue")).not_to_contain_text("Reject")

    page.goto(f"{page.base_url}/admin/letzshop/letzshoporder/?q={order.letzshop_order_number}")
    row = page.locator("#result_list tbody tr", has_text=order.letzshop_order_number)
    expect(row.locator("td.field-status")).to_have_text("Declined")


def test_no_bulk_resolve_for_a_gtin_several_products_share(admin_page, store):
    page = admin_page
    several = OrderItemExceptionFactory(store=store, exception_type=OrderItemException.Type.DUPLICATE_GTIN)
    single = OrderItemExceptionFactory(store=store)
    page.goto(f"{page.base_url}/admin/exceptions/orderitemexception/{several.pk}/resolve/")
    expect(page.locator("#ls-apply-all-duplicate")).to_contain_text("Several products of the catalog have this GTIN")
    expect(page.get_by_label("Apply to all exceptions with this GTIN")).to_have_count(0)

    page.goto(f"{page.base_url}/admin/exceptions/orderitemexception/{single.pk}/resolve/")
    expect(page.get_by_label("Apply to all exceptions with this GTIN")).to_be_visible()
    expect(page.locator("#ls-apply-all-duplicate")).to_have_count(0)

    page.goto(f"{page.base_url}/admin/exceptions/orderitemexception/{single.pk}/ignore/")
    expect(page.locator("#ls-ignore-blocks")).to_contain_text("still blocks the order's confirmation")
    expect(page.locator("#ls-ignore-blocks")).to_contain_text("decline this item's units")


def test_one_carrier_notion_the_filter_lists_every_carrier_seen(admin_page, imported_store):
    from orders.models import Order, ShippingCarrier

    page = admin_page
    seen = set(
        Order.objects.filter(store=imported_store)
        .exclude(shipping_carrier="")
        .values_list("shipping_carrier", flat=True)
    )
    assert seen, "the sandbox's orders name carriers"
    listed = set(ShippingCarrier.objects.values_list("code", flat=True))
    assert seen <= listed  # every carrier an order names is in Settings > Shipping
    assert all(code == code.lower() and " " not in code for code in seen)  # codes, not spellings

    page.goto(f"{page.base_url}/admin/letzshop/letzshoporder/?store={imported_store.pk}")
    carrier_filter = page.locator("#changelist-filter details", has_text="By carrier")
    for code in seen:
        name = ShippingCarrier.objects.get(code=code).name
        link = carrier_filter.get_by_role("link", name=name, exact=True)
        expect(link).to_have_count(1)
    code = sorted(seen)[0]
    name = ShippingCarrier.objects.get(code=code).name
    carrier_filter.get_by_role("link", name=name, exact=True).click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(Order.objects.filter(store=imported_store, shipping_carrier=code).count())
    expect(rows.first.locator("td.field-shipping")).to_contain_text(name)


def test_small_things_prefix_search_view_site_english_dates_and_a_favicon(admin_page, imported_store):
    page = admin_page
    order = LetzshopOrder.objects.filter(store=imported_store).order_by("id").first()
    prefix = order.letzshop_order_number[:-3]
    page.goto(f"{page.base_url}/admin/letzshop/letzshoporder/?q={prefix}")
    expect(page.locator("#result_list tbody tr", has_text=order.letzshop_order_number)).to_have_count(1)
    expect(page.get_by_role("link", name="View site")).to_have_attribute("href", "/store/")
    expect(page.locator("link[rel=icon]")).to_have_attribute("href", re.compile(r"favicon\.svg$"))
    # English dates day first, as in the portal (en-GB), not Django's US default.
    when = page.locator("#result_list tbody tr .ls-when").first.inner_text()
    assert re.match(r"\d{2}/\d{2}/\d{4}", when), when
