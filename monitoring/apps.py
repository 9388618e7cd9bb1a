from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from monitoring.collectors import readiness_metrics
        from monitoring.metrics import on_scrape

        on_scrape(readiness_metrics)
