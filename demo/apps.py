from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for `make run`: created through the domain services, like any other data."""

    name = "demo"
    verbose_name = _("Demo")
