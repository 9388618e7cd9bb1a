"""Who may call ``/api/v1/admin/``: platform admins, decided as the Django admin decides
(docs/security.md).

A superuser may do everything. A staff user may do what its Django model permissions allow: the
``view_``, ``add_``, ``change_`` or ``delete_`` permission of the model the call reads or writes.
A staff user without that permission, and a store user, get 403.
"""

from django.apps import apps
from rest_framework import viewsets
from rest_framework.permissions import BasePermission

from config.ids import UrlIdsMixin

# The permission an HTTP method needs, for a call of the viewset's standard actions.
_METHOD_ACTION = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add", "PUT": "change", "PATCH": "change"}
_METHOD_ACTION["DELETE"] = "delete"


def _model_of(view, action: str | None):
    """The model a call reads or writes: the view's per-action override, else its own model."""
    override = getattr(view, "permission_models", {}).get(action)
    if override:
        return apps.get_model(override)
    for candidate in (getattr(view, "permission_model", None), getattr(view, "tenant_model", None)):
        if candidate is not None:
            return apps.get_model(candidate) if isinstance(candidate, str) else candidate
    queryset = getattr(view, "queryset", None)
    if queryset is not None:
        return queryset.model
    serializer_class = getattr(view, "serializer_class", None)
    meta = getattr(serializer_class, "Meta", None)
    return getattr(meta, "model", None)


def required_permission(request, view) -> str | None:
    """``app_label.codename`` the call needs; None when no model says it (superusers only)."""
    action = getattr(view, "action", None)
    model = _model_of(view, action)
    if model is None:
        return None
    verb = getattr(view, "permission_verbs", {}).get(action)
    if verb is None:
        verb = _METHOD_ACTION.get(request.method, "change")
        # A POST that is not a creation (confirm, resolve, retry, test...) changes a row.
        if verb == "add" and action not in (None, "create") and model is _model_of(view, None):
            verb = "change"
    return f"{model._meta.app_label}.{verb}_{model._meta.model_name}"


def is_platform_admin(request, view) -> bool:
    user = request.user
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    permission = required_permission(request, view)
    return permission is not None and user.has_perm(permission)


class IsPlatformAdmin(BasePermission):
    message = "Platform admins only: this is an /api/v1/admin endpoint, and it needs a permission this user lacks."

    def has_permission(self, request, view) -> bool:
        return is_platform_admin(request, view)


class PlatformAdminMixin:
    """Every endpoint under ``/api/v1/admin/``: a store user, or staff without the model's
    permission, gets 403."""

    permission_classes = [IsPlatformAdmin]


class AdminViewSet(UrlIdsMixin, PlatformAdminMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"
