"""How our admin pages show values: badges coloured by status, times, JSON."""

import json
from typing import Any

from django.utils.formats import date_format, time_format
from django.utils.html import format_html
from django.utils.timezone import localtime


def badge(text: Any, tone: str = "neutral") -> str:
    """A small coloured label; tone is one of ok, warn, error, info, neutral."""
    return format_html('<span class="ls-badge ls-badge--{}">{}</span>', tone, text)


TONES = {
    "success": "ok",
    "completed": "ok",
    "confirmed": "ok",
    "shipped": "ok",
    "delivered": "ok",
    "failed": "error",
    "rejected": "error",
    "partial": "warn",
    "pending": "warn",
    "unconfirmed": "warn",
    "running": "info",
    "interrupted": "error",
    "processing": "info",
}


def status_badge(value: str, label) -> str:
    """A badge whose colour follows the status (completed green, failed red, pending amber...)."""
    return badge(label, TONES.get(value, "neutral")) if value else "-"


def when(value) -> str:
    """A time on two short lines (date, then time), in the site's time zone."""
    if not value:
        return "-"
    local = localtime(value)
    return format_html(
        '<span class="ls-when">{}<br>{}</span>',
        date_format(local, "SHORT_DATE_FORMAT"),
        time_format(local, "TIME_FORMAT"),
    )


def pretty_json(value: Any) -> str:
    if value in (None, "", {}, []):
        return "-"
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    return format_html('<pre class="ls-json">{}</pre>', text)
