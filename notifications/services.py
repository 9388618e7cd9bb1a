"""Every write of the notifications app: raise, resolve, read, e-mail, prune (docs/operations.md).

``notification_raise`` is the one call other apps make when something fails for good. It is
idempotent per incident: while an incident is open (not resolved), raising it again only counts
it; nobody is mailed twice. Its raiser resolves it when the thing works again, and the next
failure is a new incident.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications.models import Notification, NotificationPreference
from stores.models import Store, StoreMembership

logger = logging.getLogger(__name__)

Audience = Literal["store", "admin"]
STORE: Audience = "store"
ADMIN: Audience = "admin"


@transaction.atomic
def notification_raise(
    *,
    kind: str,
    title: str,
    message: str,
    incident_key: str,
    store: Store | None = None,
    level: str = Notification.Level.ERROR,
    link: str = "",
    admin_link: str = "",
    params: dict[str, Any] | None = None,
    letzshop_order_id: int | None = None,
) -> tuple[Notification, bool]:
    """Tell the store's owners and managers and the platform admins, in the app and by e-mail.

    ``title`` and ``message`` are texts of the code (marked with gettext_noop) with
    ``%(name)s`` placeholders filled from ``params`` when shown, in the reader's language.
    Returns (notification, created); an incident already open is counted, not told again.
    """
    now = timezone.now()
    params = {key: str(value) for key, value in (params or {}).items()}
    open_rows = Notification.objects.filter(incident_key=incident_key, resolved_at__isnull=True)
    if open_rows.update(occurrences=F("occurrences") + 1, last_seen_at=now, params=params):
        return open_rows.get(), False
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind,
                level=level,
                title=title[:200],
                message=message,
                params=params,
                store=store,
                letzshop_order_id=letzshop_order_id,
                link=link[:500],
                admin_link=(admin_link or link)[:500],
                incident_key=incident_key[:200],
                last_seen_at=now,
            )
    except IntegrityError:  # raised at the same moment elsewhere: that one is the notification
        open_rows.update(occurrences=F("occurrences") + 1, last_seen_at=now)
        return open_rows.get(), False
    logger.warning("notification %s raised: %s", notification.pk, incident_key)
    transaction.on_commit(lambda: notification_email_send(notification_id=notification.pk))
    return notification, True


def notification_resolve(*, incident_key: str) -> int:
    """The incident is over (the thing works again): its notification stays, closed."""
    return Notification.objects.filter(incident_key=incident_key, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )


def notifications_resolve_prefix(*, prefix: str) -> int:
    """Close every open incident whose key starts with ``prefix``."""
    return Notification.objects.filter(incident_key__startswith=prefix, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )


def _read_fields(audience: Audience) -> tuple[str, str]:
    return ("read_at", "read_by") if audience == STORE else ("admin_read_at", "admin_read_by")


def notification_mark_read(*, notification: Notification, user, audience: Audience) -> Notification:
    """Read for its audience (the store's people, or the platform admins); reading twice keeps
    the first time."""
    at, by = _read_fields(audience)
    if getattr(notification, at) is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, **{f"{at}__isnull": True}).update(**{at: now, by: user})
        notification.refresh_from_db(fields=[at, by])
    return notification


def notifications_mark_read(*, queryset, user, audience: Audience, read: bool = True) -> int:
    """Mark a selection read (or unread again) for one audience."""
    at, by = _read_fields(audience)
    if read:
        return queryset.filter(**{f"{at}__isnull": True}).update(**{at: timezone.now(), by: user})
    return queryset.exclude(**{f"{at}__isnull": True}).update(**{at: None, by: None})


def notification_preference_set(*, user, email_enabled: bool) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_enabled": bool(email_enabled)}
    )
    return preference


# --- e-mail ------------------------------------------------------------------------------------


def _absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return f"{settings.SITE_URL}{link}" if settings.SITE_URL else link


def email_recipients(*, notification: Notification) -> dict[Audience, list[str]]:
    """The store's owners and managers, and the platform admins who asked for e-mails."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    store_emails: list[str] = []
    if notification.store_id:
        store_emails = list(
            users.filter(
                pk__in=StoreMembership.objects.filter(
                    store_id=notification.store_id, role__in=StoreMembership.MANAGING_ROLES
                ).values("user_id")
            )
            .order_by("email")
            .values_list("email", flat=True)
            .distinct()
        )
    admin_emails = [
        email
        for email in users.filter(is_staff=True, notification_preference__email_enabled=True)
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
        if email not in store_emails
    ]
    return {STORE: store_emails, ADMIN: admin_emails}


def _email(notification: Notification, audience: Audience, recipient: str) -> EmailMessage:
    link = notification.link if audience == STORE else (notification.admin_link or notification.link)
    context = {"notification": notification, "link": _absolute(link), "audience": audience}
    subject = render_to_string("notifications/email_subject.txt", context).strip()
    body = render_to_string("notifications/email.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[recipient])


def notification_email_send(*, notification_id: int) -> int:
    """Mail a new notification to each recipient (one message each); returns how many went.

    A mail server that fails is logged: the notification is in the app all the same."""
    notification = Notification.objects.select_related("store").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return 0
    recipients = email_recipients(notification=notification)
    with translation.override(settings.LANGUAGE_CODE):
        messages = [_email(notification, audience, to) for audience, emails in recipients.items() for to in emails]
    if not messages:
        return 0
    try:
        sent = get_connection().send_messages(messages) or 0
    except Exception:  # noqa: BLE001 - the in-app notification stands; the log says why no mail
        logger.exception("notification %s: the e-mails could not be sent", notification.pk)
        return 0
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return sent


# --- retention ---------------------------------------------------------------------------------


def notifications_prune(*, before: datetime, batch_size: int, dry_run: bool = False) -> tuple[int, int]:
    """Delete notifications settled before ``before``: resolved, and read by someone. An open
    incident, or one nobody read, stays. Returns (deleted, batches)."""
    settled = Notification.objects.filter(created_at__lt=before, resolved_at__isnull=False).filter(
        Q(read_at__isnull=False) | Q(admin_read_at__isnull=False)
    )
    if dry_run:
        return settled.count(), 0
    deleted = batches = 0
    while True:
        ids = list(settled.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted, batches
        with transaction.atomic():
            count, _ = Notification.objects.filter(pk__in=ids).delete()
        deleted += count
        batches += 1
