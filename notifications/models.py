"""Notifications: someone is told, once per incident, when something fails for good.

The app sits just above stores (docs/architecture.md), so that every app above it (letzshop,
billing) can raise one. It knows no model of those apps: a notification keeps the id of the
Letzshop order it is about and the links where the problem is fixed, as its raiser gave them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Level(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        ERROR = "error", _("Error")

    # Kinds are open (each raising app names its own); these are the platform's.
    FULFILLMENT_FAILED = "fulfillment_failed"
    SYNC_FAILED = "sync_failed"
    CREDENTIALS_REFUSED = "credentials_refused"
    SCHEMA_MISMATCH = "schema_mismatch"

    kind = models.CharField(_("kind"), max_length=48)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.ERROR)
    # Title and message are kept as written in the code, with their values apart (params), and
    # translated when shown: each reader gets them in their own language.
    title = models.CharField(_("title"), max_length=200)
    message = models.TextField(_("message"), blank=True)
    params = models.JSONField(_("values"), default=dict, blank=True)
    store = models.ForeignKey(
        "stores.Store",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("store"),
        db_index=False,  # led by notification_store_created_idx
    )
    # The Letzshop order concerned, by id: this app sits below letzshop and outlives its rows.
    letzshop_order_id = models.PositiveBigIntegerField(_("Letzshop order"), null=True, blank=True)
    # Where the store fixes it (the portal), and where a platform admin does (the admin).
    link = models.CharField(_("link"), max_length=500, blank=True)
    admin_link = models.CharField(_("admin link"), max_length=500, blank=True)
    # One notification per incident: raising the same key again while it is open counts it.
    incident_key = models.CharField(_("incident"), max_length=200)
    occurrences = models.PositiveIntegerField(_("occurrences"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # Two readers, each with its own state: the store's people (the portal, the store API) and
    # the platform admins (the admin, the admin API). One reading it does not hide it from the other.
    read_at = models.DateTimeField(_("read by the store at"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    admin_read_at = models.DateTimeField(_("read by an admin at"), null=True, blank=True)
    admin_read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        db_table = "notifications"
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["incident_key"],
                condition=Q(resolved_at__isnull=True),
                name="notification_one_open_per_incident",
            )
        ]
        indexes = [
            models.Index(fields=["store", "-created_at"], name="notification_store_created_idx"),
            # The bells count unread rows: small partial indexes, whatever the history.
            models.Index(fields=["store"], condition=Q(read_at__isnull=True), name="notification_store_unread_idx"),
            models.Index(
                fields=["created_at"], condition=Q(admin_read_at__isnull=True), name="notification_admin_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title_text

    @staticmethod
    def _text(template: str, params: dict) -> str:
        text = gettext(template) if template else ""
        if params and text:
            try:
                return text % params
            except (KeyError, TypeError, ValueError):
                return text
        return text

    @property
    def title_text(self) -> str:
        return self._text(self.title, self.params)

    @property
    def message_text(self) -> str:
        return self._text(self.message, self.params)


# How the admin's filter names the platform's kinds; a kind another app adds shows its code.
KIND_LABELS = {
    Notification.FULFILLMENT_FAILED: _("Fulfillment failed"),
    Notification.SYNC_FAILED: _("Imports failing"),
    Notification.CREDENTIALS_REFUSED: _("API key refused"),
    Notification.SCHEMA_MISMATCH: _("Letzshop's API changed"),
}


class NotificationPreference(models.Model):
    """A platform admin's choice of e-mails (a store's owners and managers always get theirs)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email_enabled = models.BooleanField(_("e-mail me about failures"), default=False)

    class Meta:
        db_table = "notification_preferences"
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {'e-mail' if self.email_enabled else 'in-app only'}"
