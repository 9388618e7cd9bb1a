import pytest

from exceptions.models import OrderItemException
from exceptions.tests.factories import OrderItemExceptionFactory
from stores.models import Product
from stores.services import placeholder_product_get
from stores.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_create_read_update_delete_a_product(store_api):
    response = store_api.post(
        "/api/v1/store/products",
        {"name": "Crémant", "sku": "CR-1", "gtin": "4006381333931", "price": "14.9"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["price"] == "14.90"
    assert body["gtin_type"] == "gtin13"
    assert body["exceptions_resolved"] == 0
    url = f"/api/v1/store/products/{body['id']}"
    assert store_api.get(url).json()["name"] == "Crémant"
    assert store_api.patch(url, {"price": "15.50"}, format="json").json()["price"] == "15.50"
    assert store_api.delete(url).status_code == 204
    assert store_api.get(url).status_code == 404


def test_bad_product_input_names_the_field(store_api):
    response = store_api.post(
        "/api/v1/store/products", {"name": "", "sku": "A", "gtin": "4006381333932", "price": "-1"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert "invalid check digit" in body["gtin"][0]
    assert body["name"] == ["A product needs a name."]
    assert "price" in body


def test_duplicate_sku_is_refused(store, store_api):
    ProductFactory(store=store, sku="DUP-1")
    response = store_api.post("/api/v1/store/products", {"name": "B", "sku": "DUP-1"}, format="json")
    assert response.status_code == 400
    assert "DUP-1" in response.json()["sku"][0]


def test_search_by_name_sku_or_any_gtin_form(store, store_api):
    product = ProductFactory(store=store, name="Organic Honey", sku="HONEY-1", gtin="4006381333931")
    ProductFactory(store=store, name="Jam")
    for term in ("honey", "HONEY-1", "4006381333931", "04006381333931"):
        rows = store_api.get("/api/v1/store/products", {"search": term}).json()["results"]
        assert [row["id"] for row in rows] == [product.pk], term


def test_json_import_upserts_by_sku_and_reports_errors(store, store_api):
    ProductFactory(store=store, sku="EXISTING", name="Old name")
    rows = [
        {"name": "New name", "sku": "EXISTING", "gtin": "", "price": "1.00"},
        {"name": "Fresh", "sku": "FRESH", "gtin": "96385074", "price": "2.00"},
        {"name": "Broken", "sku": "BROKEN", "gtin": "123", "price": "x"},
        {"name": "No sku"},
    ]
    response = store_api.post("/api/v1/store/products/import", rows, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["exceptions_resolved"]) == (1, 1, 0)
    assert [error["row"] for error in body["errors"]] == [3, 4]
    assert set(body["errors"][0]["errors"]) == {"gtin", "price"}
    assert Product.objects.get(store=store, sku="EXISTING").name == "New name"
    # Importing the same rows again changes nothing.
    again = store_api.post("/api/v1/store/products/import", rows[:2], format="json").json()
    assert (again["created"], again["updated"]) == (0, 0)


def test_csv_import_as_an_upload_and_as_a_body(store, store_api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv_text = "name,sku,gtin,price,is_active\nMug,MUG-1,4006381333931,16.00,true\nScarf,SCARF-1,,49,\n"
    upload = SimpleUploadedFile("catalog.csv", csv_text.encode(), content_type="text/csv")
    response = store_api.post("/api/v1/store/products/import", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    assert Product.objects.get(store=store, sku="SCARF-1").is_active is True
    response = store_api.generic(
        "POST", "/api/v1/store/products/import", csv_text.replace("16.00", "17.00"), content_type="text/csv"
    )
    assert response.json()["updated"] == 1


def test_csv_without_the_needed_columns_is_refused(store_api):
    response = store_api.generic("POST", "/api/v1/store/products/import", "title,price\nA,1\n", content_type="text/csv")
    assert response.status_code == 400
    assert "name, sku" in response.json()["file"][0]


def test_import_resolves_the_pending_exceptions_of_the_new_gtins(store, store_api):
    exception = OrderItemExceptionFactory(store=store, original_gtin="4006381333931", gtin_normalized="04006381333931")
    other_gtin = OrderItemExceptionFactory(store=store, original_gtin="96385074", gtin_normalized="00000096385074")
    rows = [{"name": "Found it", "sku": "F-1", "gtin": "4006381333931"}]
    body = store_api.post("/api/v1/store/products/import", rows, format="json").json()
    assert body["exceptions_resolved"] == 1
    exception.refresh_from_db()
    other_gtin.refresh_from_db()
    assert exception.status == OrderItemException.Status.RESOLVED
    assert exception.order_item.product.sku == "F-1"
    assert exception.order_item.needs_product_match is False
    assert other_gtin.status == OrderItemException.Status.PENDING


def test_product_list_costs_the_same_queries_for_1_and_100_rows(store, store_api, django_assert_max_num_queries):
    ProductFactory(store=store)
    with django_assert_max_num_queries(4):
        store_api.get("/api/v1/store/products")
    ProductFactory.create_batch(99, store=store)
    with django_assert_max_num_queries(4):
        assert len(store_api.get("/api/v1/store/products", {"page_size": 100}).json()["results"]) == 100


def test_admin_copies_another_stores_products_and_auto_matches(store, other_store, admin_api):
    wanted = ProductFactory(store=other_store, sku="WINE-1", gtin="4006381333931", price="9.90")
    also = ProductFactory(store=other_store, sku="WINE-2")
    ProductFactory(store=store, sku="WINE-2", name="Old name")
    exception = OrderItemExceptionFactory(store=store, original_gtin="4006381333931")
    placeholder_product_get(store=other_store)
    url = f"/api/v1/admin/stores/{store.pk}/products/copy"

    response = admin_api.post(url, {"source_store_id": other_store.pk}, format="json")

    assert response.status_code == 200, response.content
    # No error row: the source's placeholder product is not copied (its SKU is refused).
    assert response.json() == {"created": 1, "updated": 1, "exceptions_resolved": 1, "errors": []}
    copy = Product.objects.get(store=store, sku="WINE-1")
    assert (copy.gtin, str(copy.price)) == (wanted.gtin, "9.90")
    assert Product.objects.get(store=store, sku="WINE-2").name == also.name
    exception.refresh_from_db()
    assert (exception.status, exception.resolved_product_id) == (OrderItemException.Status.RESOLVED, copy.pk)


def test_admin_copy_of_listed_products_refuses_what_is_not_the_sources(store, other_store, admin_api):
    listed = ProductFactory(store=other_store, sku="ONLY")
    ProductFactory(store=other_store, sku="NOT-THIS")
    stranger = ProductFactory(store=store)
    url = f"/api/v1/admin/stores/{store.pk}/products/copy"

    refused = admin_api.post(url, {"source_store_id": other_store.pk, "product_ids": [stranger.pk]}, format="json")
    same = admin_api.post(url, {"source_store_id": store.pk}, format="json")
    unknown = admin_api.post(url, {"source_store_id": other_store.pk + 1000}, format="json")
    copied = admin_api.post(url, {"source_store_id": other_store.pk, "product_ids": [listed.pk]}, format="json")

    assert (refused.status_code, list(refused.json())) == (400, ["product_ids"])
    assert str(stranger.pk) in refused.json()["product_ids"][0]
    assert (same.status_code, list(same.json())) == (400, ["source_store_id"])
    assert (unknown.status_code, list(unknown.json())) == (400, ["source_store_id"])
    assert copied.json()["created"] == 1
    assert set(Product.objects.filter(store=store, sku__in=["ONLY", "NOT-THIS"]).values_list("sku", flat=True)) == {
        "ONLY"
    }
    assert admin_api.post(f"/api/v1/admin/stores/{store.pk + 1000}/products/copy", {}, format="json").status_code == 404
