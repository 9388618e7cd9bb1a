from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LetzshopConfig(AppConfig):
    name = "letzshop"
    verbose_name = _("Marketplace > Letzshop")

    def ready(self) -> None:
        from letzshop.metrics import scrape
        from monitoring.metrics import on_scrape

        on_scrape(scrape)

        # Registers the Celery tasks in every process (the web one too): the services wake them
        # by name, so that letzshop.tasks imports the services and never the other way round.
        from letzshop import tasks  # noqa: F401
