"""The admin's bell and notification list, in headless Chromium, after a real refusal of a key."""

import pytest
from playwright.sync_api import expect

from config.tests.browser import screenshot
from letzshop.imports import orders_import
from letzshop.services.credentials import credentials_save
from notifications.models import Notification

pytestmark = [pytest.mark.frontend, pytest.mark.admin_ui, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"  # stores.tests.factories.UserFactory's


@pytest.fixture
def refused_store(store, letzshop_sandbox):
    """A store whose saved key Letzshop refuses, after an import that met the refusal."""
    credentials_save(store=store, api_key="a-key-letzshop-no-longer-knows", api_endpoint=letzshop_sandbox.url)
    assert orders_import(store=store, triggered_by="scheduler").status == "failed"
    return store


def test_the_bell_counts_unread_notifications_and_the_list_marks_them_read(
    live_server, page, admin_user, refused_store
):
    admin_user.email = "ops@example.lu"
    admin_user.save(update_fields=["email"])
    page.add_init_script("window.localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/letzshop/letzshopstore/")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    bell = page.locator("#ls-bell")
    expect(bell.locator(".ls-bell-count")).to_have_text("1")
    expect(bell).to_have_attribute("title", "1 unread notification")
    # The dashboard's operations panel tells the same, and which store's imports fail.
    panel = page.locator("#ls-operations")
    expect(panel.locator("#ls-ops-failing")).to_contain_text(refused_store.name)
    expect(panel.locator("#ls-ops-notifications")).to_contain_text("1 unread notification")
    screenshot(page, "admin-operations")

    bell.click()
    title = f"Letzshop refused the API key of {refused_store.name}"
    row = page.locator("#result_list tbody tr", has_text=title)
    expect(row).to_contain_text("unread")
    expect(row).to_contain_text("Enter the store's current Letzshop API key")
    screenshot(page, "admin-notifications")

    # The admin asks for e-mails about the next failures.
    page.get_by_role("button", name="E-mail me about each new failure").click()
    expect(page.locator("ul.messagelist")).to_contain_text("ops@example.lu")
    expect(page.get_by_role("button", name="Stop e-mailing me")).to_be_visible()

    page.goto(f"{live_server.url}/admin/notifications/notification/?read=unread")
    page.locator("#result_list tbody tr", has_text=title).get_by_role("button", name="Mark read").click()
    expect(page.locator("#ls-bell .ls-bell-count")).to_have_text("0")
    notification = Notification.objects.get()
    assert notification.admin_read_at is not None and notification.read_at is None  # the store's is its own

    # Opening it goes where it is fixed: the store's credentials.
    page.goto(f"{live_server.url}/admin/notifications/notification/")
    page.get_by_role("link", name=title).click()
    expect(page).to_have_url(f"{live_server.url}/admin/letzshop/letzshopstore/{refused_store.pk}/credentials/")
