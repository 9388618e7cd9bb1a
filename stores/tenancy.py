"""Tenancy: which store a request acts for, in one place (docs/architecture.md).

The current store comes from ``X-Store-Id`` (or the user's only store); a store the user is not a
member of answers 404, as if it did not exist. Every endpoint under ``/api/v1/store/`` is a
``StoreScopedViewSet``, whose ``get_queryset`` can only start from ``scoped_queryset(store)``. The
same viewsets are mounted under ``/api/v1/admin/.../{store_pk}/`` for platform admins, the store
then coming from the URL. ``integration.config.test_tenancy`` walks the URL conf to check that no store
endpoint is anything else.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from config.errors import Forbidden, InvalidInput, NotFound
from config.ids import UrlIdsMixin, id_parse
from config.permissions import IsPlatformAdmin, is_platform_admin
from stores.models import Store, StoreMembership

STORE_HEADER = "X-Store-Id"


# A platform admin's store switcher in the portal lists every store; past this many it is a long
# list already.
SWITCHER_LIMIT = 500


@dataclass(frozen=True)
class StoreContext:
    """The store a request acts for and the user's role in it (platform admins act as owners)."""

    store: Store
    role: str  # a StoreMembership.Role

    @property
    def can_manage(self) -> bool:
        return StoreMembership.role_can_manage(self.role)

    @property
    def id(self) -> int:
        return self.store.pk

    @property
    def name(self) -> str:
        return self.store.name

    @property
    def code(self) -> str:
        return self.store.code

    @property
    def time_zone(self) -> str:
        return self.store.time_zone

    @property
    def role_label(self) -> str:
        return StoreMembership.Role(self.role).label


def store_required(store) -> Store:
    """A store-scoped read refuses to run without its store: ``filter(store=None)`` would quietly
    answer nothing today and, written differently tomorrow, everything."""
    if not isinstance(store, Store) or store.pk is None:
        raise TypeError(f"a store-scoped read needs a saved Store, not {store!r}")
    return store


def acts_for_any_store(user: AbstractBaseUser) -> bool:
    """A platform admin opening the portal: a superuser, or staff allowed to see the stores (the
    API's admin endpoints check each call's own permission: config.permissions)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.is_superuser or user.has_perm("stores.view_store"))
    )


def store_contexts_for_user(*, user: AbstractBaseUser) -> list[StoreContext]:
    """The stores the user may open, by name, with its role in each (one query)."""
    if acts_for_any_store(user):
        stores = Store.objects.order_by("name", "pk").only("id", "name", "code", "time_zone")[:SWITCHER_LIMIT]
        return [StoreContext(store=store, role=StoreMembership.Role.OWNER) for store in stores]
    memberships = (
        StoreMembership.objects.filter(user=user)
        .select_related("store")
        .only("role", "store__id", "store__name", "store__code", "store__time_zone")
        .order_by("store__name", "store_id")
    )
    return [StoreContext(store=membership.store, role=membership.role) for membership in memberships]


def store_context_resolve(*, user: AbstractBaseUser, store_id=None, as_admin: bool = False, field=STORE_HEADER):
    """The current store: the one named (header or URL), else the user's only store.

    A store the user is not a member of answers 404 as if it did not exist, so that ids of
    other stores reveal nothing. A platform admin (``as_admin``: allowed this call by
    config.permissions) may act for any store.
    """
    if store_id not in (None, ""):
        pk = id_parse(store_id, field=field)
        if as_admin:
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


class StoreScopedMixin:
    """Resolves ``self.store_context`` before any handler runs; querysets start from the store.

    ``managing_actions`` lists the actions only owners and managers (and platform admins) may
    take; other roles get 403 with the reason.
    """

    permission_classes = [IsAuthenticated]
    # The model whose rows this endpoint serves (None for endpoints without rows of their own).
    tenant_model = None
    managing_actions: frozenset[str] = frozenset()
    store_url_kwarg = "store_pk"
    store_context: StoreContext

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        url_store = kwargs.get(self.store_url_kwarg)
        as_admin = is_platform_admin(request, self)
        if url_store is not None:
            if not as_admin:
                raise Forbidden(IsPlatformAdmin.message)
            self.store_context = store_context_resolve(
                user=request.user, store_id=url_store, as_admin=True, field=self.store_url_kwarg
            )
        else:
            self.store_context = store_context_resolve(
                user=request.user, store_id=request.headers.get(STORE_HEADER), as_admin=as_admin
            )
        if self.action in self.managing_actions and not self.store_context.can_manage:
            raise Forbidden(
                gettext("Only a store's %(roles)s may do this; your role is %(role)s.")
                % {"roles": gettext(" or ").join(StoreMembership.MANAGING_ROLES), "role": self.store_context.role}
            )

    @property
    def store(self):
        return self.store_context.store

    def scoped_queryset(self, store):
        raise NotImplementedError(f"{type(self).__name__} must define scoped_queryset(store)")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema
            return self.tenant_model.objects.none()
        return self.scoped_queryset(self.store)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["store"] = getattr(self, "store_context", None) and self.store_context.store
        return context


class StoreScopedViewSet(UrlIdsMixin, StoreScopedMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"
