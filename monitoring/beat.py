"""Beat's scheduler (django-celery-beat's database scheduler) writing beat's heartbeat.

The heartbeat is written by beat itself, not by a task a worker runs: a busy or stopped worker
must not make beat look dead (the queue's metrics tell about workers).
"""

import logging
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django_celery_beat.schedulers import DatabaseScheduler

from monitoring.services import heartbeat_write

logger = logging.getLogger(__name__)


class HeartbeatScheduler(DatabaseScheduler):
    _heartbeat_due = 0.0

    def heartbeat_if_due(self) -> float:
        """Write the heartbeat once per BEAT_HEARTBEAT_SECONDS; the seconds until the next one."""
        now = time.monotonic()
        if now >= self._heartbeat_due:
            self._heartbeat_due = now + settings.BEAT_HEARTBEAT_SECONDS
            try:
                heartbeat_write()
            except DatabaseError as exc:  # beat goes on scheduling; /readyz will show it stale
                logger.warning("beat could not write its heartbeat: %s", exc)
                close_old_connections()  # a broken connection is opened afresh next time
        return max(0.0, self._heartbeat_due - time.monotonic())

    def tick(self, *args, **kwargs) -> float:
        self.heartbeat_if_due()
        delay = super().tick(*args, **kwargs)
        return max(0.0, min(delay, self._heartbeat_due - time.monotonic()))
