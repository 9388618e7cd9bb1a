import pytest
from rest_framework.test import APIClient

from config.tests.clients import api_client_for
from stores.tests.factories import MembershipFactory, ProductFactory, StoreFactory

pytestmark = pytest.mark.django_db


def test_token_login_logout(store_user):
    client = APIClient()
    response = client.post("/api/v1/auth/token", {"username": store_user.username, "password": "secret-pass-123"})
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/store/products").status_code == 200
    assert client.delete("/api/v1/auth/token").status_code == 204
    assert client.get("/api/v1/store/products").status_code == 401


def test_wrong_password_is_400(store_user):
    response = APIClient().post("/api/v1/auth/token", {"username": store_user.username, "password": "nope"})
    assert response.status_code == 400


def test_trailing_slash_is_accepted_without_redirect(store_user):
    response = APIClient().post("/api/v1/auth/token/", {"username": store_user.username, "password": "secret-pass-123"})
    assert response.status_code == 200


def test_the_only_store_is_the_current_store(store, store_user):
    own = ProductFactory(store=store)
    ProductFactory()  # another store's
    response = api_client_for(store_user).get("/api/v1/store/products")
    assert [row["id"] for row in response.json()["results"]] == [own.pk]


def test_a_user_of_several_stores_must_name_one(store, store_user):
    second = StoreFactory()
    MembershipFactory(user=store_user, store=second)
    product = ProductFactory(store=second)
    client = api_client_for(store_user)
    response = client.get("/api/v1/store/products")
    assert response.status_code == 400
    assert "X-Store-Id" in response.json()["detail"]
    response = client.get("/api/v1/store/products", HTTP_X_STORE_ID=str(second.pk))
    assert [row["id"] for row in response.json()["results"]] == [product.pk]


def test_a_bad_store_header_says_what_to_send(store_user):
    response = api_client_for(store_user).get("/api/v1/store/products", HTTP_X_STORE_ID="abc")
    assert response.status_code == 400
    assert "X-Store-Id" in response.json()["X-Store-Id"][0]


def test_a_store_of_which_the_user_is_no_member_is_404(store_user, other_store):
    response = api_client_for(store_user).get("/api/v1/store/products", HTTP_X_STORE_ID=str(other_store.pk))
    assert response.status_code == 404


def test_staff_role_reads_but_may_not_change_the_catalog(store, staff_member):
    client = api_client_for(staff_member)
    assert client.get("/api/v1/store/products").status_code == 200
    response = client.post("/api/v1/store/products", {"name": "X", "sku": "X-1"}, format="json")
    assert response.status_code == 403
    assert "owner or manager" in response.json()["detail"]


def test_a_platform_admin_may_act_for_any_store(admin_user, store):
    product = ProductFactory(store=store)
    response = api_client_for(admin_user).get("/api/v1/store/products", HTTP_X_STORE_ID=str(store.pk))
    assert [row["id"] for row in response.json()["results"]] == [product.pk]
    response = api_client_for(admin_user).get(f"/api/v1/admin/stores/{store.pk}/products")
    assert [row["id"] for row in response.json()["results"]] == [product.pk]


def test_me_lists_the_users_stores(store, store_user):
    body = api_client_for(store_user).get("/api/v1/me").json()
    assert body["username"] == store_user.username
    assert body["stores"] == [{"id": store.pk, "name": store.name, "code": store.code, "role": "owner"}]
