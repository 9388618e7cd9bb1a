from celery import shared_task

from billing.services import periods_close


@shared_task(name="billing.tasks.billing_periods_close")
def billing_periods_close() -> dict[str, int]:
    """Close the ended periods and write their invoices (beat, hourly; idempotent)."""
    return periods_close()
