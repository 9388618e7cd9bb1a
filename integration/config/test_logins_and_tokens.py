"""Tokens per login, hashed and expiring; throttled logins; who may call /api/v1/admin
(docs/security.md)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from config.tests.clients import api_client_for
from stores.models import StoreMembership
from stores.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"


def _login(username, password=PASSWORD, **extra):
    return APIClient().post("/api/v1/auth/token", {"username": username, "password": password}, format="json", **extra)


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_each_login_gets_its_own_token_stored_hashed(store_user):
    first, second = _login(store_user.username).json(), _login(store_user.username).json()
    assert first["token"] != second["token"] and first["expiry"]
    stored = list(AuthToken.objects.filter(user=store_user).values_list("digest", flat=True))
    assert len(stored) == 2 and first["token"] not in stored and second["token"] not in stored
    assert _bearer(first["token"]).get("/api/v1/me").status_code == 200


def test_delete_revokes_only_the_calling_token_and_all_1_every_token(store_user):
    tokens = [_login(store_user.username).json()["token"] for _ in range(3)]
    assert _bearer(tokens[0]).delete("/api/v1/auth/token").status_code == 204
    assert _bearer(tokens[0]).get("/api/v1/me").status_code == 401
    assert _bearer(tokens[1]).get("/api/v1/me").status_code == 200
    assert _bearer(tokens[1]).delete("/api/v1/auth/token?all=1").status_code == 204
    assert _bearer(tokens[2]).get("/api/v1/me").status_code == 401


def test_a_token_expires_after_the_ttl(store_user):
    token = _login(store_user.username).json()["token"]
    AuthToken.objects.filter(user=store_user).update(expiry=timezone.now() - timedelta(seconds=1))
    assert _bearer(token).get("/api/v1/me").status_code == 401
    assert not AuthToken.objects.filter(user=store_user).exists()


def test_the_ttl_is_a_setting(store_user, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(hours=2)}
    _login(store_user.username)
    expiry = AuthToken.objects.get(user=store_user).expiry
    assert timedelta(hours=1, minutes=59) < expiry - timezone.now() <= timedelta(hours=2)


def test_a_password_change_revokes_every_token(store_user):
    token = _login(store_user.username).json()["token"]
    store_user.set_password("another-pass-456")
    store_user.save()
    assert _bearer(token).get("/api/v1/me").status_code == 401


def test_a_token_header_that_is_not_utf8_is_401_not_500(store_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer \xe9\xff\xfe")
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("limit", [3])
def test_api_logins_are_throttled_per_username(store_user, settings, limit):
    settings.AXES_FAILURE_LIMIT = limit
    codes = [_login(store_user.username, "wrong").status_code for _ in range(limit)]
    assert codes[:-1] == [400] * (limit - 1) and codes[-1] == 429
    locked = _login(store_user.username)  # the right password, too late
    assert locked.status_code == 429 and int(locked["Retry-After"]) == 15 * 60
    assert "try again" in locked.json()["detail"]
    # Another user from another address is not concerned.
    other = UserFactory()
    assert _login(other.username, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_api_logins_are_throttled_per_address(settings):
    settings.AXES_FAILURE_LIMIT = 10
    codes = [_login(f"nobody-{n}", "wrong", REMOTE_ADDR="10.0.0.7").status_code for n in range(10)]
    assert codes[:9] == [400] * 9 and codes[9] == 429
    user = UserFactory()
    assert _login(user.username, REMOTE_ADDR="10.0.0.7").status_code == 429
    assert _login(user.username, REMOTE_ADDR="10.0.0.8").status_code == 200


@pytest.mark.parametrize("url", ["/admin/login/", "/store/login/"])
def test_page_logins_are_throttled(url, store_user, settings):
    settings.AXES_FAILURE_LIMIT = 10
    client = Client()
    codes = [client.post(url, {"username": store_user.username, "password": "wrong"}).status_code for _ in range(10)]
    assert codes[:9] == [200] * 9 and codes[9] == 429
    locked = client.post(url, {"username": store_user.username, "password": PASSWORD})
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0


# -- the admin API decides as the Django admin ---------------------------------------------------


def _staff(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_staff_without_permissions_gets_403_everywhere(store, other_store):
    client = api_client_for(_staff())
    assert client.get("/api/v1/admin/merchants").status_code == 403
    assert client.patch(f"/api/v1/admin/merchants/{store.merchant_id}", {"name": "X"}, format="json").status_code == 403
    body = {"username": "sneaky", "password": "Very-long-pass-987", "is_staff": True}
    assert client.post("/api/v1/admin/users", body, format="json").status_code == 403
    assert client.get(f"/api/v1/admin/letzshop/stores/{other_store.pk}/credentials").status_code == 403
    assert client.get(f"/api/v1/admin/stores/{store.pk}/products").status_code == 403
    # Nor through the store API with the store's id.
    assert client.get("/api/v1/store/products", HTTP_X_STORE_ID=str(store.pk)).status_code == 404


def test_staff_may_do_what_its_model_permissions_allow(store):
    client = api_client_for(_staff("view_merchant", "view_product"))
    assert client.get("/api/v1/admin/merchants").status_code == 200
    assert client.patch(f"/api/v1/admin/merchants/{store.merchant_id}", {"name": "X"}, format="json").status_code == 403
    assert client.get(f"/api/v1/admin/stores/{store.pk}/products").status_code == 200
    body = {"name": "Mug", "sku": "M-1"}
    assert client.post(f"/api/v1/admin/stores/{store.pk}/products", body, format="json").status_code == 403
    writer = api_client_for(_staff("change_merchant", "add_product"))
    assert writer.patch(f"/api/v1/admin/merchants/{store.merchant_id}", {"name": "X"}, format="json").status_code == 200
    assert writer.post(f"/api/v1/admin/stores/{store.pk}/products", body, format="json").status_code == 201


def test_a_superuser_may_do_everything(admin_api, store):
    assert admin_api.get("/api/v1/admin/merchants").status_code == 200
    assert admin_api.get(f"/api/v1/admin/stores/{store.pk}/members").status_code == 200


def test_a_member_is_taken_off_a_store(admin_api, store, store_user):
    url = f"/api/v1/admin/stores/{store.pk}/members/{store_user.pk}"
    assert api_client_for(_staff("view_storemembership")).delete(url).status_code == 403
    assert admin_api.delete(url).status_code == 204
    assert not StoreMembership.objects.filter(store=store, user=store_user).exists()
    assert admin_api.delete(url).status_code == 404
    assert api_client_for(store_user).get("/api/v1/store/products").status_code == 403


# -- ids from outside ------------------------------------------------------------------------

HUGE = str(2**64 + 5)


@pytest.mark.parametrize(
    ("url", "header", "field"),
    [
        ("/api/v1/store/products", HUGE, "X-Store-Id"),
        (f"/api/v1/store/order-exceptions?order={HUGE}", None, "order"),
        (f"/api/v1/admin/order-exceptions?store_id={HUGE}", None, "store_id"),
        (f"/api/v1/admin/products?store_id={HUGE}", None, "store_id"),
        (f"/api/v1/admin/orders?store_id={HUGE}", None, "store_id"),
        (f"/api/v1/admin/notifications?store_id={HUGE}", None, "store_id"),
        (f"/api/v1/admin/stores/{HUGE}/products", None, "store_pk"),
        (f"/api/v1/admin/merchants/{HUGE}", None, "pk"),
    ],
)
def test_ids_over_64_bits_are_400_naming_the_field(admin_api, store_api, url, header, field):
    client = store_api if url.startswith("/api/v1/store") else admin_api
    extra = {"HTTP_X_STORE_ID": header} if header else {}
    response = client.get(url, **extra)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_membership_roles_still_hold(store, store_user):
    member = MembershipFactory(store=store, role="staff").user
    assert api_client_for(member).post("/api/v1/store/products", {"name": "X"}, format="json").status_code == 403
