"""The words the portal's scripts show for the API's codes, in the active language.

Most come from the models' choices; the rest are Letzshop's own codes."""

from django.utils.translation import gettext_lazy as _

from exceptions.models import OrderItemException
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog, SyncRunStatus
from letzshop.wording import UNIT_STATES
from notifications.models import Notification
from orders.models import Order


def portal_labels() -> dict[str, dict[str, str]]:
    return {
        "letzshop_state": dict(LetzshopOrder.State.choices),
        "sync_status": {**dict(LetzshopOrder.SyncStatus.choices), LetzshopOrder.SyncStatus.DECLINED: _("Declined")},
        "order_status": dict(Order.Status.choices),
        "unit_state": UNIT_STATES,
        "queue_status": dict(LetzshopFulfillmentQueue.Status.choices),
        "operation": {
            **dict(LetzshopSyncLog.Operation.choices),
            LetzshopFulfillmentQueue.Operation.DECLINE: _("Decline"),
        },
        "log_status": dict(SyncRunStatus.choices),
        "direction": dict(LetzshopSyncLog.Direction.choices),
        "exception_status": dict(OrderItemException.Status.choices),
        "exception_type": dict(OrderItemException.Type.choices),
        "notification_level": dict(Notification.Level.choices),
        "read_state": {"true": _("Unread"), "false": _("Read")},
    }
