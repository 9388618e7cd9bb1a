"""The portal's Plan & usage and Loyalty pages, and an order's points, in headless Chromium.

Run alone with ``make test frontend=store``. Screenshots: docs/screenshots/portal-plan.png,
portal-loyalty.png."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from billing.periods import month_bounds, today
from billing.services import usage_orders_imported
from billing.tests.factories import PlanFactory, SubscriptionFactory
from config.tests.browser import screenshot
from letzshop.models import LetzshopOrder
from letzshop.services.imports import orders_import
from loyalty.models import LoyaltyMember, LoyaltyProgram
from loyalty.services import points_adjust, program_update
from portal.tests.helpers import log_in
from stores.tests.factories import MembershipFactory

pytestmark = [
    pytest.mark.frontend,
    pytest.mark.store_ui,
    pytest.mark.billing,
    pytest.mark.loyalty,
    pytest.mark.django_db(transaction=True),
]

expect.set_options(timeout=15_000)


def test_the_plan_page_shows_usage_bars_and_overage(live_server, page, store, store_user):
    start, end = month_bounds(today())
    plan = PlanFactory(
        code="starter", name="Starter", max_stores=2, monthly_order_limit=10, price_monthly=Decimal("49")
    )
    SubscriptionFactory(merchant=store.merchant, plan=plan, current_period_start=start, current_period_end=end)
    usage_orders_imported(store=store, new_order_ids=list(range(12)))

    log_in(page, live_server, store_user, next_path="/store/plan/")
    page.get_by_role("link", name="Plan & usage").click()
    expect(page.get_by_role("heading", name="Plan Starter")).to_be_visible()
    expect(page.locator("#usage-orders")).to_contain_text("12 of 10")
    expect(page.locator("#usage-orders progress")).to_have_attribute("max", "10")
    expect(page.locator("#usage-stores")).to_contain_text("1 of 2")
    expect(page.locator("#usage-overage")).to_contain_text("2 orders over the limit")
    expect(page.locator("#invoices-table tbody")).to_contain_text("No invoice yet")
    screenshot(page, "portal-plan")


def test_staff_see_the_plan_but_not_the_invoices(live_server, page, store):
    SubscriptionFactory(merchant=store.merchant)
    staff = MembershipFactory(store=store, role="staff").user
    log_in(page, live_server, staff, next_path="/store/plan/")
    expect(page.locator("#usage-orders")).to_be_visible()
    expect(page.get_by_text("Only the store's owners and managers see the invoices.")).to_be_visible()


def test_a_manager_sets_the_program_finds_a_member_and_adjusts_the_balance(live_server, page, store, store_user):
    log_in(page, live_server, store_user, next_path="/store/loyalty/")
    expect(page.get_by_role("heading", name="Loyalty", level=1)).to_be_visible()
    page.get_by_label("Customers earn points").check()
    page.get_by_label("Points per euro").fill("2.5")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#program-result")).to_contain_text("2.5 points per euro")
    program = LoyaltyProgram.objects.get(merchant=store.merchant)
    assert program.active and program.points_per_eur == Decimal("2.50")

    form = page.locator("#adjust-form")
    form.get_by_label("E-mail").fill("anna@example.lu")
    form.get_by_label("Points (negative to take away)").fill("30")
    form.get_by_label("Reason").fill("Welcome gift")
    form.get_by_role("button", name="Adjust").click()
    expect(page.locator("#adjust-result")).to_contain_text("anna@example.lu now has 30 points")

    form.get_by_label("E-mail").fill("anna@example.lu")
    form.get_by_label("Points (negative to take away)").fill("-31")
    form.get_by_label("Reason").fill("Too much")
    form.get_by_role("button", name="Adjust").click()
    expect(page.locator("#adjust-points-error")).to_contain_text("cannot go below zero")
    assert LoyaltyMember.objects.get(email="anna@example.lu").points_balance == 30

    points_adjust(merchant=store.merchant, email="ben@example.lu", points=5, reason="Gift")
    page.locator("#filters").get_by_label("E-mail").fill("anna")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"email=anna"))
    rows = page.locator("#list-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Welcome gift")
    expect(rows.first).to_contain_text("+30")
    screenshot(page, "portal-loyalty")


def test_the_order_page_shows_the_points_the_order_earned(live_server, page, connected_store, store_user):
    from letzshop.services.fulfillment import order_confirm, queue_item_process

    program_update(merchant=connected_store.merchant, data={"active": True, "points_per_eur": Decimal("1")})
    orders_import(store=connected_store, triggered_by="command")
    order = next(
        o
        for o in LetzshopOrder.objects.filter(store=connected_store).select_related("local_order").order_by("pk")
        if not o.local_order.item_exceptions.exists() and o.local_order.customer_email
    )
    item, _created = order_confirm(order=order)
    queue_item_process(item_id=item.pk)
    member = LoyaltyMember.objects.get()
    assert member.points_balance > 0

    log_in(page, live_server, store_user, next_path=f"/store/orders/{order.pk}/")
    total = page.locator("#order-points-total")
    expect(total).to_contain_text(f"{member.points_balance} points for {member.email}")
    expect(page.locator("#order-points")).to_contain_text("Earned (units confirmed)")


def test_the_settings_page_refuses_an_interval_under_the_plans_minimum(live_server, page, store, store_user):
    from letzshop.models import StoreLetzshopCredentials

    plan = PlanFactory(code="starter", name="Starter", min_sync_interval_minutes=30)
    SubscriptionFactory(merchant=store.merchant, plan=plan)
    log_in(page, live_server, store_user, next_path="/store/letzshop/")
    page.get_by_label("API key").fill("letz-key-12345")
    page.get_by_label("Import new orders automatically").check()
    page.get_by_label("Sync interval (minutes)").fill("10")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#sync_interval_minutes-error")).to_contain_text("The plan Starter syncs at most every 30")
    assert not StoreLetzshopCredentials.objects.filter(store=store).exists()
    page.get_by_label("Sync interval (minutes)").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-result")).to_be_visible()
    expect(page.locator("#sync_interval_minutes-error")).to_be_hidden()
