"""Celery tasks: thin, take ids, call one service, own the retry policy."""

from celery import shared_task


@shared_task(name="letzshop.tasks.fulfillment_queue_sweep")
def fulfillment_queue_sweep() -> dict:
    return {}
