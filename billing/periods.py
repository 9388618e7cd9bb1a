"""Billing periods: calendar months in the platform's time zone, as [start, end)."""

from datetime import date

from django.utils import timezone


def month_bounds(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)
    return start, end


def today() -> date:
    return timezone.localdate()
