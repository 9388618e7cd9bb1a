from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from letzshop.models import StoreLetzshopCredentials
from sandbox.catalog import demo_catalog
from stores.models import Product, Store, StoreMembership


@pytest.mark.django_db
def test_seed_demo_creates_the_demo_once_through_the_services():
    out = StringIO()
    call_command("seed_demo", "--sandbox-url", "http://127.0.0.1:8765/graphql", stdout=out)
    call_command("seed_demo", "--sandbox-url", "http://127.0.0.1:9999/graphql", stdout=StringIO())

    users = get_user_model().objects
    admin = users.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password("letzshop-admin")
    store = Store.objects.get(code="demo-store")
    assert StoreMembership.objects.get(store=store, user__username="store").role == "owner"
    assert users.get(username="store").check_password("letzshop-store")
    # The store service creates the placeholder; the catalog import upserts by SKU.
    assert Product.objects.filter(store=store, is_placeholder=True).count() == 1
    assert Product.objects.filter(store=store, is_placeholder=False).count() == len(demo_catalog())
    # A second run only moves the credentials to the new endpoint.
    assert StoreLetzshopCredentials.objects.get(store=store).api_endpoint == "http://127.0.0.1:9999/graphql"
    assert Store.objects.count() == 1 and users.count() == 2
    assert "Demo ready." in out.getvalue()


@pytest.mark.django_db
@pytest.mark.billing
@pytest.mark.loyalty
def test_seed_demo_puts_the_merchant_on_a_plan_with_a_loyalty_program():
    from billing.models import Plan, Subscription, SubscriptionChange
    from loyalty.models import LoyaltyProgram

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    subscription = Subscription.objects.get(merchant__name="Demo Merchant")
    assert (subscription.plan.code, subscription.status) == ("starter", "active")
    assert Plan.objects.count() == 1 and SubscriptionChange.objects.count() == 1  # the second run changes nothing
    assert LoyaltyProgram.objects.get(merchant=subscription.merchant).active
