"""Loyalty programs per merchant, their members and every change of a balance (docs/loyalty.md)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LoyaltyProgram(models.Model):
    """A merchant's program: it counts across all the merchant's stores."""

    merchant = models.OneToOneField(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="loyalty_program", verbose_name=_("merchant")
    )
    active = models.BooleanField(_("active"), default=False)
    points_per_eur = models.DecimalField(
        _("points per euro"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["merchant__name", "id"]
        verbose_name = _("loyalty program")
        verbose_name_plural = _("loyalty programs")

    def __str__(self) -> str:
        return f"{self.merchant}"


class LoyaltyMember(models.Model):
    """A customer of the merchant, known by their e-mail across all its stores."""

    program = models.ForeignKey(
        LoyaltyProgram, on_delete=models.CASCADE, related_name="members", verbose_name=_("program")
    )
    email = models.EmailField(_("email"), max_length=254)  # kept lowercased
    points_balance = models.BigIntegerField(_("points balance"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["email", "id"]
        verbose_name = _("loyalty member")
        verbose_name_plural = _("loyalty members")
        constraints = [models.UniqueConstraint(fields=["program", "email"], name="loyaltymember_unique_email")]

    def __str__(self) -> str:
        return self.email


class PointTransaction(models.Model):
    """One change of a member's balance, with its reason and its order."""

    class Reason(models.TextChoices):
        EARNED = "earned", _("Earned (units confirmed)")
        RETURNED = "returned", _("Taken back (units returned)")
        ADJUSTMENT = "adjustment", _("Adjusted by hand")

    member = models.ForeignKey(
        LoyaltyMember, on_delete=models.CASCADE, related_name="transactions", verbose_name=_("member")
    )
    # The store of the order (or of the person who adjusted): what the store's pages list.
    store = models.ForeignKey(
        "stores.Store", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("store")
    )
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="point_transactions",
        verbose_name=_("order"),
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    points = models.BigIntegerField(_("points"))
    balance_after = models.BigIntegerField(_("balance after"))
    # The units the points were earned on or taken back for.
    unit_ids = models.JSONField(_("inventory unit ids"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("point transaction")
        verbose_name_plural = _("point transactions")
        constraints = [
            # Each order earns once, whatever retries and re-imports happen.
            models.UniqueConstraint(
                fields=["order"], condition=Q(reason="earned"), name="pointtransaction_one_earning_per_order"
            )
        ]
        indexes = [
            models.Index(fields=["member", "-created_at"], name="pointtx_member_created_idx"),
            models.Index(fields=["order", "reason"], name="pointtx_order_reason_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.points:+d} {self.reason}"
