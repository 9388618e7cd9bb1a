import pytest

from stores.models import Store, StoreMembership
from stores.tests.factories import ProductFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_merchant_crud(admin_api):
    response = admin_api.post("/api/v1/admin/merchants", {"name": "Maison Lux", "email": "hi@maison.lu"}, format="json")
    assert response.status_code == 201
    merchant = response.json()
    assert set(merchant) == {"id", "name", "email", "is_active", "created_at"}
    url = f"/api/v1/admin/merchants/{merchant['id']}"
    assert admin_api.patch(url, {"is_active": False}, format="json").json()["is_active"] is False
    assert admin_api.delete(url).status_code == 204


def test_a_merchant_with_stores_is_not_deleted(admin_api):
    store = StoreFactory()
    response = admin_api.delete(f"/api/v1/admin/merchants/{store.merchant_id}")
    assert response.status_code == 409


def test_store_create_with_a_unique_code(admin_api):
    merchant = StoreFactory().merchant
    payload = {"merchant_id": merchant.pk, "name": "Épicerie Fine", "code": "epicerie-fine"}
    response = admin_api.post("/api/v1/admin/stores", payload, format="json")
    assert response.status_code == 201, response.content
    assert set(response.json()) == {"id", "merchant_id", "name", "code", "is_active", "time_zone", "created_at"}
    # Every store gets its placeholder product for unmatched items.
    assert Store.objects.get(code="epicerie-fine").products.filter(is_placeholder=True).count() == 1
    again = admin_api.post("/api/v1/admin/stores", payload, format="json")
    assert again.status_code == 400
    assert "taken" in again.json()["code"][0]


def test_users_and_members(admin_api, store):
    response = admin_api.post(
        "/api/v1/admin/users", {"username": "anna", "password": "Lux-embourg-2026", "email": "anna@x.lu"}, format="json"
    )
    assert response.status_code == 201
    user = response.json()
    assert "password" not in user
    url = f"/api/v1/admin/stores/{store.pk}/members"
    response = admin_api.post(url, {"user_id": user["id"], "role": "manager"}, format="json")
    assert response.status_code == 201
    assert StoreMembership.objects.get(store=store, user_id=user["id"]).role == "manager"
    assert [m["username"] for m in admin_api.get(url).json()["results"]] == ["anna"]
    bad = admin_api.post(url, {"user_id": user["id"], "role": "king"}, format="json")
    assert bad.status_code == 400


def test_weak_password_is_refused(admin_api):
    response = admin_api.post("/api/v1/admin/users", {"username": "bob", "password": "123"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_product_search_across_catalogs(admin_api):
    honey = ProductFactory(name="Organic Honey")
    ProductFactory(name="Honey Mustard")
    rows = admin_api.get("/api/v1/admin/products", {"store_id": honey.store_id, "search": "honey"}).json()["results"]
    assert [row["id"] for row in rows] == [honey.pk]
    assert rows[0]["store_id"] == honey.store_id
    assert len(admin_api.get("/api/v1/admin/products", {"search": "honey"}).json()["results"]) == 2


def test_users_list_is_for_admins(admin_api):
    UserFactory(username="zed")
    assert "zed" in [u["username"] for u in admin_api.get("/api/v1/admin/users").json()["results"]]
