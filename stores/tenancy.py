"""Which store a request acts for (CONTRACT.md "People and tenancy")."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext

from config.errors import Forbidden, InvalidInput, NotFound
from stores.models import Store, StoreMembership

STORE_HEADER = "X-Store-Id"


@dataclass(frozen=True)
class StoreContext:
    store: Store
    role: str  # a StoreMembership.Role; platform admins act as owners

    @property
    def can_manage(self) -> bool:
        return self.role in StoreMembership.MANAGING_ROLES


def _parse_store_id(value) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(
            gettext("%(header)s must be a store id (a whole number), not %(value)s.")
            % {"header": STORE_HEADER, "value": repr(value)}
        ) from None


def store_context_resolve(*, user: AbstractBaseUser, store_id=None) -> StoreContext:
    """The current store: the one named (header or URL), else the user's only store.

    A store the user is not a member of answers 404 as if it did not exist, so that ids of
    other stores reveal nothing. Platform admins may act for any store.
    """
    if store_id not in (None, ""):
        pk = _parse_store_id(store_id)
        if user.is_staff:
            store = Store.objects.filter(pk=pk).select_related("merchant").first()
            if store is None:
                raise NotFound(gettext("Store %(id)s not found.") % {"id": pk})
            return StoreContext(store=store, role=StoreMembership.Role.OWNER)
        membership = (
            StoreMembership.objects.filter(user=user, store_id=pk).select_related("store", "store__merchant").first()
        )
        if membership is None:
            raise NotFound(gettext("Store %(id)s not found.") % {"id": pk})
        return StoreContext(store=membership.store, role=membership.role)
    memberships = list(StoreMembership.objects.filter(user=user).select_related("store", "store__merchant")[:2])
    if len(memberships) == 1:
        return StoreContext(store=memberships[0].store, role=memberships[0].role)
    if not memberships:
        if user.is_staff:
            raise InvalidInput(
                gettext("Name the store to act for with the %(header)s header.") % {"header": STORE_HEADER}
            )
        raise Forbidden(gettext("This user is not a member of any store."))
    raise InvalidInput(
        gettext("This user belongs to several stores: name one with the %(header)s header.") % {"header": STORE_HEADER}
    )
