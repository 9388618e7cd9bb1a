from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from config.errors import InvalidInput, NotFound
from config.ids import id_parse
from config.permissions import AdminViewSet
from notifications import selectors, services
from notifications.api.serializers import NotificationSerializer
from notifications.models import Notification
from stores.tenancy import StoreScopedViewSet

UNREAD = OpenApiParameter("unread", OpenApiTypes.BOOL, description="only the unread ones (true) or the read ones")


def _unread_filter(request, queryset, field: str):
    value = request.query_params.get("unread", "").strip().lower()
    if value in ("", None):
        return queryset
    if value in ("1", "true", "yes"):
        return queryset.filter(**{f"{field}__isnull": True})
    if value in ("0", "false", "no"):
        return queryset.filter(**{f"{field}__isnull": False})
    raise InvalidInput(gettext("unread is true or false."), field="unread")


class StoreNotificationViewSet(mixins.ListModelMixin, StoreScopedViewSet):
    """The current store's notifications (``/api/v1/store/notifications``), newest first."""

    tenant_model = Notification
    serializer_class = NotificationSerializer

    def scoped_queryset(self, store):
        queryset = selectors.notification_list_for_store(store=store).order_by("-created_at", "-id")
        return _unread_filter(self.request, queryset, "read_at")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "audience": services.STORE}

    @extend_schema(parameters=[UNREAD])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None, **kwargs):
        notification = selectors.notification_get_for_store(store=self.store, notification_id=int(pk))
        if notification is None:
            raise NotFound(gettext("There is no such notification."))
        notification = services.notification_mark_read(
            notification=notification, user=request.user, audience=services.STORE
        )
        return Response(self.get_serializer(notification).data)


class AdminNotificationViewSet(mixins.ListModelMixin, AdminViewSet):
    """Every notification (``/api/v1/admin/notifications``; ``?store_id=``), newest first."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        store_id = self.request.query_params.get("store_id")
        if store_id not in (None, ""):
            store_id = id_parse(store_id, field="store_id")
        queryset = selectors.notification_list_for_admin(store_id=store_id).order_by("-created_at", "-id")
        return _unread_filter(self.request, queryset, "admin_read_at")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "audience": services.ADMIN}

    @extend_schema(
        parameters=[OpenApiParameter("store_id", OpenApiTypes.INT, description="one store's notifications"), UNREAD]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = selectors.notification_list_for_admin().filter(pk=int(pk)).first()
        if notification is None:
            raise NotFound(gettext("There is no such notification."))
        notification = services.notification_mark_read(
            notification=notification, user=request.user, audience=services.ADMIN
        )
        return Response(self.get_serializer(notification).data)
