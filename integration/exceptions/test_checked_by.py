"""The issue's acceptance list, end to end: orders imported from the sandbox on a real port, the
missing products imported through the catalog endpoint, the QC endpoints, the confirmation."""

from collections import Counter

import pytest

from exceptions.models import OrderItemException
from exceptions.tests.factories import OrderItemExceptionFactory
from letzshop.imports import orders_import
from letzshop.models import LetzshopOrder
from sandbox import catalog_gtin14s, gtin14
from stores.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

Status = OrderItemException.Status
STORE = "/api/v1/store/order-exceptions"


def _missing_from_catalog(sandbox) -> tuple[dict[str, str], int]:
    """From the sandbox's own data, not our matcher: the valid barcodes of unconfirmed units
    that the demo catalog lacks (GTIN-14 → the barcode as sent), and how many order items
    (one per variant and shipment) carry one of them."""
    barcodes: dict[str, str] = {}
    items = set()
    catalog = catalog_gtin14s()
    for shipment in sandbox.state.shipments:
        if shipment["state"] != "unconfirmed":
            continue
        for unit in shipment["inventoryUnits"]:
            trade_id = unit["variant"]["tradeId"]
            normalized = gtin14(trade_id["number"]) if trade_id else None
            if normalized and normalized not in catalog:
                barcodes.setdefault(normalized, trade_id["number"])
                items.add((shipment["id"], unit["variant"]["id"]))
    return barcodes, len(items)


@pytest.fixture
def imported(sandbox_store, letzshop_sandbox):  # noqa: F811
    result = orders_import(store=sandbox_store, triggered_by="command")
    assert result.status == "success", result.errors
    return sandbox_store


def test_importing_the_missing_products_resolves_exactly_the_matching_exceptions(imported, letzshop_sandbox, store_api):
    barcodes, expected = _missing_from_catalog(letzshop_sandbox)
    before = {e.pk: e for e in OrderItemException.objects.filter(store=imported)}
    kinds = Counter(e.exception_type for e in before.values())
    # The seed has every kind, so that "exactly" means something.
    assert expected > 5 and kinds["gtin_mismatch"] > 0 and kinds["duplicate_gtin"] > 0

    rows = [{"name": f"Now listed {n}", "sku": f"NEW-{n}", "gtin": raw} for n, raw in enumerate(barcodes.values())]
    response = store_api.post("/api/v1/store/products/import", rows, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["errors"]) == (len(rows), [])
    assert body["exceptions_resolved"] == expected
    after = OrderItemException.objects.filter(store=imported).select_related("order_item", "resolved_product")
    resolved = [e for e in after if e.status == Status.RESOLVED]
    assert len(resolved) == expected
    assert {e.gtin_normalized for e in resolved} <= set(barcodes)
    for exception in resolved:
        assert exception.resolved_product.gtin_normalized == exception.gtin_normalized
        assert exception.order_item.product_id == exception.resolved_product_id
        assert exception.order_item.needs_product_match is False
    untouched = [e for e in after if e.status != Status.RESOLVED]
    assert all(e.gtin_normalized not in barcodes for e in untouched)
    assert len(untouched) == len(before) - expected
    # The stats say the same.
    assert store_api.get(f"{STORE}/stats").json()["resolved"] == expected

    # An order whose exceptions were all among them can now be confirmed.
    blocking = Counter(e.order_id for e in untouched)
    confirmable = next(e.order_id for e in resolved if e.order_id not in blocking)
    letzshop_order = LetzshopOrder.objects.get(local_order_id=confirmable)
    confirm = store_api.post(f"/api/v1/store/letzshop/orders/{letzshop_order.pk}/confirm", {}, format="json")
    assert confirm.status_code == 202, confirm.content


def test_stats_agree_with_the_list(imported, store_api):
    first = OrderItemException.objects.filter(store=imported, exception_type="gtin_mismatch").first()
    store_api.post(f"{STORE}/{first.pk}/ignore", {"reason": "No such barcode"}, format="json")
    product = ProductFactory(store=imported)
    target = OrderItemException.objects.filter(store=imported, status=Status.PENDING).last()
    store_api.post(f"{STORE}/{target.pk}/resolve", {"product_id": product.pk}, format="json")

    stats = store_api.get(f"{STORE}/stats").json()

    def listed(**params) -> list[dict]:
        body = store_api.get(STORE, {"page_size": 200, **params}).json()
        assert body["count"] == len(body["results"])  # one page holds them all
        return body["results"]

    assert stats["total"] == len(listed()) > 10
    for status in ("pending", "resolved", "ignored"):
        assert stats[status] == len(listed(status=status)), status
    assert (stats["resolved"], stats["ignored"]) == (1, 1)
    assert stats["orders_with_exceptions"] == len({row["order_id"] for row in listed(blocking="true")})


def test_another_stores_product_is_refused(store, other_store, store_api, admin_api):
    exception = OrderItemExceptionFactory(store=store)
    foreign = ProductFactory(store=other_store)

    for client, base in ((store_api, STORE), (admin_api, "/api/v1/admin/order-exceptions")):
        response = client.post(f"{base}/{exception.pk}/resolve", {"product_id": foreign.pk}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["product_id"]
        assert foreign.name not in response.content.decode()
    exception.refresh_from_db()
    exception.order_item.refresh_from_db()
    assert exception.status == Status.PENDING
    assert exception.order_item.product.is_placeholder


def test_an_ignored_exception_still_answers_409_on_confirm(imported, store_api):
    # An order whose only blocking exceptions are barcodes that can never match.
    by_order: dict[int, set[str]] = {}
    for exception in OrderItemException.objects.filter(store=imported):
        by_order.setdefault(exception.order_id, set()).add(exception.exception_type)
    order_id = next(pk for pk, kinds in by_order.items() if kinds == {"gtin_mismatch"})
    exceptions = OrderItemException.objects.filter(order_id=order_id)
    for exception in exceptions:
        ignored = store_api.post(f"{STORE}/{exception.pk}/ignore", {"reason": "Barcode typo"}, format="json")
        assert ignored.status_code == 200, ignored.content

    letzshop_order = LetzshopOrder.objects.get(local_order_id=order_id)
    response = store_api.post(f"/api/v1/store/letzshop/orders/{letzshop_order.pk}/confirm", {}, format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": f"Order has {exceptions.count()} unresolved exception(s)"}
    assert not letzshop_order.queue_items.exists()
