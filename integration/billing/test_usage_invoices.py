"""Usage counted on import, the 80 % and 100 % notifications, and the period close's invoices."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Invoice, Subscription, SubscriptionChange, UsagePeriod
from billing.services import periods_close, subscription_period_close, subscription_set, usage_orders_imported
from billing.signals import InvoiceImmutable
from billing.tests.factories import PlanFactory, SubscriptionFactory
from letzshop.services.imports import orders_import
from notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.billing]


def test_orders_are_counted_when_imported_and_never_refused(store, subscription, letzshop_sandbox):
    from letzshop.services.credentials import credentials_save
    from sandbox import DEFAULT_API_KEY

    credentials_save(store=store, api_key=DEFAULT_API_KEY, api_endpoint=letzshop_sandbox.url)
    result = orders_import(store=store, triggered_by="command")
    assert result.orders_imported > subscription.plan.monthly_order_limit  # over the limit, all imported
    usage = UsagePeriod.objects.get(merchant=store.merchant, period_start=subscription.current_period_start)
    assert usage.orders_imported == result.orders_imported
    again = orders_import(store=store, triggered_by="command")  # a re-import counts nothing twice
    assert again.orders_imported == 0
    usage.refresh_from_db()
    assert usage.orders_imported == result.orders_imported
    kinds = Notification.objects.filter(kind="plan_usage", store=store).values_list("level", flat=True)
    assert sorted(kinds) == ["error", "warning"]  # 80 % and 100 %, once each


def test_the_80_and_100_percent_notifications_come_once_per_period(store, subscription):
    usage_orders_imported(store=store, new_order_ids=[1, 2, 3, 4, 5, 6, 7])
    assert Notification.objects.filter(kind="plan_usage").count() == 0
    usage_orders_imported(store=store, new_order_ids=[8])
    assert list(Notification.objects.filter(kind="plan_usage").values_list("level", flat=True)) == ["warning"]
    usage_orders_imported(store=store, new_order_ids=[9])
    assert Notification.objects.filter(kind="plan_usage").count() == 1
    usage_orders_imported(store=store, new_order_ids=[10, 11])
    assert Notification.objects.filter(kind="plan_usage").count() == 2
    usage_orders_imported(store=store, new_order_ids=[12])
    assert Notification.objects.filter(kind="plan_usage").count() == 2


def test_the_subscription_shows_usage_and_overage_to_the_owner_and_the_admins(
    store, store_api, admin_api, subscription
):
    usage_orders_imported(store=store, new_order_ids=list(range(13)))
    body = store_api.get("/api/v1/store/subscription").json()
    assert body["plan"]["code"] == "starter"
    assert body["usage"] == {"stores": 1, "orders_imported": 13, "overage_orders": 3, "orders_percent": 130,
                             "stores_percent": 100}  # fmt: skip
    admin = admin_api.get(f"/api/v1/admin/merchants/{store.merchant_id}/subscription").json()
    assert admin["usage"]["overage_orders"] == 3
    assert store_api.put("/api/v1/store/subscription", {}, format="json").status_code == 405


def test_closing_a_period_twice_gives_one_invoice(store, subscription, settings):
    settings.BILLING_VAT_RATE = Decimal("0.17")
    usage_orders_imported(store=store, new_order_ids=list(range(14)))  # 4 over the limit of 10
    after = timezone.make_aware(datetime.combine(subscription.current_period_end, datetime.min.time()))
    first = periods_close(now=after)
    second = periods_close(now=after)
    assert first == {"periods_closed": 1, "invoices": 1}
    assert second == {"periods_closed": 0, "invoices": 0}
    invoice = Invoice.objects.get()
    assert invoice.overage_orders == 4
    assert invoice.subtotal == Decimal("50.00")  # 49.00 + 4 × 0.25
    assert (invoice.vat_amount, invoice.total) == (Decimal("8.50"), Decimal("58.50"))
    assert [line["amount"] for line in invoice.lines] == ["49.00", "1.00"]
    subscription.refresh_from_db()
    assert subscription.current_period_start == invoice.period_end
    # The same period closed again by hand: still one invoice.
    Subscription.objects.filter(pk=subscription.pk).update(
        current_period_start=invoice.period_start, current_period_end=invoice.period_end
    )
    closed, again = subscription_period_close(subscription_id=subscription.pk, now=after)
    assert closed and again.pk == invoice.pk
    assert Invoice.objects.count() == 1


def test_invoice_numbers_have_no_gaps_and_invoices_never_change(db):
    after = timezone.make_aware(datetime(2026, 12, 2))
    for _ in range(3):
        SubscriptionFactory(current_period_start=date(2026, 11, 1), current_period_end=date(2026, 12, 1))
    SubscriptionFactory(status=Subscription.Status.CANCELED)  # closed without an invoice
    periods_close(now=after)
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [1, 2, 3]
    invoice = Invoice.objects.first()
    invoice.total = Decimal("1.00")
    with pytest.raises(InvoiceImmutable):
        invoice.save()
    with pytest.raises(InvoiceImmutable):
        invoice.delete()


def test_a_plan_change_is_logged_with_who_made_it(store, admin_api, admin_user, subscription):
    PlanFactory(code="pro", name="Pro", max_stores=5)
    response = admin_api.put(
        f"/api/v1/admin/merchants/{store.merchant_id}/subscription", {"plan": "pro", "status": "active"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["plan"]["code"] == "pro"
    change = SubscriptionChange.objects.get()
    assert (change.old_plan_code, change.new_plan_code, change.changed_by) == ("starter", "pro", admin_user)


def test_a_plan_with_fewer_stores_than_the_merchant_has_is_refused(store, subscription):
    from config.errors import Conflict
    from stores.services import store_create

    subscription.plan.max_stores = 2
    subscription.plan.save()
    store_create(merchant=store.merchant, name="Second")
    PlanFactory(code="solo", name="Solo", max_stores=1)
    with pytest.raises(Conflict):
        subscription_set(merchant=store.merchant, plan_code="solo")


def test_plans_through_the_admin_api(admin_api):
    body = {
        "code": "growth",
        "name": "Growth",
        "max_stores": 3,
        "min_sync_interval_minutes": 15,
        "monthly_order_limit": 500,
        "price_monthly": "99.00",
        "is_active": True,
    }
    assert admin_api.post("/api/v1/admin/plans", body, format="json").status_code == 201
    assert admin_api.get("/api/v1/admin/plans/growth").json()["name"] == "Growth"
    assert admin_api.patch("/api/v1/admin/plans/growth", {"is_active": False}, format="json").status_code == 200
    bad = admin_api.post("/api/v1/admin/plans", {**body, "code": "x", "price_monthly": "1e20"}, format="json")
    assert bad.status_code == 400 and "price_monthly" in bad.json()
    retired = admin_api.put("/api/v1/admin/merchants/999999/subscription", {"plan": "growth"}, format="json")
    assert retired.status_code == 404


def test_the_admin_exports_invoices_as_csv(client, admin_user, store, subscription):
    periods_close(now=timezone.make_aware(datetime.combine(subscription.current_period_end, datetime.min.time())))
    invoice = Invoice.objects.get()
    client.force_login(admin_user)
    response = client.post("/admin/billing/invoice/", {"action": "export_csv", "_selected_action": [invoice.pk]})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "number" and rows[1][0] == "INV-000001"
    assert client.get(f"/admin/billing/invoice/{invoice.pk}/change/").status_code == 200


def test_the_store_sees_its_merchants_invoices_only(store, store_api, subscription, other_store):
    SubscriptionFactory(merchant=other_store.merchant)
    periods_close(now=timezone.make_aware(datetime(2027, 1, 2)))
    body = store_api.get("/api/v1/store/invoices").json()
    numbers = {row["number"] for row in body["results"]}
    assert Invoice.objects.count() >= 2
    assert numbers == {i.display_number for i in Invoice.objects.filter(merchant=store.merchant)}


def test_orders_imported_after_the_period_ended_count_in_the_next_one(store, db):
    from billing.periods import month_bounds, today

    start, end = month_bounds(today())
    previous_start, _previous_end = month_bounds(date.fromordinal(start.toordinal() - 1))
    subscription = SubscriptionFactory(
        merchant=store.merchant, current_period_start=previous_start, current_period_end=start
    )  # fmt: skip  (ended, not closed yet)
    usage_orders_imported(store=store, new_order_ids=[1, 2])
    assert not UsagePeriod.objects.filter(period_start=previous_start).exists()
    assert UsagePeriod.objects.get(period_start=start).orders_imported == 2
    periods_close()
    subscription.refresh_from_db()
    assert (subscription.current_period_start, subscription.current_period_end) == (start, end)
    assert Invoice.objects.get().orders_imported == 0


def test_the_command_closes_ended_periods_once(db):
    from io import StringIO

    from django.core.management import call_command

    SubscriptionFactory(current_period_start=date(2025, 1, 1), current_period_end=date(2025, 2, 1))
    out = StringIO()
    call_command("billing_close_periods", stdout=out)
    assert "invoice(s) written" in out.getvalue()
    written = Invoice.objects.count()
    assert written >= 2  # month by month up to now
    call_command("billing_close_periods", stdout=StringIO())
    assert Invoice.objects.count() == written
