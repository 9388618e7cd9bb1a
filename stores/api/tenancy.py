"""The one way an API endpoint is scoped to a store.

Every endpoint under ``/api/v1/store/`` is a ``StoreScopedViewSet``: the current store comes from
``X-Store-Id`` (or the user's only store) and ``get_queryset`` can only start from
``scoped_queryset(store)``. The same viewsets are mounted under ``/api/v1/admin/.../{store_pk}/``
for platform admins, the store then coming from the URL. ``config.tests.test_tenancy`` walks the
URL conf to check that no store endpoint is anything else.
"""

from django.utils.translation import gettext
from rest_framework import viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated

from config.errors import Forbidden
from stores.models import StoreMembership
from stores.tenancy import STORE_HEADER, StoreContext, store_context_resolve


class IsPlatformAdmin(BasePermission):
    message = "Platform admins only: this is an /api/v1/admin endpoint."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class PlatformAdminMixin:
    """Every endpoint under ``/api/v1/admin/``: a store user gets 403."""

    permission_classes = [IsPlatformAdmin]


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
        if url_store is not None:
            if not request.user.is_staff:
                raise Forbidden(IsPlatformAdmin.message)
            self.store_context = store_context_resolve(user=request.user, store_id=url_store)
        else:
            self.store_context = store_context_resolve(user=request.user, store_id=request.headers.get(STORE_HEADER))
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


class StoreScopedViewSet(StoreScopedMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"


class AdminViewSet(PlatformAdminMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"
