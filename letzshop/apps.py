from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LetzshopConfig(AppConfig):
    name = "letzshop"
    verbose_name = _("Marketplace > Letzshop")

    def ready(self) -> None:
        from letzshop.metrics import scrape
        from monitoring.metrics import on_scrape

        on_scrape(scrape)
