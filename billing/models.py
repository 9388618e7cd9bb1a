"""Plans, merchants' subscriptions, usage per period and invoices (docs/billing.md)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    """What a merchant pays each month and what it may use."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    max_stores = models.PositiveIntegerField(_("maximum stores"), default=1, validators=[MaxValueValidator(10_000)])
    min_sync_interval_minutes = models.PositiveIntegerField(
        _("shortest auto-sync interval (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
    )
    monthly_order_limit = models.PositiveIntegerField(
        _("orders per month"), default=1000, validators=[MaxValueValidator(100_000_000)]
    )
    price_monthly = models.DecimalField(
        _("monthly price"), max_digits=10, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    overage_price_per_order = models.DecimalField(
        _("price per order over the limit"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("0.0000"),
        validators=[MinValueValidator(0)],
    )
    is_active = models.BooleanField(_("active"), default=True, help_text=_("A retired plan takes no new merchants."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["price_monthly", "code"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """A merchant's plan; billing is per merchant, whatever its number of stores."""

    class Status(models.TextChoices):
        TRIALING = "trialing", _("Trialing")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Past due")
        CANCELED = "canceled", _("Canceled")

    merchant = models.OneToOneField(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="subscription", verbose_name=_("merchant")
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("plan"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.TRIALING)
    # The period being counted: [start, end), calendar months in the platform's time zone.
    current_period_start = models.DateField(_("current period start"))
    current_period_end = models.DateField(_("current period end"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["merchant__name", "id"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(current_period_end__gt=models.F("current_period_start")), name="subscription_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.merchant} · {self.plan}"


class SubscriptionChange(models.Model):
    """The log of plan and status changes of a subscription: who, when, from what to what."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="changes", verbose_name=_("subscription")
    )
    old_plan_code = models.CharField(_("old plan"), max_length=32, blank=True)
    new_plan_code = models.CharField(_("new plan"), max_length=32)
    old_status = models.CharField(_("old status"), max_length=16, blank=True)
    new_status = models.CharField(_("new status"), max_length=16)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("changed by")
    )
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subscription change")
        verbose_name_plural = _("subscription changes")

    def __str__(self) -> str:
        return f"{self.old_plan_code or '-'} → {self.new_plan_code}"


class UsagePeriod(models.Model):
    """What a merchant used in one period, counted as it happens (not recounted from orders)."""

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="usage_periods", verbose_name=_("merchant")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    orders_imported = models.PositiveIntegerField(_("orders imported"), default=0)
    # When the owners and admins were told the limit was 80 % / 100 % used (once per period).
    warned_80_at = models.DateTimeField(_("told at 80 %"), null=True, blank=True)
    warned_100_at = models.DateTimeField(_("told at 100 %"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-period_start", "merchant_id"]
        verbose_name = _("usage period")
        verbose_name_plural = _("usage periods")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "period_start"], name="usageperiod_unique_merchant_start")
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.period_start}"


class InvoiceSequence(models.Model):
    """The last invoice number handed out: one row, locked while an invoice is numbered, so that
    numbers have no gaps (a rolled-back invoice rolls its number back too)."""

    name = models.CharField(max_length=32, unique=True, default="invoices")
    last_number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice sequence")
        verbose_name_plural = _("invoice sequences")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_number}"


class Invoice(models.Model):
    """One merchant's invoice for one closed period; never changed once issued."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("merchant")
    )
    number = models.PositiveBigIntegerField(_("number"), unique=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    plan_code = models.CharField(_("plan"), max_length=32)
    plan_name = models.CharField(_("plan name"), max_length=100)
    # [{"description", "quantity", "unit_price", "amount"}], amounts as strings of euros.
    lines = models.JSONField(_("lines"), default=list)
    orders_imported = models.PositiveIntegerField(_("orders imported"), default=0)
    overage_orders = models.PositiveIntegerField(_("orders over the limit"), default=0)
    subtotal = models.DecimalField(_("subtotal"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    vat_amount = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ISSUED)
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        ordering = ["-number"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "period_start"], name="invoice_unique_merchant_period")
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"INV-{self.number:06d}"
