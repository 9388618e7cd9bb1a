from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        # Points follow what the channel says of an order's units (docs/loyalty.md).
        from loyalty import services
        from orders.hooks import on_orders_imported, on_units_confirmed

        on_units_confirmed(services.points_earn_for_units)
        on_orders_imported(services.points_take_back_returned)
