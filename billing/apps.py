from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        # Lower apps tell billing what it counts and ask it what a plan allows (docs/billing.md).
        from billing import services, signals  # noqa: F401  (signals: invoices stay as issued)
        from orders.hooks import on_orders_imported
        from stores.hooks import on_store_adding, on_sync_interval_check

        on_store_adding(services.plan_store_limit_check)
        on_sync_interval_check(services.plan_sync_interval_check)
        on_orders_imported(services.usage_orders_imported)
