"""Reads of the store portal: which store an order is in.

The portal's pages only render; every row they show comes from the REST API in the browser.
Which stores a user may open is the tenancy's rule (stores.tenancy); these reads answer 404 for
an order outside the user's stores before a page is rendered.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext

from config.errors import NotFound
from letzshop.models import LetzshopOrder
from stores.selectors import stores_for_user


def letzshop_order_of_local_order(*, user: AbstractBaseUser, order_id: int) -> int:
    """The Letzshop order (its id) behind a local order of one of the user's stores; else NotFound.

    Product exceptions name the local order; the portal's order pages are Letzshop orders."""
    letzshop_order_id = (
        LetzshopOrder.objects.filter(local_order_id=order_id, store__in=stores_for_user(user=user))
        .values_list("pk", flat=True)
        .first()
    )
    if letzshop_order_id is None:
        raise NotFound(gettext("Order %(id)s not found.") % {"id": order_id})
    return letzshop_order_id


def letzshop_order_store_id(*, user: AbstractBaseUser, order_id: int) -> int:
    """The store of a Letzshop order, if it is one of the user's stores; else NotFound."""
    store_id = (
        LetzshopOrder.objects.filter(pk=order_id, store__in=stores_for_user(user=user))
        .values_list("store_id", flat=True)
        .first()
    )
    if store_id is None:
        raise NotFound(gettext("Letzshop order %(id)s not found.") % {"id": order_id})
    return store_id
