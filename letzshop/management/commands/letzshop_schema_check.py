"""``manage.py letzshop_schema_check --store CODE``: Letzshop's live schema against the client."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.errors import ServiceError
from letzshop.client.documents import DOCUMENTS_DIR
from letzshop.services.schema_check import schema_check
from stores.models import Store


class Command(BaseCommand):
    help = (
        "Ask the store's Letzshop endpoint for its schema (introspection) and validate every document "
        "of letzshop/graphql/ against it, printing each difference: the type, the field or argument, "
        "what the client expects and what Letzshop has. Exits 1 when there is a difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, help="the store's code")
        parser.add_argument(
            "--documents",
            type=Path,
            default=DOCUMENTS_DIR,
            help="a folder of .graphql documents to check instead of letzshop/graphql/ (a fix, before it is committed)",
        )

    def handle(self, *args, store: str, documents: Path, **options):
        if not documents.is_dir():
            raise CommandError(f"{documents} is not a folder.")
        found = Store.objects.filter(code=store).first()
        if found is None:
            raise CommandError(f"No store has the code {store!r}.")
        try:
            check = schema_check(store=found, triggered_by="command", documents_dir=documents)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{found.name} ({found.code}): {check.endpoint}")
        self.stdout.write(f"Documents: {', '.join(check.documents)}")
        if check.error:
            raise CommandError(f"The schema could not be read: {check.error}")
        if check.compatible:
            self.stdout.write(self.style.SUCCESS("API schema: compatible"))
            return
        self.stdout.write(self.style.ERROR(f"API schema: {len(check.differences)} difference(s)"))
        for difference in check.differences:
            self.stdout.write(f"  - {difference.text()}")
        raise SystemExit(1)
