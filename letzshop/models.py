"""Letzshop's side of a store: credentials, imported shipments, outbound queue, audit log.

Fields are those of docs/import.md and docs/fulfillment.md; what is added says why.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stores.models import Store

SYNC_INTERVAL_MIN = 5
SYNC_INTERVAL_MAX = 1440


class StoredJSONField(models.JSONField):
    """JSON kept as received and never searched (a shipment's raw data).

    On PostgreSQL its column is ``json`` (the text, checked) rather than ``jsonb`` (a parsed
    binary form, which makes lookups by key fast and costs about twice the work on every
    insert: for an import of 5,000 shipments, 0.1 s of the server's 0.75 s). Elsewhere it is
    a JSONField like any other.
    """

    def db_type(self, connection):
        if connection.display_name == "PostgreSQL":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        if value is not None and not isinstance(value, str | bytes):
            return value  # psycopg decodes json columns itself
        return super().from_db_value(value, expression, connection)


class SyncRunStatus(models.TextChoices):
    """Outcome of a sync run (credentials' last_sync_status and the sync log)."""

    SUCCESS = "success", _("Success")
    FAILED = "failed", _("Failed")
    PARTIAL = "partial", _("Partial")
    # Only a sync log row of an import still under way (its progress is in ``details``).
    RUNNING = "running", _("Running")
    # An import whose process died: closed by the next sweep with what it had done (docs/import.md).
    INTERRUPTED = "interrupted", _("Interrupted")


class StoreLetzshopCredentials(models.Model):
    store = models.OneToOneField(
        "stores.Store", on_delete=models.CASCADE, related_name="letzshop_credentials", verbose_name=_("store")
    )
    # Fernet token (letzshop.crypto); the plain key is never stored, shown or logged.
    api_key_encrypted = models.TextField(_("API key (encrypted)"))
    api_endpoint = models.URLField(_("API endpoint"), max_length=500)
    auto_sync_enabled = models.BooleanField(_("auto-sync"), default=False)
    sync_interval_minutes = models.PositiveIntegerField(
        _("sync interval (minutes)"),
        default=15,
        validators=[MinValueValidator(SYNC_INTERVAL_MIN), MaxValueValidator(SYNC_INTERVAL_MAX)],
    )
    last_sync_at = models.DateTimeField(_("last sync at"), null=True, blank=True)
    last_sync_status = models.CharField(_("last sync status"), max_length=16, choices=SyncRunStatus.choices, blank=True)
    last_sync_error = models.TextField(_("last sync error"), blank=True)
    # A lease, not a transaction: one import per store at a time (docs/import.md). The running
    # import renews it every few seconds; one not renewed for LETZSHOP_IMPORT_LOCK_SECONDS
    # belonged to a process that died. ``import_sync_log_id`` names the holder's sync log row.
    import_started_at = models.DateTimeField(_("import lease renewed at"), null=True, blank=True, editable=False)
    import_sync_log_id = models.BigIntegerField(_("import under way"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "store_letzshop_credentials"
        verbose_name = _("Letzshop credentials")
        verbose_name_plural = _("Letzshop credentials")
        constraints = [
            models.CheckConstraint(
                condition=Q(sync_interval_minutes__gte=SYNC_INTERVAL_MIN, sync_interval_minutes__lte=SYNC_INTERVAL_MAX),
                name="credentials_sync_interval_range",
            )
        ]

    def __str__(self) -> str:
        return f"Letzshop credentials of {self.store}"


class LetzshopOrder(models.Model):
    """One Letzshop shipment of a store, as imported (a Letzshop order may span several).

    Indexes are few on purpose: every one is written for each imported shipment. The unique
    (store, shipment) constraint also serves every lookup by store.
    """

    class State(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Unconfirmed")
        CONFIRMED = "confirmed", _("Confirmed")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        RETURNED = "returned", _("Returned")

    class SyncStatus(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        # The value is the API's word (docs/api.md); people and the code say "declined".
        DECLINED = "rejected", _("Declined")
        SHIPPED = "shipped", _("Shipped")

    store = models.ForeignKey(
        "stores.Store",
        on_delete=models.CASCADE,
        related_name="letzshop_orders",
        verbose_name=_("store"),
        db_index=False,  # led by letzshoporder_unique_store_shipment
    )
    letzshop_order_id = models.CharField(_("Letzshop order id"), max_length=255, blank=True)
    letzshop_shipment_id = models.CharField(_("Letzshop shipment id"), max_length=255)
    letzshop_order_number = models.CharField(_("order number"), max_length=64, blank=True)
    local_order = models.OneToOneField(
        "orders.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letzshop_order",
        verbose_name=_("local order"),
    )
    letzshop_state = models.CharField(_("Letzshop state"), max_length=16, choices=State.choices)
    customer_email = models.CharField(_("customer email"), max_length=254, blank=True)
    customer_name = models.CharField(_("customer name"), max_length=300, blank=True)
    total_amount = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    raw_order_data = StoredJSONField(_("raw data"), default=dict, blank=True)
    inventory_units = models.JSONField(_("inventory units"), default=list, blank=True)
    sync_status = models.CharField(
        _("sync status"), max_length=16, choices=SyncStatus.choices, default=SyncStatus.PENDING
    )
    tracking_number = models.CharField(_("tracking number"), max_length=128, blank=True)
    tracking_carrier = models.CharField(_("tracking carrier"), max_length=64, blank=True)
    # Letzshop takes no reason with a decline; the store's reason is kept here.
    decline_reason = models.CharField(_("decline reason"), max_length=500, blank=True)
    # Digest of raw_order_data: a re-import of an unchanged shipment touches nothing.
    raw_digest = models.CharField(max_length=64, blank=True, editable=False)
    # Digest of the states alone (shipment, units, tracking): what a re-import's light query
    # compares before fetching a page whole (letzshop.services.mapping.state_fingerprint).
    state_digest = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "letzshop_orders"
        ordering = ["-created_at", "-id"]
        verbose_name = _("Letzshop order")
        verbose_name_plural = _("Letzshop orders")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "letzshop_shipment_id"], name="letzshoporder_unique_store_shipment"
            )
        ]
        indexes = [
            models.Index(fields=["store", "letzshop_state"], name="lsorder_store_state_idx"),
            models.Index(fields=["store", "sync_status"], name="lsorder_store_sync_idx"),
            models.Index(fields=["store", "-created_at"], name="lsorder_store_created_idx"),
        ]

    def __str__(self) -> str:
        return self.letzshop_order_number or self.letzshop_shipment_id

    @property
    def every_unit_declined(self) -> bool:
        """Every inventory unit declined: the order is declined, although Letzshop may still call
        the shipment "confirmed"."""
        units = self.inventory_units or []
        return bool(units) and all(unit.get("state") == "confirmed_unavailable" for unit in units)


class LetzshopFulfillmentQueue(models.Model):
    """An outbound operation for Letzshop; the database is the queue, Celery only wakes workers."""

    class Operation(models.TextChoices):
        CONFIRM = "confirm", _("Confirm")
        DECLINE = "reject", _("Decline")  # "reject": the API's word (its /reject path)
        SET_TRACKING = "set_tracking", _("Set tracking")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSING = "processing", _("Processing")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")

    OPEN_STATUSES = (Status.PENDING, Status.PROCESSING)

    store = models.ForeignKey(
        "stores.Store", on_delete=models.CASCADE, related_name="letzshop_queue", verbose_name=_("store")
    )
    letzshop_order = models.ForeignKey(
        LetzshopOrder, on_delete=models.CASCADE, related_name="queue_items", verbose_name=_("Letzshop order")
    )
    operation = models.CharField(_("operation"), max_length=16, choices=Operation.choices)
    payload = models.JSONField(_("payload"), default=dict)
    # Digest of operation + payload: the same request while one is open is not queued twice.
    payload_digest = models.CharField(max_length=64, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("max attempts"), default=3)
    error_message = models.TextField(_("error"), blank=True)
    response_data = models.JSONField(_("Letzshop response"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    locked_at = models.DateTimeField(_("processing since"), null=True, blank=True)
    # When the last message that wakes a worker for this row is due; until the row is claimed
    # (or that message is surely lost) the sweep sends no other (docs/fulfillment.md).
    woken_at = models.DateTimeField(_("worker woken for"), null=True, blank=True, editable=False)
    # Since when Letzshop has answered "later" (429) without a break: bounded by time, not attempts.
    rate_limited_since = models.DateTimeField(_("rate limited since"), null=True, blank=True, editable=False)
    # A worker stopped while the operation may have reached Letzshop: read the shipment's state
    # on Letzshop before sending anything again.
    verify_before_send = models.BooleanField(_("check on Letzshop first"), default=False, editable=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "letzshop_fulfillment_queue"
        ordering = ["-created_at", "-id"]
        verbose_name = _("fulfillment queue item")
        verbose_name_plural = _("fulfillment queue")
        constraints = [
            models.UniqueConstraint(
                fields=["letzshop_order", "operation", "payload_digest"],
                condition=Q(status__in=["pending", "processing"]),
                name="queue_one_open_per_operation",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="queue_status_due_idx"),
            models.Index(fields=["store", "status"], name="queue_store_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_operation_display()} #{self.pk} ({self.status})"


class LetzshopSyncLog(models.Model):
    """Audit trail: one row per import run and per outbound call."""

    class Operation(models.TextChoices):
        ORDER_IMPORT = "order_import", _("Order import")
        CONFIRM = "confirm", _("Confirm")
        DECLINE = "reject", _("Decline")
        SET_TRACKING = "set_tracking", _("Set tracking")
        TEST_CONNECTION = "test_connection", _("Test connection")

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")

    TRIGGER_SCHEDULER = "scheduler"
    TRIGGER_COMMAND = "command"
    TRIGGER_QUEUE = "queue"

    store = models.ForeignKey(
        "stores.Store", on_delete=models.CASCADE, related_name="letzshop_sync_logs", verbose_name=_("store")
    )
    operation_type = models.CharField(_("operation"), max_length=32, choices=Operation.choices)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=16, choices=SyncRunStatus.choices)
    records_processed = models.PositiveIntegerField(_("processed"), default=0)
    records_succeeded = models.PositiveIntegerField(_("succeeded"), default=0)
    records_failed = models.PositiveIntegerField(_("failed"), default=0)
    error_details = models.JSONField(_("error details"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), default=0)
    # duration_seconds is whole seconds (the documented field); an outbound call takes milliseconds.
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    triggered_by = models.CharField(_("triggered by"), max_length=64, blank=True)
    # Import counts beyond processed/succeeded/failed, and the call's summary.
    details = models.JSONField(_("details"), default=dict, blank=True)
    queue_item = models.ForeignKey(
        LetzshopFulfillmentQueue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sync_logs",
        verbose_name=_("queue item"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "letzshop_sync_logs"
        ordering = ["-started_at", "-id"]
        verbose_name = _("sync log")
        verbose_name_plural = _("sync logs")
        indexes = [
            models.Index(fields=["store", "-started_at"], name="synclog_store_started_idx"),
            models.Index(fields=["operation_type", "status"], name="synclog_op_status_idx"),
        ]

    def __str__(self) -> str:
        # In the site's time zone, as the page's fields below the title.
        started = timezone.localtime(self.started_at)
        return f"{self.get_operation_type_display()} {self.get_status_display()} @ {started:%Y-%m-%d %H:%M}"


class LetzshopStore(Store):
    """A store seen through its Letzshop integration: the admin's "Marketplace > Letzshop" list.

    A proxy (no table): the dashboard of every store's integration status lives in the letzshop
    app's admin, while the store itself stays a stores.Store."""

    class Meta:
        proxy = True
        verbose_name = _("Letzshop store")
        verbose_name_plural = _("Letzshop stores")


class LetzshopKeySlot(models.Model):
    """A Letzshop key's next free request slot, shared by every worker (letzshop.client.ratelimit):
    the database's copy, used when the broker is not Redis. ``key`` is a hash of the endpoint and
    the API key, never the key itself."""

    key = models.CharField(_("key hash"), max_length=64, primary_key=True)
    # Epoch seconds: the earliest moment the key's next request may leave.
    next_at = models.FloatField(_("next request at"), default=0.0)

    class Meta:
        db_table = "letzshop_key_slots"
        verbose_name = _("Letzshop key rate slot")
        verbose_name_plural = _("Letzshop key rate slots")

    def __str__(self) -> str:
        return self.key
