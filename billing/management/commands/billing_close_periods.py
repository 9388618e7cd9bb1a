"""``manage.py billing_close_periods``: close the ended periods now and write their invoices
(what beat does every hour; running it again writes nothing twice)."""

from django.core.management.base import BaseCommand

from billing.services import periods_close


class Command(BaseCommand):
    help = "Close the billing periods that ended and write their invoices (idempotent)."

    def handle(self, *args, **options):
        result = periods_close()
        self.stdout.write(f"{result['periods_closed']} period(s) closed, {result['invoices']} invoice(s) written.")
