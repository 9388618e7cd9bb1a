import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _log_context_of_task(task_id=None, task=None, **kwargs):
    """A task's log lines carry its id (as the request id) and name (docs/operations.md)."""
    from config.logs import log_context_reset

    log_context_reset(request_id=task_id, task=getattr(task, "name", None))


@task_postrun.connect
def _log_context_cleared(**kwargs):
    from config.logs import log_context_reset

    log_context_reset()
