import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA time zone names this machine knows ("Europe/Luxembourg"), sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def time_zone_validate(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(
            gettext("%(value)s is not a time zone: choose one such as Europe/Luxembourg."), params={"value": value}
        )


def default_time_zone() -> str:
    return settings.TIME_ZONE


class Store(models.Model):
    """A merchant's shop on the platform; the unit of tenancy."""

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="stores", verbose_name=_("merchant")
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The store's people read every time of the portal in it (an order's date, a sync's start);
    # the admin, used by the platform's own staff across stores, keeps the platform's TIME_ZONE.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[time_zone_validate],
        help_text=_("The time zone the store's portal shows times in, for example Europe/Luxembourg."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return self.name


class StoreDomain(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="domains", verbose_name=_("store"))
    domain = models.CharField(_("domain"), max_length=253, unique=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("store domain")
        verbose_name_plural = _("store domains")
        constraints = [
            models.UniqueConstraint(
                fields=["store"], condition=Q(is_primary=True), name="storedomain_one_primary_per_store"
            )
        ]

    def __str__(self) -> str:
        return self.domain


class StoreMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        STAFF = "staff", _("Staff")

    # Owners and managers change credentials, settings and the catalog (docs/security.md).
    MANAGING_ROLES = (Role.OWNER, Role.MANAGER)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="store_memberships", verbose_name=_("user")
    )
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("store"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["store_id", "user_id"]
        verbose_name = _("store membership")
        verbose_name_plural = _("store memberships")
        constraints = [models.UniqueConstraint(fields=["user", "store"], name="storemembership_unique_user_store")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.store} ({self.role})"

    @classmethod
    def role_can_manage(cls, role: str) -> bool:
        """Owners and managers manage a store (credentials, settings, catalog); staff work orders."""
        return role in cls.MANAGING_ROLES

    @property
    def can_manage(self) -> bool:
        return self.role_can_manage(self.role)


class Product(models.Model):
    """An item of a store's catalog; order items point at one.

    Each store has one placeholder product (``is_placeholder``) that items point at while their
    Letzshop GTIN matches nothing in the catalog.
    """

    class GtinType(models.TextChoices):
        GTIN14 = "gtin14", "GTIN-14"
        GTIN13 = "gtin13", "GTIN-13 (EAN)"
        GTIN12 = "gtin12", "GTIN-12 (UPC)"
        GTIN8 = "gtin8", "GTIN-8"
        ISBN13 = "isbn13", "ISBN-13"
        ISBN10 = "isbn10", "ISBN-10"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="products", verbose_name=_("store"))
    name = models.CharField(_("name"), max_length=500)
    sku = models.CharField(_("SKU"), max_length=100, blank=True)
    gtin = models.CharField(_("GTIN"), max_length=32, blank=True)
    # The GTIN-14 form of ``gtin`` (stores.gtin), "" if none or invalid: what matching compares.
    gtin_normalized = models.CharField(_("normalised GTIN"), max_length=14, blank=True, editable=False)
    gtin_type = models.CharField(_("GTIN type"), max_length=8, choices=GtinType.choices, blank=True)
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_placeholder = models.BooleanField(_("placeholder"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            # The catalog import upserts by SKU.
            models.UniqueConstraint(fields=["store", "sku"], condition=~Q(sku=""), name="product_unique_store_sku"),
            models.UniqueConstraint(
                fields=["store"], condition=Q(is_placeholder=True), name="product_one_placeholder_per_store"
            ),
        ]
        indexes = [
            models.Index(fields=["store", "gtin_normalized"], name="product_store_gtin_idx"),
            models.Index(fields=["store", "name"], name="product_store_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name
