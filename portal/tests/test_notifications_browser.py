"""The portal's bell and notification list, in headless Chromium, after a real refusal of a key."""

import re

import pytest
from playwright.sync_api import expect

from config.tests.browser import screenshot
from letzshop.imports import orders_import
from letzshop.services.credentials import credentials_save
from notifications.models import Notification
from portal.tests.helpers import log_in
from stores.tests.factories import StoreFactory

pytestmark = [pytest.mark.frontend, pytest.mark.store_ui, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)


def test_the_bell_counts_the_stores_unread_notifications_and_the_list_marks_them_read(
    live_server, page, catalog_store, store_user, letzshop_sandbox
):
    credentials_save(store=catalog_store, api_key="a-key-letzshop-no-longer-knows", api_endpoint=letzshop_sandbox.url)
    assert orders_import(store=catalog_store, triggered_by="scheduler").status == "failed"
    # Another store's trouble is not this store's.
    other = StoreFactory()
    credentials_save(store=other, api_key="another-refused-key", api_endpoint=letzshop_sandbox.url)
    orders_import(store=other, triggered_by="scheduler")
    assert Notification.objects.count() == 2

    log_in(page, live_server, store_user)
    bell = page.locator("#portal-bell")
    expect(bell.locator(".bell-count")).to_have_text("1")
    expect(bell).to_have_attribute("title", "1 unread notification")

    bell.click()
    expect(page).to_have_url(re.compile(r"/store/notifications/\?unread=true$"))
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    title = "Letzshop refused the API key of Demo Store"
    row = page.locator("#list-table tbody tr", has_text=title)
    expect(row).to_contain_text("Unread")
    expect(row).to_contain_text("Enter the store's current Letzshop API key")
    expect(page.locator("#list-table tbody tr")).to_have_count(1)
    screenshot(page, "portal-notifications")

    row.get_by_role("button", name=re.compile("Mark read")).click()
    expect(page.locator("#action-result")).to_contain_text("marked read")
    expect(bell.locator(".bell-count")).to_have_text("0")
    expect(page.locator("#list-table tbody")).to_contain_text("nothing needs you")
    notification = Notification.objects.get(store=catalog_store)
    assert notification.read_at is not None and notification.admin_read_at is None

    # The read ones, and the link to where it is fixed: the store's Letzshop settings.
    page.get_by_label("Shown").select_option("false")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(r"/store/letzshop/$"))
