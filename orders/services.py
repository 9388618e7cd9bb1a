"""Writes of local orders: status changes and shipping (no call to any channel)."""

from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from config.bulk import insert_rows
from config.errors import Conflict, InvalidInput
from orders.carriers import KNOWN_CARRIERS, carrier_code
from orders.models import Order, OrderItem, ShippingCarrier


@transaction.atomic
def order_status_update(*, order: Order, status: str) -> Order:
    """Move an order to ``status`` if the transition is allowed (Order.ALLOWED_TRANSITIONS)."""
    if status not in Order.Status.values:
        raise InvalidInput(
            gettext("Unknown status %(status)s: one of %(allowed)s.")
            % {"status": repr(status), "allowed": ", ".join(Order.Status.values)},
            field="status",
        )
    order = Order.objects.select_for_update().get(pk=order.pk)
    if status == order.status:
        return order
    if not order.can_transition_to(status):
        allowed = ", ".join(Order.ALLOWED_TRANSITIONS[order.status]) or gettext("none (it is final)")
        raise Conflict(
            gettext("An order that is %(status)s cannot become %(target)s; allowed: %(allowed)s.")
            % {"status": order.status, "target": status, "allowed": allowed}
        )
    order.status = status
    if status == Order.Status.SHIPPED and order.shipped_at is None:
        order.shipped_at = timezone.now()
    order.save(update_fields=["status", "shipped_at", "updated_at"])
    return order


def order_follow_channel_status(*, order_ids: Collection[int], status: str) -> int:
    """Orders follow the status their sales channel reports, along allowed transitions only.

    A channel's news never moves an order backwards or out of a final status (a cancelled order
    stays cancelled); an order already there is left alone, and a first move to shipped sets
    ``shipped_at``. One UPDATE (two towards shipped) whatever the number of orders. Returns how
    many orders moved."""
    if status not in Order.Status.values:
        raise ValueError(f"unknown order status {status!r}")
    if not order_ids:
        return 0
    allowed_from = [current for current, targets in Order.ALLOWED_TRANSITIONS.items() if status in targets]
    now = timezone.now()
    moving = Order.objects.filter(pk__in=list(order_ids), status__in=allowed_from)
    # No savepoint inside a caller's transaction (a queue row settling): nothing here to undo alone.
    with transaction.atomic(savepoint=False):
        if status == Order.Status.SHIPPED:
            moving.filter(shipped_at__isnull=True).update(shipped_at=now)
        return moving.update(status=status, updated_at=now)


# --- what a sales channel's import writes, in bulk (docs/import.md) --------------------------
# The import brings pages of a thousand shipments: these write them in a few statements each,
# inside the import's transaction, with ids reserved beforehand on PostgreSQL (config.bulk).


def channel_orders_insert(*, rows: list[dict[str, Any]], ids: list[int] | None = None) -> list[int]:
    """New orders of a sales channel (rows of Order's fields); returns their ids, in order."""
    return insert_rows(Order, rows, ids=ids)


def channel_order_items_insert(*, rows: list[dict[str, Any]], ids: list[int] | None = None) -> list[int]:
    """New items of a channel's orders (rows of OrderItem's fields); returns their ids, in order."""
    return insert_rows(OrderItem, rows, ids=ids)


def channel_orders_update(*, orders: list[Order], fields: list[str]) -> None:
    """What a channel now shows of existing orders (customer, addresses, totals...). Their status
    follows through ``order_follow_channel_status``, never here."""
    if "status" in fields or "shipped_at" in fields:
        raise ValueError("an order's status follows its channel through order_follow_channel_status")
    if orders:
        Order.objects.bulk_update(orders, fields)


def channel_order_items_update(*, items: list[OrderItem], fields: list[str], deleted_ids: Collection[int] = ()) -> None:
    """Items a channel changed (units, prices), and those it no longer lists."""
    if items:
        OrderItem.objects.bulk_update(items, fields)
    if deleted_ids:
        OrderItem.objects.filter(pk__in=list(deleted_ids)).delete()


@transaction.atomic(savepoint=False)
def order_follow_channel_tracking(*, order_id: int, tracking_number: str, carrier: str) -> None:
    """Keep the tracking a channel was given on the local order: the number always, the carrier
    only where the order has none yet (one chosen in the admin's shipping stays)."""
    now = timezone.now()
    order = Order.objects.filter(pk=order_id)
    order.update(tracking_number=tracking_number.strip()[:128], updated_at=now)
    if carrier.strip():
        order.filter(shipping_carrier="").update(shipping_carrier=carrier.strip()[:64])


@transaction.atomic
def order_mark_shipped(
    *, order: Order, tracking_number: str = "", tracking_url: str = "", shipping_carrier: str = ""
) -> Order:
    """Mark an order shipped locally, with its tracking; nothing is sent to Letzshop.

    Allowed from pending or confirmed (a shipped order may have its tracking corrected)."""
    tracking_url = (tracking_url or "").strip()
    if tracking_url:
        try:
            URLValidator(schemes=["http", "https"])(tracking_url)
        except ValidationError:
            raise InvalidInput(gettext("Enter a full tracking URL (https://...)."), field="tracking_url") from None
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in Order.SHIPPABLE_STATUSES:
        raise Conflict(gettext("A %(status)s order cannot be marked as shipped.") % {"status": order.status})
    order.status = Order.Status.SHIPPED
    order.shipped_at = order.shipped_at or timezone.now()
    if tracking_number:
        order.tracking_number = tracking_number.strip()[:128]
    if tracking_url:
        order.tracking_url = tracking_url[:500]
    if shipping_carrier:
        order.shipping_carrier = carrier_code(shipping_carrier)
        carriers_register(carriers={order.shipping_carrier: shipping_carrier})
    order.save()
    return order


def carriers_register(*, carriers: dict[str, str]) -> None:
    """Add the carriers ``{code: name}`` that Settings > Shipping does not list yet (one INSERT
    that leaves existing rows as they are), so that every carrier an order names has one code
    and one name everywhere: filters, labels, suggestions."""
    rows = [
        ShippingCarrier(code=code[:64], name=(KNOWN_CARRIERS.get(code) or name or code).strip()[:100])
        for code, name in carriers.items()
        if code
    ]
    if rows:
        ShippingCarrier.objects.bulk_create(rows, ignore_conflicts=True)


def shipping_label(*, order: Order) -> dict[str, Any]:
    """The shipping label answer (docs/fulfillment.md): label URL = the carrier's prefix + shipment number.

    When no URL can be built, ``label_url`` is None and ``message`` says what is missing."""
    label_url, message = None, ""
    carrier = ShippingCarrier.objects.filter(code=order.shipping_carrier).first() if order.shipping_carrier else None
    if not order.shipment_number:
        message = gettext("This order has no shipment number: re-import it from Letzshop to capture it.")
    elif not order.shipping_carrier:
        message = gettext("This order has no shipping carrier.")
    elif carrier is None:
        message = gettext("Unknown carrier %(carrier)s: add it in Admin > Settings > Shipping.") % {
            "carrier": repr(order.shipping_carrier)
        }
    elif not carrier.label_url_prefix:
        message = gettext("No label URL prefix is set for %(carrier)s: set it in Admin > Settings > Shipping.") % {
            "carrier": carrier.name
        }
    else:
        label_url = f"{carrier.label_url_prefix}{order.shipment_number}"
    return {
        "shipment_number": order.shipment_number or None,
        "shipping_carrier": order.shipping_carrier or None,
        "label_url": label_url,
        "tracking_number": order.tracking_number or None,
        "tracking_url": order.tracking_url or None,
        "message": message or None,
    }
