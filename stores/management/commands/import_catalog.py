import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from config.errors import ServiceError
from stores.models import Store
from stores.services import catalog_import, catalog_rows_from_csv

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Import a catalog CSV (columns name, sku, gtin, gtin_type, price, is_active) into a store, upserting by "
        "SKU; pending product exceptions with the new GTINs are resolved."
    )

    def add_arguments(self, parser):
        parser.add_argument("--store", metavar="CODE", required=True, help="the store's code")
        parser.add_argument("file", help="the CSV file (UTF-8), or - for standard input")

    def handle(self, *args, store: str, file: str, **options):
        found = Store.objects.filter(code=store).first()
        if found is None:
            raise CommandError(_("No store with the code %(code)r.") % {"code": store})
        text = self._read(file)
        try:
            rows = list(catalog_rows_from_csv(text))
        except ServiceError as exc:
            raise CommandError(f"{file}: {exc.message}") from None
        if not rows:
            raise CommandError(_("%(file)s: no product rows under the header.") % {"file": file})
        self.stdout.write(
            _("%(store)s: importing %(n)s rows from %(file)s…") % {"store": found.code, "n": len(rows), "file": file}
        )
        result = catalog_import(store=found, rows=rows, progress=self._progress())
        if sys.stdout.isatty():
            self.stdout.write("")
        summary = _(
            "%(created)s created, %(updated)s updated, %(resolved)s exceptions resolved, %(errors)s rows skipped"
        ) % {
            "created": result.created,
            "updated": result.updated,
            "resolved": result.exceptions_resolved,
            "errors": len(result.errors),
        }
        self.stdout.write((self.style.WARNING if result.errors else self.style.SUCCESS)(f"{found.code}: {summary}"))
        for error in result.errors[:SHOWN_ERRORS]:
            # Row numbers count product rows; the header is line 1 of the file.
            problems = " ".join(f"{field}: {' '.join(messages)}" for field, messages in error["errors"].items())
            where = _("line %(line)s") % {"line": error["row"] + 1}
            if error.get("sku"):
                where = f"{where} ({error['sku']})"
            self.stdout.write(f"  {where}: {problems}")
        if len(result.errors) > SHOWN_ERRORS:
            self.stdout.write("  " + _("… and %(n)s more") % {"n": len(result.errors) - SHOWN_ERRORS})
        if result.errors:
            raise CommandError(
                _("%(n)s row(s) were skipped: correct them and import the file again (the others are in).")
                % {"n": len(result.errors)}
            )

    def _read(self, file: str) -> str:
        if file == "-":
            return sys.stdin.read()
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        try:
            return path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError(_("%(file)s is not UTF-8 text: save the CSV as UTF-8.") % {"file": file}) from None

    def _progress(self):
        def report(done: int, total: int) -> None:
            line = _("%(done)s / %(total)s products written") % {"done": done, "total": total}
            if sys.stdout.isatty():
                self.stdout.write("\r" + line, ending="")
            else:
                self.stdout.write(line)

        return report
