"""Reads of notifications: a store's, the platform's, the bells' counts."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from notifications.models import Notification, NotificationPreference
from stores.models import Store
from stores.tenancy import store_required


def notification_list_for_store(*, store: Store) -> QuerySet[Notification]:
    store_required(store)
    return Notification.objects.filter(store=store)


def notification_get_for_store(*, store: Store, notification_id: int) -> Notification | None:
    store_required(store)
    return Notification.objects.filter(store=store, pk=notification_id).first()


def notification_list_for_admin(*, store_id: int | None = None) -> QuerySet[Notification]:
    queryset = Notification.objects.select_related("store")
    return queryset.filter(store_id=store_id) if store_id is not None else queryset


def unread_count_for_store(*, store: Store) -> int:
    store_required(store)
    return Notification.objects.filter(store=store, read_at__isnull=True).count()


def unread_count_for_admin() -> int:
    return Notification.objects.filter(admin_read_at__isnull=True).count()


def incident_keys_acknowledged(*, keys: Iterable[str]) -> set[str]:
    """Which of these incidents someone (a store user or an admin) has read."""
    keys = list(keys)
    if not keys:
        return set()
    return set(
        Notification.objects.filter(incident_key__in=keys)
        .filter(Q(read_at__isnull=False) | Q(admin_read_at__isnull=False))
        .values_list("incident_key", flat=True)
    )


def email_preference_enabled(*, user) -> bool:
    return NotificationPreference.objects.filter(user=user, email_enabled=True).exists()
