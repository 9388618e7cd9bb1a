"""``manage.py readiness [--wait SECONDS]``: the checks of /readyz, for a person or a script.

Exits 0 when ready (database and broker up), 1 otherwise. ``--wait`` checks again each second
until ready and beat's heartbeat is fresh, or the time is up (``make run``'s banner).
"""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from monitoring.services import OK, readiness_check


class Command(BaseCommand):
    help = "Check the database, the broker and beat's heartbeat, as /readyz does."

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=float, default=0, help="seconds to wait for every check to pass")

    def handle(self, *args, wait: float, **options):
        deadline = time.monotonic() + max(wait, 0)
        while True:
            readiness = readiness_check()
            if (readiness.ready and readiness.checks["beat"] == OK) or time.monotonic() >= deadline:
                break
            time.sleep(1)
        parts = []
        for name, state in readiness.checks.items():
            text = f"{name} {state}"
            if name == "beat" and readiness.beat_age_seconds is not None:
                text += " " + _("(heartbeat %(seconds)d s ago)") % {"seconds": round(readiness.beat_age_seconds)}
            parts.append(text)
        label = _("Ready") if readiness.ready else _("NOT ready")
        self.stdout.write(f"{label}: {', '.join(parts)}")
        if not readiness.ready:
            raise SystemExit(1)
