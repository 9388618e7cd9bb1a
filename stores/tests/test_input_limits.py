"""No bad row and no 500 from any input: the model's limits on every write path, bodies and
values out of range answered 400 or 413 naming the field (docs/security.md)."""

import io
import tracemalloc
from decimal import Decimal

import pytest
from django.test import Client

from config.bulk import insert_rows
from config.validation import RowOutOfLimits
from stores.models import Product
from stores.services import catalog_import, catalog_rows_from_csv

pytestmark = pytest.mark.django_db

HUGE_PRICE = "12345678901234567890"
MiB = 1024 * 1024


def _import_csv(client, text: str | bytes):
    body = text.encode() if isinstance(text, str) else text
    return client.generic("POST", "/api/v1/store/products/import", body, content_type="text/csv")


def test_a_20_digit_price_through_the_csv_import_is_reported_with_its_line_and_not_stored(store, store_api):
    csv = f"name,sku,price\nMug,M-1,9.90\nGold,G-1,{HUGE_PRICE}\n"
    body = _import_csv(store_api, csv).json()
    assert body["created"] == 1
    assert body["errors"] == [{"row": 2, "sku": "G-1", "errors": {"price": [body["errors"][0]["errors"]["price"][0]]}}]
    assert "digits" in body["errors"][0]["errors"]["price"][0]
    assert not Product.objects.filter(sku="G-1").exists()
    # The lists still answer.
    assert store_api.get("/api/v1/store/products").status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("price", HUGE_PRICE, "digits"),
        ("price", "1.999", "decimal places"),
        ("price", "-1", "price"),
        ("name", "n" * 501, "500"),
        ("sku", "s" * 101, "100"),
        ("gtin_type", "ean", "One of"),
        ("gtin_type", ["gtin13"], "text"),
        ("gtin_type", {"a": 1}, "text"),
        ("name", ["a"], "text"),
        ("is_active", {"x": 1}, "true or false"),
    ],
)
def test_the_api_and_the_json_import_refuse_values_out_of_the_fields_limits(store_api, field, value, words):
    row = {"name": "Mug", "sku": "M-1", "price": "1.00", field: value}
    response = store_api.post("/api/v1/store/products", row, format="json")
    assert response.status_code == 400 and words in response.json()[field][0]
    body = store_api.post("/api/v1/store/products/import", [row], format="json").json()
    assert body["created"] == 0 and field in body["errors"][0]["errors"]
    assert not Product.objects.filter(sku="M-1").exists()


def test_the_admin_refuses_a_price_out_of_range_and_an_invalid_gtin(admin_user, store):
    client = Client()
    client.force_login(admin_user)
    form = {"store": store.pk, "name": "Gold", "sku": "G-1", "price": HUGE_PRICE, "gtin": "", "gtin_type": ""}
    response = client.post("/admin/stores/product/add/", form)
    assert response.status_code == 200 and not Product.objects.filter(sku="G-1").exists()
    response = client.post("/admin/stores/product/add/", {**form, "price": "1.00", "gtin": "0000000000000"})
    assert response.status_code == 200 and "zeros" in response.content.decode()
    response = client.post("/admin/stores/product/add/", {**form, "price": "1.00", "gtin": "4006381333931"})
    assert response.status_code == 302
    assert Product.objects.get(sku="G-1").gtin_normalized == "04006381333931"


def test_the_bulk_writer_refuses_a_row_out_of_the_fields_limits(store):
    rows = [
        {"store_id": store.pk, "name": "Fine", "sku": "F-1", "price": Decimal("1.00")},
        {"store_id": store.pk, "name": "Gold", "sku": "G-1", "price": Decimal(HUGE_PRICE)},
    ]
    with pytest.raises(RowOutOfLimits) as caught:
        insert_rows(Product, rows)
    assert caught.value.index == 1 and "price" in caught.value.errors and "row 2" in str(caught.value)
    with pytest.raises(RowOutOfLimits):
        insert_rows(Product, [{"store_id": store.pk, "name": "x" * 501, "sku": "L-1"}])
    with pytest.raises(RowOutOfLimits):
        insert_rows(Product, [{"store_id": store.pk, "name": "Bad", "gtin_type": "nope"}])
    assert not Product.objects.filter(sku__in=["F-1", "G-1", "L-1"]).exists()


@pytest.mark.parametrize("body", ["[]", '"abc"', "null", "42"])
def test_bodies_of_the_wrong_shape_are_400(store_api, body):
    create = store_api.generic("POST", "/api/v1/store/products", body, content_type="application/json")
    assert create.status_code == 400
    imported = store_api.generic("POST", "/api/v1/store/products/import", body, content_type="application/json")
    assert imported.status_code == 400 or imported.json()["created"] == 0


def test_a_lone_surrogate_is_400_naming_the_field(store_api):
    body = '{"name": "Mug \\ud800", "sku": "M-1"}'
    response = store_api.generic("POST", "/api/v1/store/products", body, content_type="application/json")
    assert response.status_code == 400 and "name" in response.json()
    body = '[{"name": "Mug", "sku": "\\udfff"}]'
    response = store_api.generic("POST", "/api/v1/store/products/import", body, content_type="application/json")
    assert response.status_code == 400 and "[0].sku" in response.json()
    assert not Product.objects.filter(name="Mug").exists()


def test_a_nul_character_in_a_query_is_400(store_api):
    response = store_api.get("/api/v1/store/products?search=a%00b")
    assert response.status_code == 400 and "search" in response.json()


def test_a_csv_field_over_128_kb_is_400_naming_the_line(store_api):
    response = _import_csv(store_api, "name,sku\nMug,M-1\n" + "x" * (130 * 1024) + ",L-1\n")
    assert response.status_code == 400 and "Line 3" in response.json()["file"][0]
    assert not Product.objects.filter(sku="M-1").exists()


def test_non_utf8_bytes_in_a_csv_body_are_400(store_api):
    response = _import_csv(store_api, b"name,sku\nMug,M-1\nCaf\xe9,C-1\n")
    assert (
        response.status_code == 400 and "Line 3" in response.json()["file"][0] and "UTF-8" in response.json()["file"][0]
    )
    assert not Product.objects.exists() or not Product.objects.filter(sku="M-1").exists()


@pytest.mark.parametrize("content_type", ["text/csv", "application/json", "application/octet-stream"])
def test_a_body_over_20_mib_is_413_before_it_is_read(store_api, content_type):
    response = store_api.generic(
        "POST", "/api/v1/store/products/import", b"x" * (20 * MiB + 1), content_type=content_type
    )
    assert response.status_code == 413 and "20 MiB" in response.json()["detail"]


def test_the_csv_import_streams(store):
    """A CSV is read as the import goes: the import's memory grows far slower than the file."""
    rows = "".join(f"Product {n} {'-' * 60},SKU-{n:07d},,,{n % 500}.99,true\n" for n in range(15_000))
    body = io.BytesIO(("name,sku,gtin,gtin_type,price,is_active\n" + rows).encode())
    del rows
    size = len(body.getbuffer())
    tracemalloc.start()
    try:
        result = catalog_import(store=store, rows=catalog_rows_from_csv(body))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.created == 15_000 and not result.errors
    # Read whole, the text and its rows took over ten times the file (20 MiB and more here);
    # streamed, a batch of rows at a time, and one entry per SKU to find duplicates.
    assert peak < 9 * MiB, f"peak {peak / MiB:.1f} MiB for a {size / MiB:.1f} MiB file"
