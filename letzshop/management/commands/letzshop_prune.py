"""``manage.py letzshop_prune [--older-than 90d] [--batch-size N] [--dry-run]``."""

import re
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from letzshop.services.retention import retention_prune

UNITS = {"d": "days", "h": "hours", "w": "weeks"}


def duration(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d{1,5})\s*([dhw])\s*", text or "")
    if not match:
        raise CommandError(
            f"--older-than takes a number and a unit: 90d (days), 12h (hours) or 4w (weeks), not {text!r}."
        )
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


class Command(BaseCommand):
    help = (
        "Delete old sync logs, completed fulfillment queue rows, failed rows whose notification was "
        "read, and settled notifications, in batches. Orders are never deleted. Without "
        "--older-than, each kind keeps its RETENTION_*_DAYS setting."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=duration, default=None, help="one age for every kind: 90d, 12h, 4w")
        parser.add_argument("--batch-size", type=int, default=None, help="rows per DELETE (RETENTION_BATCH_SIZE)")
        parser.add_argument("--dry-run", action="store_true", help="count what would go; delete nothing")

    def handle(self, *args, older_than, batch_size, dry_run, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size is at least 1.")
        result = retention_prune(older_than=older_than, batch_size=batch_size, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        labels = {
            "sync_logs": "sync log rows",
            "completed_queue": "completed queue rows",
            "failed_queue": "failed queue rows whose notification was read",
            "notifications": "settled notifications",
        }
        for kind, label in labels.items():
            line = f"{verb} {result.deleted[kind]} {label} older than {result.cutoffs[kind]:%Y-%m-%d %H:%M}"
            if not dry_run:
                line += f" ({result.batches[kind]} batches)"
            self.stdout.write(line + ".")
