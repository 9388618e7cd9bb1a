"""What the machines watching the platform read: beat's heartbeat (docs/operations.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last sign of life of a process that has no port to probe (beat). One row per name."""

    name = models.CharField(_("name"), max_length=64, primary_key=True)
    beat_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        db_table = "monitoring_heartbeats"
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")
        # /metrics is read by a platform admin holding this permission (or by METRICS_TOKEN).
        permissions = [("view_metrics", _("Can read the platform's metrics"))]

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
