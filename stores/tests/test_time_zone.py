"""A store's time zone: an IANA name, set by the platform's admins, used by the store's portal."""

import pytest
from django.test import Client

from stores.models import Store

pytestmark = pytest.mark.django_db


def test_a_new_store_takes_the_platforms_time_zone(store, settings):
    assert store.time_zone == settings.TIME_ZONE == "Europe/Luxembourg"


def test_the_admin_api_sets_a_time_zone_and_refuses_what_is_not_one(store, admin_api):
    url = f"/api/v1/admin/stores/{store.pk}"
    response = admin_api.patch(url, {"time_zone": "America/New_York"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["time_zone"] == "America/New_York"
    for bad in ["Mars/Olympus", "", "x" * 100, ["Europe/Paris"]]:
        response = admin_api.patch(url, {"time_zone": bad}, format="json")
        assert response.status_code == 400 and response.json()["time_zone"], (bad, response.content)
    store.refresh_from_db()
    assert store.time_zone == "America/New_York"


def test_the_admin_form_offers_the_time_zones_and_keeps_the_one_chosen(store, admin_user):
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/admin/stores/store/{store.pk}/change/")
    assert page.status_code == 200
    assert '<option value="Europe/Luxembourg" selected>' in page.content.decode()
    form = {
        "merchant": store.merchant_id,
        "name": store.name,
        "code": store.code,
        "is_active": "on",
        "time_zone": "Asia/Tokyo",
        **{f"{prefix}-{key}": value for prefix in ("domains", "memberships") for key, value in
           (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"), ("MIN_NUM_FORMS", "0"), ("MAX_NUM_FORMS", "1000"))},
    }  # fmt: skip
    response = client.post(f"/admin/stores/store/{store.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Store.objects.get(pk=store.pk).time_zone == "Asia/Tokyo"
