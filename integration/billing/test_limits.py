"""A plan's limits at every entry point: the API, the admin, the portal's API calls."""

import pytest

from config.tests.clients import api_client_for
from letzshop.services.credentials import credentials_save
from stores.models import Store
from stores.services import store_create
from stores.tests.factories import StoreFactory

pytestmark = [pytest.mark.django_db, pytest.mark.billing]


def test_a_store_beyond_the_plan_is_refused_through_the_api_naming_the_plan(admin_api, store, subscription):
    response = admin_api.post(
        "/api/v1/admin/stores", {"merchant_id": store.merchant_id, "name": "Second"}, format="json"
    )
    assert response.status_code == 409, response.content
    assert "Starter" in response.json()["detail"]
    assert Store.objects.filter(merchant=store.merchant).count() == 1


def test_a_larger_plan_lets_the_store_in(admin_api, store, subscription):
    subscription.plan.max_stores = 2
    subscription.plan.save()
    response = admin_api.post(
        "/api/v1/admin/stores", {"merchant_id": store.merchant_id, "name": "Second"}, format="json"
    )
    assert response.status_code == 201, response.content


def test_a_store_moved_to_a_full_merchant_is_refused(admin_api, store, subscription):
    elsewhere = StoreFactory()
    response = admin_api.patch(
        f"/api/v1/admin/stores/{elsewhere.pk}", {"merchant_id": store.merchant_id}, format="json"
    )
    assert response.status_code == 409
    elsewhere.refresh_from_db()
    assert elsewhere.merchant_id != store.merchant_id


def test_a_merchant_without_a_plan_has_no_store_limit(store):
    assert store_create(merchant=store.merchant, name="Free two").merchant_id == store.merchant_id


def test_the_admin_refuses_a_store_beyond_the_plan(client, admin_user, store, subscription):
    client.force_login(admin_user)
    response = client.post(
        "/admin/stores/store/add/",
        {
            "merchant": store.merchant_id,
            "name": "Second",
            "code": "second",
            "is_active": "on",
            "domains-TOTAL_FORMS": "0",
            "domains-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "Starter" in response.content.decode()
    assert not Store.objects.filter(code="second").exists()


def test_an_interval_under_the_plans_minimum_is_refused_through_the_store_api(store, store_user, subscription):
    client = api_client_for(store_user)
    response = client.post(
        "/api/v1/store/letzshop/credentials",
        {"api_key": "letz-key-12345", "auto_sync_enabled": True, "sync_interval_minutes": 15},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "sync_interval_minutes" in response.json()
    assert "Starter" in response.json()["sync_interval_minutes"][0]
    response = client.post(
        "/api/v1/store/letzshop/credentials",
        {"api_key": "letz-key-12345", "auto_sync_enabled": True, "sync_interval_minutes": 30},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_the_admin_credentials_form_refuses_a_short_interval(client, admin_user, store, subscription):
    client.force_login(admin_user)
    response = client.post(
        f"/admin/letzshop/letzshopstore/{store.pk}/credentials/",
        {"api_key": "letz-key-12345", "api_endpoint": "https://letzshop.lu/graphql", "sync_interval_minutes": 10},
    )
    assert response.status_code == 200
    assert "Starter" in response.content.decode()
    from letzshop.models import StoreLetzshopCredentials

    assert not StoreLetzshopCredentials.objects.filter(store=store).exists()


def test_switching_auto_sync_on_with_a_short_interval_is_refused(store, subscription):
    from config.errors import InvalidInput

    subscription.plan.min_sync_interval_minutes = 5
    subscription.plan.save()
    credentials_save(store=store, api_key="letz-key-12345", sync_interval_minutes=10)
    subscription.plan.min_sync_interval_minutes = 60
    subscription.plan.save()
    with pytest.raises(InvalidInput) as refused:
        credentials_save(store=store, auto_sync_enabled=True, partial=True)
    assert refused.value.field == "sync_interval_minutes"


def test_the_admins_enable_autosync_action_refuses_a_short_interval(admin_client, store, subscription):
    from django.contrib.messages import get_messages
    from django_celery_beat.models import PeriodicTask

    credentials_save(store=store, api_key="letz-key-12345", sync_interval_minutes=30)
    subscription.plan.min_sync_interval_minutes = 60
    subscription.plan.save()
    response = admin_client.post(
        "/admin/letzshop/letzshopstore/",
        {"action": "enable_autosync", "_selected_action": [str(store.pk)], "index": "0"},
    )
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("Starter" in message and "60" in message for message in messages), messages
    assert not PeriodicTask.objects.get(name=f"letzshop-import-store-{store.pk}").enabled
