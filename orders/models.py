from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Order(models.Model):
    """A store's order, whatever channel it came from (channel-neutral)."""

    class Channel(models.TextChoices):
        LETZSHOP = "letzshop", "Letzshop"
        MANUAL = "manual", _("Manual")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        # The value is the API's word (docs/api.md); people and the code say "declined".
        DECLINED = "rejected", _("Declined")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", _("Cancelled")

    # Which status may follow which (PATCH /admin/orders/{id}/status and the services).
    ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.PENDING: (Status.CONFIRMED, Status.DECLINED, Status.CANCELLED),
        Status.CONFIRMED: (Status.SHIPPED, Status.CANCELLED),
        Status.SHIPPED: (Status.DELIVERED, Status.RETURNED),
        Status.DELIVERED: (Status.RETURNED,),
        Status.DECLINED: (),
        Status.RETURNED: (),
        Status.CANCELLED: (),
    }
    # Which orders may be marked shipped (a shipped one, to correct its tracking).
    SHIPPABLE_STATUSES = (Status.PENDING, Status.CONFIRMED, Status.SHIPPED)

    store = models.ForeignKey(
        "stores.Store",
        on_delete=models.CASCADE,
        related_name="orders",
        verbose_name=_("store"),
        db_index=False,  # led by order_store_status_idx
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.MANUAL)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)

    external_order_id = models.CharField(_("external order id"), max_length=255, blank=True)
    external_order_number = models.CharField(_("order number"), max_length=64, blank=True)
    external_shipment_id = models.CharField(_("external shipment id"), max_length=255, blank=True)
    shipment_number = models.CharField(_("shipment number"), max_length=64, blank=True)

    customer_email = models.EmailField(_("customer email"), max_length=254, blank=True)
    customer_first_name = models.CharField(_("customer first name"), max_length=150, blank=True)
    customer_last_name = models.CharField(_("customer last name"), max_length=150, blank=True)
    customer_phone = models.CharField(_("customer phone"), max_length=64, blank=True)
    locale = models.CharField(_("locale"), max_length=8, blank=True)
    shipping_address = models.JSONField(_("shipping address"), default=dict, blank=True)
    shipping_country = models.CharField(_("shipping country"), max_length=2, blank=True)
    billing_address = models.JSONField(_("billing address"), default=dict, blank=True)
    billing_country = models.CharField(_("billing country"), max_length=2, blank=True)

    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    total_amount = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal("0.00"))

    shipping_carrier = models.CharField(_("shipping carrier"), max_length=64, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=128, blank=True)
    tracking_url = models.URLField(_("tracking URL"), max_length=500, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)

    ordered_at = models.DateTimeField(_("ordered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "channel", "external_shipment_id"],
                condition=~Q(external_shipment_id=""),
                name="order_unique_store_channel_shipment",
            )
        ]
        indexes = [
            models.Index(fields=["store", "status"], name="order_store_status_idx"),
            models.Index(fields=["store", "-created_at"], name="order_store_created_idx"),
            models.Index(fields=["status", "-created_at"], name="order_status_created_idx"),
        ]

    def __str__(self) -> str:
        return self.external_order_number or f"#{self.pk}"

    @property
    def customer_name(self) -> str:
        return " ".join(part for part in (self.customer_first_name, self.customer_last_name) if part)

    def can_transition_to(self, status: str) -> bool:
        return status in self.ALLOWED_TRANSITIONS.get(self.status, ())


class OrderItem(models.Model):
    """One line of an order. From Letzshop: one item per variant, quantity = its units."""

    order = models.ForeignKey(
        Order,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("order"),
        db_index=False,  # led by orderitem_order_match_idx
    )
    product = models.ForeignKey(
        "stores.Product", on_delete=models.PROTECT, related_name="order_items", verbose_name=_("product")
    )
    # What the channel said the item was, kept whatever product it is matched to.
    product_name = models.CharField(_("product name"), max_length=500, blank=True)
    product_sku = models.CharField(_("SKU"), max_length=100, blank=True)
    gtin = models.CharField(_("GTIN"), max_length=32, blank=True)
    gtin_type = models.CharField(_("GTIN type"), max_length=8, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    total_price = models.DecimalField(_("total price"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    # The line's identity in its channel: Letzshop's variant id (or "unit:<id>" without one).
    external_item_key = models.CharField(_("external item key"), max_length=255, blank=True)
    external_variant_id = models.CharField(_("external variant id"), max_length=255, blank=True)
    inventory_unit_ids = models.JSONField(_("inventory unit ids"), default=list, blank=True)
    needs_product_match = models.BooleanField(_("needs product match"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["order_id", "id"]
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "external_item_key"],
                condition=~Q(external_item_key=""),
                name="orderitem_unique_order_item_key",
            )
        ]
        indexes = [models.Index(fields=["order", "needs_product_match"], name="orderitem_order_match_idx")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"


class ShippingCarrier(models.Model):
    """A carrier Letzshop ships with, and where its labels are found (Admin > Settings > Shipping)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    label_url_prefix = models.URLField(
        _("label URL prefix"),
        max_length=500,
        blank=True,
        help_text=_("The label URL is this prefix followed by the shipment number."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("shipping carrier")
        verbose_name_plural = _("shipping carriers")

    def __str__(self) -> str:
        return self.name
