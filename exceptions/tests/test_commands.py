import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from exceptions.models import OrderItemException
from exceptions.tests.factories import OrderItemExceptionFactory
from stores.models import Product

pytestmark = pytest.mark.django_db

GTIN = "4006381333931"


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_letzshop_exceptions_prints_the_stats_and_the_oldest_pending(store, other_store):
    oldest = OrderItemExceptionFactory(store=store, original_gtin=GTIN, original_product_name="Organic honey")
    OrderItemExceptionFactory.create_batch(2, store=store)
    OrderItemExceptionFactory(store=store, status=OrderItemException.Status.IGNORED, ignore_reason="x")
    OrderItemExceptionFactory(store=other_store, original_product_name="Not this store's")

    text = run("letzshop_exceptions", "--store", store.code, "--limit", "2")

    lines = text.splitlines()
    assert any(line.split() == ["pending", "3"] for line in lines), text
    assert any(line.split() == ["ignored", "1"] for line in lines), text
    assert any(line.split() == ["total", "4"] for line in lines), text
    assert "Oldest pending (2 of 3)" in text
    listed = [line for line in lines if line.strip().startswith("#")]
    assert len(listed) == 2
    assert listed[0].strip().startswith(f"#{oldest.pk}") and "Organic honey" in listed[0] and GTIN in listed[0]
    assert oldest.order.external_order_number in listed[0]
    assert "Not this store's" not in text


def test_letzshop_exceptions_refuses_an_unknown_store(db):
    with pytest.raises(CommandError, match="No store with the code 'nope'"):
        run("letzshop_exceptions", "--store", "nope")


def test_import_catalog_writes_the_file_reports_progress_and_resolves_exceptions(store, tmp_path):
    exception = OrderItemExceptionFactory(store=store, original_gtin=GTIN)
    path = tmp_path / "catalog.csv"
    path.write_text("name,sku,gtin,price\nHoney,H-1,4006381333931,7.50\nJam,J-1,,3\n", encoding="utf-8")

    text = run("import_catalog", "--store", store.code, str(path))

    assert "2 / 2 products written" in text
    assert f"{store.code}: 2 created, 0 updated, 1 exceptions resolved, 0 rows skipped" in text
    assert Product.objects.filter(store=store, sku__in=["H-1", "J-1"]).count() == 2
    exception.refresh_from_db()
    assert exception.status == OrderItemException.Status.RESOLVED


def test_import_catalog_names_the_bad_lines_and_exits_non_zero(store, tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text("name,sku,gtin,price\nGood,G-1,,1\nBad,B-1,4006381333932,x\n", encoding="utf-8")
    out = StringIO()

    with pytest.raises(CommandError, match="1 row"):
        call_command("import_catalog", "--store", store.code, str(path), stdout=out)

    assert "line 3 (B-1): gtin:" in out.getvalue() and "gtin" in out.getvalue() and "price" in out.getvalue()
    assert Product.objects.filter(store=store, sku="G-1").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "No such file"),
        (b"title,price\nA,1\n", "lacks the column(s): name, sku"),
        (b"", "The CSV file is empty"),
        (b"name,sku\n", "no product rows"),
        ("name,sku\nCafé,C-1\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_import_catalog_refuses_what_it_cannot_read(store, tmp_path, content, message):
    path = tmp_path / "catalog.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(message)):
        run("import_catalog", "--store", store.code, str(path))


def test_import_catalog_refuses_an_unknown_store(db, tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text("name,sku\nA,1\n")
    with pytest.raises(CommandError, match="No store with the code 'nope'"):
        run("import_catalog", "--store", "nope", str(path))
