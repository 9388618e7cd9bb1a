from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrderItemException(models.Model):
    """An order item whose product could not be matched by GTIN, awaiting QC.

    ``pending`` and ``ignored`` both block the order's confirmation to Letzshop; only
    ``resolved`` (a product of the same store assigned) lets it through.
    """

    class Type(models.TextChoices):
        PRODUCT_NOT_FOUND = "product_not_found", _("Product not found")
        GTIN_MISMATCH = "gtin_mismatch", _("GTIN format issue")
        DUPLICATE_GTIN = "duplicate_gtin", _("Several products with this GTIN")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RESOLVED = "resolved", _("Resolved")
        IGNORED = "ignored", _("Ignored")

    BLOCKING_STATUSES = (Status.PENDING, Status.IGNORED)

    # Both foreign keys lead a composite index below; a single-column index would only cost
    # writes during imports.
    store = models.ForeignKey(
        "stores.Store",
        on_delete=models.CASCADE,
        related_name="order_item_exceptions",
        verbose_name=_("store"),
        db_index=False,
    )
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.CASCADE,
        related_name="item_exceptions",
        verbose_name=_("order"),
        db_index=False,
    )
    order_item = models.OneToOneField(
        "orders.OrderItem", on_delete=models.CASCADE, related_name="exception", verbose_name=_("order item")
    )
    exception_type = models.CharField(_("type"), max_length=32, choices=Type.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)

    original_gtin = models.CharField(_("original GTIN"), max_length=64, blank=True)
    # GTIN-14 of original_gtin ("" if invalid): what auto-matching and bulk resolution compare.
    gtin_normalized = models.CharField(_("normalised GTIN"), max_length=14, blank=True)
    original_product_name = models.CharField(_("original product name"), max_length=500, blank=True)
    original_sku = models.CharField(_("original SKU"), max_length=100, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)

    resolved_product = models.ForeignKey(
        "stores.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolved_exceptions",
        verbose_name=_("resolved product"),
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    ignore_reason = models.CharField(_("ignore reason"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order item exception")
        verbose_name_plural = _("order item exceptions")
        indexes = [
            models.Index(fields=["store", "status"], name="exception_store_status_idx"),
            models.Index(
                fields=["store", "gtin_normalized"],
                condition=Q(status="pending"),
                name="exception_pending_gtin_idx",
            ),
            models.Index(fields=["order", "status"], name="exception_order_status_idx"),
            models.Index(fields=["status", "-created_at"], name="exception_status_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_exception_type_display()}: {self.original_gtin or '-'}"

    @property
    def blocks_confirmation(self) -> bool:
        return self.status in self.BLOCKING_STATUSES
