"""How our admin pages show values: badges coloured by status, times, JSON."""

import json
from typing import Any

from django.utils.formats import date_format, number_format, time_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext


def badge(text: Any, tone: str = "neutral") -> str:
    """A small coloured label; tone is one of ok, warn, error, info, neutral."""
    return format_html('<span class="ls-badge ls-badge--{}">{}</span>', tone, text)


# The colour of every status badge of the admin, in one place: done green, failed red, waiting
# amber, under way blue. The portal's (static/portal/js/portal.js) follow the same statuses, with
# under way shown amber (it has no blue badge).
TONES = {
    "success": "ok",
    "completed": "ok",
    "confirmed": "ok",
    "confirmed_available": "ok",
    "resolved": "ok",
    "shipped": "ok",
    "delivered": "ok",
    "failed": "error",
    "rejected": "error",
    "confirmed_unavailable": "error",
    "interrupted": "error",
    "partial": "warn",
    "pending": "warn",
    "unconfirmed": "warn",
    "ignored": "warn",
    "running": "info",
    "processing": "info",
}


def status_tone(value: str) -> str:
    """The badge colour of a status (a template filter too: ``{{ value|status_tone }}``)."""
    return TONES.get(value, "neutral")


def status_badge(value: str, label) -> str:
    """A badge whose colour follows the status (completed green, failed red, pending amber...)."""
    return badge(label, status_tone(value)) if value else "-"


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


def problem(sentence: str, detail: str = "") -> str:
    """A failure as a person reads it: the sentence, then the technical text behind a
    "Details" toggle for whoever investigates."""
    if not sentence and not detail:
        return "-"
    if not detail or detail == sentence:
        return format_html('<span class="ls-error-text">{}</span>', sentence or detail)
    return format_html(
        '<div class="ls-problem"><span class="ls-error-text">{}</span>'
        '<details class="ls-details"><summary>{}</summary><code>{}</code></details></div>',
        sentence,
        gettext("Details"),
        detail,
    )


def address_block(address: Any) -> str:
    """A postal address as it is written on an envelope, one line per part, not JSON."""
    if not isinstance(address, dict) or not any(address.values()):
        return "-"
    name = " ".join(filter(None, [address.get("first_name"), address.get("last_name")]))
    street = " ".join(filter(None, [address.get("street_number"), address.get("street_name")]))
    town = " ".join(filter(None, [address.get("zip_code"), address.get("city")]))
    country = address.get("country_name") or address.get("country")
    lines = [line for line in (name, address.get("company"), street, town, country) if line]
    phone = address.get("phone")
    return format_html(
        '<address class="ls-address">{}{}</address>',
        format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines)),
        format_html('<br><span class="ls-muted">{}</span>', phone) if phone else "",
    )


def money(amount: Any, currency: str = "EUR") -> str:
    """An amount as the language writes it ("34.22 EUR", "34,22 EUR"), on one line, as on
    the detail pages."""
    if amount is None:
        return "-"
    return format_html(
        '<span class="ls-nowrap">{} {}</span>',
        number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True),
        currency,
    )
