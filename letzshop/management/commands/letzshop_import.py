import sys

from django.core.management.base import BaseCommand, CommandError

from letzshop.imports import ImportStatus, orders_import
from letzshop.models import LetzshopSyncLog, StoreLetzshopCredentials
from stores.models import Store


class Command(BaseCommand):
    help = "Import Letzshop orders of one store (--store CODE) or of every configured store (--all)."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--store", metavar="CODE", help="the store's code")
        target.add_argument("--all", action="store_true", help="every active store with credentials")
        parser.add_argument(
            "--include-confirmed", action="store_true", help="also import confirmed shipments (history)"
        )
        parser.add_argument(
            "--full", action="store_true", help="fetch every page whole (also changes of the product data alone)"
        )
        parser.add_argument("--page-size", type=int, default=None)

    def handle(self, *args, store=None, all=False, include_confirmed=False, full=False, page_size=None, **options):
        if store:
            stores = list(Store.objects.filter(code=store))
            if not stores:
                raise CommandError(f"No store with the code {store!r}.")
            if not StoreLetzshopCredentials.objects.filter(store=stores[0]).exists():
                raise CommandError(f"Store {store!r} has no Letzshop credentials: configure them first.")
        else:
            stores = list(Store.objects.filter(is_active=True, letzshop_credentials__isnull=False).order_by("code"))
            if not stores:
                self.stdout.write("No active store has Letzshop credentials.")
                return
        failures = 0
        for each in stores:
            self.stdout.write(f"{each.code}: importing…")
            result = orders_import(
                store=each,
                triggered_by=LetzshopSyncLog.TRIGGER_COMMAND,
                include_confirmed=include_confirmed,
                full=full,
                page_size=page_size,
                progress=self._progress(each.code),
            )
            if sys.stdout.isatty():
                self.stdout.write("")
            style = self.style.SUCCESS if result.status == ImportStatus.SUCCESS else self.style.WARNING
            self.stdout.write(
                style(
                    f"{each.code}: {result.message} ({result.orders_unchanged} unchanged, "
                    f"{result.exceptions_created} new exceptions, {result.pages} pages)"
                )
            )
            for error in result.errors[:10]:
                self.stdout.write(f"  - {error.get('shipment_id', '')} {error['error']}".rstrip())
            failures += result.status in (ImportStatus.FAILED, ImportStatus.ALREADY_RUNNING)
        if failures:
            raise CommandError(f"{failures} store(s) could not be imported.")

    def _progress(self, code: str):
        def report(snapshot: dict) -> None:
            line = (
                f"{code}: page {snapshot['pages']}, {snapshot['shipments']} shipments "
                f"({snapshot['imported']} new, {snapshot['updated']} updated)"
            )
            if sys.stdout.isatty():
                self.stdout.write("\r" + line, ending="")
            else:
                self.stdout.write(line)

        return report
