"""Reads of the store portal: which stores a user may open, and which store an order is in.

The portal's pages only render; every row they show comes from the REST API in the browser.
These reads decide which store a page is for, and answer 404 for anything outside the user's
stores before a page is rendered.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext

from config.errors import NotFound
from letzshop.models import LetzshopOrder
from stores.models import Store, StoreMembership
from stores.selectors import stores_for_user

# A platform admin's switcher lists every store; past this many it is a long list already.
SWITCHER_LIMIT = 500


@dataclass(frozen=True)
class PortalStore:
    id: int
    name: str
    code: str
    role: str  # a StoreMembership.Role; platform admins act as owners

    @property
    def can_manage(self) -> bool:
        return self.role in StoreMembership.MANAGING_ROLES

    @property
    def role_label(self) -> str:
        return StoreMembership.Role(self.role).label


def portal_stores(*, user: AbstractBaseUser) -> list[PortalStore]:
    """The stores the user may open, by name, with its role in each (one query)."""
    if user.is_staff:
        stores = Store.objects.order_by("name", "pk").values_list("pk", "name", "code")[:SWITCHER_LIMIT]
        return [PortalStore(pk, name, code, StoreMembership.Role.OWNER) for pk, name, code in stores]
    memberships = (
        StoreMembership.objects.filter(user=user)
        .order_by("store__name", "store_id")
        .values_list("store_id", "store__name", "store__code", "role")
    )
    return [PortalStore(*row) for row in memberships]


def portal_store_get(*, user: AbstractBaseUser, store_id) -> PortalStore:
    """One of the user's stores; another store answers like a missing one."""
    try:
        pk = int(store_id)
    except (TypeError, ValueError):
        raise NotFound(gettext("Store %(id)s not found.") % {"id": repr(store_id)}) from None
    if user.is_staff:
        row = Store.objects.filter(pk=pk).values_list("pk", "name", "code").first()
        if row is not None:
            return PortalStore(*row, StoreMembership.Role.OWNER)
    else:
        row = (
            StoreMembership.objects.filter(user=user, store_id=pk)
            .values_list("store_id", "store__name", "store__code", "role")
            .first()
        )
        if row is not None:
            return PortalStore(*row)
    raise NotFound(gettext("Store %(id)s not found.") % {"id": pk})


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
