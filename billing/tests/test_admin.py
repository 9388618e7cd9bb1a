"""Billing in the Django admin: subscriptions with their usage, plan changes logged, lists cheap."""

import pytest

from billing.models import Subscription, SubscriptionChange
from billing.services import usage_orders_imported
from billing.tests.factories import PlanFactory, SubscriptionFactory
from config.tests.clients import api_client_for
from stores.tests.factories import StoreFactory

pytestmark = [pytest.mark.django_db, pytest.mark.billing]


def test_a_plan_change_in_the_admin_is_logged_and_checked(client, admin_user, store, subscription):
    PlanFactory(code="pro", name="Pro", max_stores=5)
    client.force_login(admin_user)
    url = f"/admin/billing/subscription/{subscription.pk}/change/"
    pro = PlanFactory(code="pro")
    response = client.post(url, {"plan": pro.pk, "status": "past_due", "changes-TOTAL_FORMS": "0",
                                 "changes-INITIAL_FORMS": "0"})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    subscription.refresh_from_db()
    assert (subscription.plan.code, subscription.status) == ("pro", "past_due")
    change = SubscriptionChange.objects.get()
    assert (change.old_plan_code, change.new_plan_code, change.changed_by) == ("starter", "pro", admin_user)
    # A retired plan is refused on the form.
    retired = PlanFactory(code="old", name="Old", is_active=False, max_stores=5)
    response = client.post(url, {"plan": retired.pk, "status": "active", "changes-TOTAL_FORMS": "0",
                                 "changes-INITIAL_FORMS": "0"})  # fmt: skip
    assert response.status_code == 200 and "retired" in response.content.decode()
    assert Subscription.objects.get().plan.code == "pro"


def test_the_subscription_list_shows_usage_in_a_constant_number_of_queries(
    client, admin_user, django_assert_max_num_queries
):
    for _ in range(12):
        store = StoreFactory()
        subscription = SubscriptionFactory(merchant=store.merchant)
        usage_orders_imported(store=store, new_order_ids=list(range(11)))
    client.force_login(admin_user)
    with django_assert_max_num_queries(14):
        response = client.get("/admin/billing/subscription/")
    assert response.status_code == 200
    assert "11 / 10 orders (110 %), 1 / 2 stores · 1 over the limit" in response.content.decode()
    assert subscription.pk


def test_staff_of_a_store_do_not_read_the_invoices(store, staff_member, subscription):
    assert api_client_for(staff_member).get("/api/v1/store/invoices").status_code == 403
    assert api_client_for(staff_member).get("/api/v1/store/subscription").status_code == 200
