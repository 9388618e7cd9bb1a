from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from exceptions.selectors import exception_stats, exceptions_oldest_pending
from stores.models import Store


def _age(delta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours >= 48:
        return _("%(n)s days") % {"n": hours // 24}
    if hours >= 1:
        return _("%(n)s h") % {"n": hours}
    return _("%(n)s min") % {"n": max(int(delta.total_seconds() // 60), 0)}


class Command(BaseCommand):
    help = "Product exceptions of a store: the statistics and the pending exceptions that have waited longest."

    def add_arguments(self, parser):
        parser.add_argument("--store", metavar="CODE", required=True, help="the store's code")
        parser.add_argument("--limit", type=int, default=10, help="how many pending exceptions to list (10)")

    def handle(self, *args, store: str, limit: int, **options):
        found = Store.objects.filter(code=store).first()
        if found is None:
            raise CommandError(_("No store with the code %(code)r.") % {"code": store})
        if limit < 0:
            raise CommandError(_("--limit must be 0 or more."))
        stats = exception_stats(store=found)
        self.stdout.write(self.style.MIGRATE_HEADING(_("Product exceptions of %(store)s") % {"store": found.code}))
        for key, label in (
            ("pending", _("pending")),
            ("resolved", _("resolved")),
            ("ignored", _("ignored")),
            ("total", _("total")),
            ("orders_with_exceptions", _("orders that cannot be confirmed")),
        ):
            self.stdout.write(f"  {label:<32} {stats[key]:>7}")
        if not stats["pending"] or not limit:
            return
        oldest = exceptions_oldest_pending(store=found, limit=limit)
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                _("Oldest pending (%(shown)s of %(pending)s):") % {"shown": len(oldest), "pending": stats["pending"]}
            )
        )
        now = timezone.now()
        for exception in oldest:
            item = exception.order_item
            self.stdout.write(
                f"  #{exception.pk:<7} {timezone.localtime(exception.created_at):%Y-%m-%d %H:%M} "
                f"({_age(now - exception.created_at)})  {exception.order.external_order_number or exception.order_id}  "
                f"{exception.exception_type}  GTIN {exception.original_gtin or '-'}  "
                f"{item.quantity} × {exception.original_product_name or item.product_name}"
            )
