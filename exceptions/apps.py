from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExceptionsConfig(AppConfig):
    name = "exceptions"
    verbose_name = _("Product exceptions")

    def ready(self) -> None:
        # The catalog tells us when GTINs enter it; pending exceptions with them are resolved.
        from exceptions.services import exceptions_auto_match
        from stores.hooks import on_catalog_gtins_added

        on_catalog_gtins_added(exceptions_auto_match)
