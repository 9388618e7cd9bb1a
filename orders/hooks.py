"""What happens to orders, told to the apps above ``orders`` without importing them
(docs/architecture.md).

A sales channel's services (``letzshop``) call these; billing and loyalty register their receivers
in their ``AppConfig.ready()``. Receivers run inside the caller's transaction, so what they write
is committed (or undone) with the orders themselves; each must cost a constant number of queries
whatever the number of orders.

Each receiver runs in a savepoint: one that fails is logged as an error and undone alone, and the
import's page or the confirmation's settling goes on (an order must never be lost, nor a
confirmation left unsettled, for a count or a point).
"""

import logging
from collections.abc import Callable, Collection, Mapping

from django.db import transaction

from stores.models import Store

logger = logging.getLogger(__name__)

OrdersReceiver = Callable[..., None]

_orders_imported: list[OrdersReceiver] = []
_units_confirmed: list[OrdersReceiver] = []


def _tell(receiver: OrdersReceiver, **kwargs) -> None:
    try:
        with transaction.atomic():
            receiver(**kwargs)
    except Exception:
        logger.exception("%s.%s failed; the caller goes on", receiver.__module__, receiver.__qualname__)


def _register(receivers: list[OrdersReceiver], receiver: OrdersReceiver) -> OrdersReceiver:
    if receiver not in receivers:  # ready() may run twice
        receivers.append(receiver)
    return receiver


def on_orders_imported(receiver: OrdersReceiver) -> OrdersReceiver:
    """Register ``receiver(*, store, new_order_ids, unit_states)``, called once per page a channel's
    import writes: ``new_order_ids`` the orders it created, ``unit_states`` the states the channel
    now shows for the units of the orders it changed (``{order_id: {unit_id: state}}``)."""
    return _register(_orders_imported, receiver)


def orders_imported(
    *, store: Store, new_order_ids: Collection[int], unit_states: Mapping[int, Mapping[str, str]]
) -> None:
    if not new_order_ids and not unit_states:
        return
    for receiver in _orders_imported:
        _tell(receiver, store=store, new_order_ids=list(new_order_ids), unit_states=unit_states)


def on_units_confirmed(receiver: OrdersReceiver) -> OrdersReceiver:
    """Register ``receiver(*, order_id, unit_ids)``, called when a channel has completed a
    confirmation and shows these units of the order confirmed available."""
    return _register(_units_confirmed, receiver)


def units_confirmed(*, order_id: int, unit_ids: Collection[str]) -> None:
    if not unit_ids:
        return
    for receiver in _units_confirmed:
        _tell(receiver, order_id=order_id, unit_ids=list(unit_ids))
