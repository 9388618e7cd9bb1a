"""Who may call ``/api/v1/admin/``: platform admins only (a store user gets 403)."""

from rest_framework import viewsets
from rest_framework.permissions import BasePermission


class IsPlatformAdmin(BasePermission):
    message = "Platform admins only: this is an /api/v1/admin endpoint."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class PlatformAdminMixin:
    """Every endpoint under ``/api/v1/admin/``: a store user gets 403."""

    permission_classes = [IsPlatformAdmin]


class AdminViewSet(PlatformAdminMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"
