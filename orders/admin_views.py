"""Pages and actions of the orders admin: Mark shipped, the shipping label, an order's page.

A channel's order list (letzshop's) reuses them: Mark shipped works on the local order behind
each selected row, and the channel adds its part to the order's page context.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from config.admin_helpers import (
    RETURN_TO,
    admin_url,
    outcomes_report,
    per_order_form_action,
    redirect_back,
    selection_too_big,
    warning,
)
from orders.admin_forms import ShipFormSet
from orders.models import Order, OrderItem
from orders.selectors import carrier_names
from orders.services import order_mark_shipped, shipping_label

QUEUE_ROWS_SHOWN = 20


def local_orders_for(queryset) -> tuple[list[Order], list]:
    """The local orders behind a selection of local orders or of a channel's orders (any model
    with a ``local_order`` foreign key)."""
    if queryset.model is Order:
        return list(queryset), []
    orders, skipped = [], []
    for channel_order in queryset.select_related("local_order"):
        if channel_order.local_order_id:
            orders.append(channel_order.local_order)
        else:
            skipped.append(warning(channel_order, _("no local order to mark")))
    return orders, skipped


def orders_mark_shipped(modeladmin, request, queryset, *, action: str):
    """Ask for each order's tracking (optional), then mark it shipped locally: nothing is sent
    to Letzshop (use Set tracking for that)."""
    if selection_too_big(request, queryset):
        return None
    orders, skipped = local_orders_for(queryset)
    return per_order_form_action(
        modeladmin,
        request,
        queryset,
        action=action,
        orders=orders,
        skipped=skipped,
        formset_class=ShipFormSet,
        prefix="ship",
        initial=lambda order: {
            "order_id": order.pk,
            "tracking_number": order.tracking_number,
            "tracking_url": order.tracking_url,
            "shipping_carrier": order.shipping_carrier,
        },
        apply=lambda order, row: order_mark_shipped(
            order=order,
            tracking_number=row["tracking_number"],
            tracking_url=row["tracking_url"],
            shipping_carrier=row["shipping_carrier"],
        ),
        done=_("marked shipped (locally; nothing sent to Letzshop)"),
        page={
            "title": _("Mark shipped"),
            "intro": _(
                "The orders become shipped here only: nothing is sent to Letzshop. "
                "To send a tracking number to Letzshop, use Set tracking."
            ),
            "submit_label": _("Mark shipped"),
            "carrier_suggestions": carrier_names(),
        },
    )


def shipping_label_view(modeladmin, request, object_id):
    """Open the order's shipping label at its carrier, or say why there is none."""
    order = get_object_or_404(Order, pk=object_id)
    if not modeladmin.has_view_permission(request, order):
        raise PermissionDenied
    label = shipping_label(order=order)
    if label["label_url"]:
        return HttpResponseRedirect(label["label_url"])
    outcomes_report(request, [warning(order, _("no shipping label: %(reason)s") % {"reason": label["message"]})])
    return redirect_back(request, or_referer=True) or HttpResponseRedirect(admin_url("orders_order_change", order.pk))


def order_page_context(request, *, admin, order: Order | None, selected=None) -> dict:
    """What an order's page shows beyond its fields: items with their match, the shipping label,
    and the buttons of the actions that can apply (``selected``: the row the page is about, the
    order itself unless a channel's page shows it)."""
    selected = order if selected is None else selected
    model_name = admin.model._meta.model_name
    context = {
        "order_items": [],
        "label": None,
        "local_order": order,
        "fulfil_buttons": [],
        "action_url": admin_url(f"{admin.model._meta.app_label}_{model_name}_changelist"),
        "return_to_name": RETURN_TO,
        "return_to": request.get_full_path(),
        "selected_id": selected.pk if selected is not None else None,
    }
    if order is not None:
        context["order_items"] = list(
            OrderItem.objects.filter(order=order).select_related("product", "exception").order_by("id")
        )
        context["label"] = shipping_label(order=order)
        context["label_url"] = admin_url("orders_order_shipping_label", order.pk)
        if order.status in Order.SHIPPABLE_STATUSES and admin.has_ship_permission(request):
            context["fulfil_buttons"] = [("mark_shipped", _("Mark shipped…"))]
    return context
