from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LetzshopConfig(AppConfig):
    name = "letzshop"
    verbose_name = _("Marketplace > Letzshop")
