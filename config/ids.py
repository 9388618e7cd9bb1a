"""Ids (and times) sent by clients, read in one place (docs/security.md).

Every table's id is a 64-bit signed integer: an id in a header (``X-Store-Id``), a query
parameter (``?store_id=``, ``?order=``), a URL or a body that is not a whole number in that range
answers 400 naming where it was sent, never a database overflow.
"""

from datetime import UTC

import django_filters
from django import forms
from django.utils.translation import gettext
from django_filters.fields import IsoDateTimeField

from config.errors import InvalidInput

MAX_ID = 2**63 - 1


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= MAX_ID


def id_message(field: str, value) -> str:
    return gettext("%(field)s must be an id (a whole number from 0 to %(max)d), not %(value)s.") % {
        "field": field,
        "max": MAX_ID,
        "value": repr(value)[:40],
    }


def id_parse(value, *, field: str) -> int:
    """``value`` as an id, else InvalidInput (400) naming ``field``."""
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not _is_id(text):
        raise InvalidInput(id_message(field, value), field=field)
    return int(text)


def id_or_none(value) -> int | None:
    """``value`` as an id, or None (a filter of a page, where a bad id just filters nothing)."""
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if _is_id(text) else None


class UrlIdsMixin:
    """Checks each id of the URL (``pk``, ``store_pk``, ``user_id``...) before any handler runs."""

    def initial(self, request, *args, **kwargs):
        for name, value in kwargs.items():
            if name == "pk" or name.endswith("_pk") or name.endswith("_id"):
                id_parse(value, field=name)
        super().initial(request, *args, **kwargs)


class IdField(forms.IntegerField):
    default_error_messages = {"invalid": gettext("Enter an id (a whole number).")}

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not 0 <= value <= MAX_ID:
            raise forms.ValidationError(id_message(self.label or "id", value), code="invalid")
        return value


class IdFilter(django_filters.NumberFilter):
    """A filter on an id (``?store_id=``, ``?order=``): 400 naming the parameter when it is not one."""

    field_class = IdField


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time with any offset, read as UTC: PostgreSQL refuses a time whose offset
    lies beyond ±15:59 (``-20:35``), and a time near year 1 or 9999 may not exist in UTC."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return value
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(gettext("Enter a date and time between the years 1 and 9999.")) from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """A filter on a time (``?date_from=``): any ISO 8601 offset, compared in UTC, 400 when out of range."""

    field_class = UtcDateTimeField
