from django.core.management.base import BaseCommand

from letzshop.services.fulfillment import queue_process_due


class Command(BaseCommand):
    help = (
        "Send every due fulfillment operation to Letzshop now, in this process (rows stuck in "
        "processing are taken back first). Rows that fail again wait for their next attempt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10_000, help="at most this many rows")

    def handle(self, *args, limit: int, **options):
        counts = queue_process_due(limit=limit, progress=self._progress)
        self.stdout.write(
            f"Fulfillment queue: {counts['completed']} completed, {counts['failed']} failed, "
            f"{counts['retrying']} to retry later, {counts['rescued']} taken back from a stopped worker."
        )

    def _progress(self, counts: dict) -> None:
        done = counts["completed"] + counts["failed"] + counts["retrying"]
        if done % 100 == 0:
            self.stdout.write(f"  {done} processed…")
