"""What the Letzshop tests share: an order to work on, the units as Letzshop sees them."""

from letzshop.models import LetzshopOrder


def clean_order(store, units: int | None = None) -> LetzshopOrder:
    """An imported order without product exceptions (and with ``units`` units, if given)."""
    for order in LetzshopOrder.objects.filter(store=store).select_related("local_order").order_by("pk"):
        if order.local_order.item_exceptions.exists():
            continue
        if units is None or len(order.inventory_units) == units:
            return order
    raise AssertionError("no such order in the seeded data")


def units_on_letzshop(sandbox, order: LetzshopOrder) -> dict[str, str]:
    detail = sandbox.state.shipment_detail(order.letzshop_shipment_id)
    return {unit["id"]: unit["state"] for unit in detail["inventoryUnits"]}


def run_in_thread(sync_log_id: int, lease) -> None:
    """An import worker's part, for tests whose process has no worker: run the begun import
    (in a thread while a browser follows it)."""
    from django.db import connection

    from letzshop.imports import import_resume

    try:
        import_resume(sync_log_id=sync_log_id, lease=lease)
    finally:
        connection.close()
