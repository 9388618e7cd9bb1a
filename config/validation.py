"""The field limits of a model, checked on every write path (docs/security.md).

The one place that holds a model's limits is its fields: ``max_length``, ``max_digits`` and
``decimal_places``, ``choices``, the integer range of the column, the validators. Every path that
writes a row (the API's serializers, the JSON and CSV catalog import, the admin's forms and the
bulk writer ``config.bulk.insert_rows``) checks values against them through this module, so that
nothing out of range is stored (SQLite would keep a 20-digit price as a REAL, and every page
listing it would fail after).

Text is also checked for what no database column keeps: NUL characters (PostgreSQL refuses them)
and lone surrogates (not UTF-8 at all).
"""

from __future__ import annotations

import functools
import operator
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext

Check = Callable[[Any], str | None]  # a message, or None when the value fits
# Whether every value of a column fits, in a few passes the interpreter runs in C. Never more
# lenient than the field's Check: a column it does not settle is checked value by value.
ColumnCheck = Callable[[list], bool]
NoneType = type(None)


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None."""
    if value.isascii():
        return gettext("Remove the NUL character.") if "\x00" in value else None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return gettext("This text holds an invalid character (a lone surrogate): send it as UTF-8.")
    return gettext("Remove the NUL character.") if "\x00" in value else None


def _char_check(field: models.CharField | models.TextField) -> Check:
    limit = field.max_length

    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return gettext("Expected text.")
        if limit is not None and len(value) > limit:
            return gettext("At most %(limit)d characters (this has %(length)d).") % {
                "limit": limit,
                "length": len(value),
            }
        return text_problem(value)

    return check


def _decimal_check(field: models.DecimalField) -> Check:
    whole_digits = field.max_digits - field.decimal_places

    def check(value: Any) -> str | None:
        if isinstance(value, float | int) and not isinstance(value, bool):
            value = Decimal(str(value))
        if not isinstance(value, Decimal) or not value.is_finite():
            return gettext("Expected a number.")
        _sign, digits, exponent = value.as_tuple()
        places = max(0, -exponent)
        whole = len(digits) + exponent
        if places > field.decimal_places:
            return gettext("At most %(places)d decimal places.") % {"places": field.decimal_places}
        if value != 0 and whole > whole_digits:
            return gettext("At most %(digits)d digits before the decimal point.") % {"digits": whole_digits}
        return None

    return check


def _integer_check(field: models.Field) -> Check:
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    low = low if low is not None else -(2**63)
    high = high if high is not None else 2**63 - 1

    def check(value: Any) -> str | None:
        if not isinstance(value, int) or isinstance(value, bool):
            return gettext("Expected a whole number.")
        if not low <= value <= high:
            return gettext("Must be between %(low)d and %(high)d.") % {"low": low, "high": high}
        return None

    return check


def _choices_check(field: models.Field, inner: Check | None) -> Check:
    allowed = {str(value) for value, _label in field.flatchoices}

    def check(value: Any) -> str | None:
        if value in ("", None) and field.blank:
            return None
        if not isinstance(value, str) or value not in allowed:
            return gettext("One of %(choices)s.") % {"choices": ", ".join(sorted(allowed))}
        return inner(value) if inner else None

    return check


def _validators_check(field: models.Field, inner: Check | None) -> Check:
    """Validators of the field that the checks above do not cover (minimum values...)."""
    extra = [v for v in field._validators]  # the field's own, not Django's implicit length ones

    def check(value: Any) -> str | None:
        problem = inner(value) if inner else None
        if problem or value is None:
            return problem
        for validator in extra:
            try:
                validator(value)
            except ValidationError as exc:
                return " ".join(exc.messages)
        return None

    return check


def _field_check(field: models.Field) -> Check | None:
    check: Check | None = None
    if isinstance(field, models.CharField | models.TextField):
        check = _char_check(field)
    elif isinstance(field, models.DecimalField):
        check = _decimal_check(field)
    elif isinstance(field, models.IntegerField | models.AutoField) and not field.is_relation:
        check = _integer_check(field)
    elif isinstance(field, models.ForeignKey):
        check = _integer_check(models.BigIntegerField())
    if field.choices:
        check = _choices_check(field, check)
    if field._validators:
        check = _validators_check(field, check)
    if check is None:
        return None
    nullable = field.null
    plain = not field.choices and not field._validators

    if plain and isinstance(field, models.CharField | models.TextField):
        # The bulk writer checks every value of a page of thousands of rows: the common case
        # (ASCII text within its length) is settled here, without the calls of the full check.
        limit = field.max_length if field.max_length is not None else sys.maxsize

        def checked_text(value: Any) -> str | None:
            if type(value) is str and len(value) <= limit and value.isascii() and "\x00" not in value:
                return None
            if value is None:
                return None if nullable else gettext("This field cannot be empty.")
            return check(value)

        return checked_text

    def checked(value: Any) -> str | None:
        if value is None:
            return None if nullable else gettext("This field cannot be empty.")
        return check(value)

    return checked


@functools.cache
def field_checks(model: type[models.Model], database: str = "") -> dict[str, Check]:
    """Each concrete field's check, by attname (the names rows of ``insert_rows`` use)."""
    checks = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        check = _field_check(field)
        if check is not None:
            checks[field.attname] = check
            if field.attname != field.name:
                checks[field.name] = check
    return checks


def row_errors(model: type[models.Model], row: Mapping[str, Any], *, fields: Iterable[str] | None = None) -> dict:
    """``{field: [message]}`` for each value of ``row`` outside its field's limits."""
    checks = field_checks(model, connection.display_name)
    errors: dict[str, list[str]] = {}
    for name in fields if fields is not None else row:
        check = checks.get(name)
        if check is not None and name in row:
            problem = check(row[name])
            if problem:
                errors[name] = [problem]
    return errors


def row_validate(model: type[models.Model], row: Mapping[str, Any], **kwargs) -> None:
    """ValidationError naming each field of ``row`` outside its limits."""
    errors = row_errors(model, row, **kwargs)
    if errors:
        raise ValidationError(errors)


def _kinds_fit(values: list, kinds: set[type], nullable: bool) -> list | None:
    """The values other than None when every value is of one of ``kinds`` (or None, if the
    field is nullable); None otherwise."""
    seen = set(map(type, values))
    if not seen <= kinds | {NoneType}:
        return None
    if NoneType not in seen:
        return values
    return [value for value in values if value is not None] if nullable else None


def _kinds_column(kinds: set[type], nullable: bool, present_fit: Callable[[list], bool]) -> ColumnCheck:
    """A column check: every value one of ``kinds`` (or None where ``nullable``), and the values
    present, if any, passing ``present_fit``."""

    def fits(values: list) -> bool:
        present = _kinds_fit(values, kinds, nullable)
        return present is not None and (not present or present_fit(present))

    return fits


def _text_column(field: models.Field) -> ColumnCheck:
    limit = field.max_length if field.max_length is not None else sys.maxsize

    def texts_fit(texts: list) -> bool:
        if max(map(len, texts)) > limit:
            return False
        joined = "".join(texts)
        return "\x00" not in joined and (joined.isascii() or text_problem(joined) is None)

    return _kinds_column({str}, field.null, texts_fit)


def _decimal_column(field: models.DecimalField) -> ColumnCheck:
    bound = Decimal(10) ** (field.max_digits - field.decimal_places)
    places = field.decimal_places

    def numbers_fit(numbers: list) -> bool:
        if not all(map(Decimal.is_finite, numbers)):
            return False
        if -min(map(operator.attrgetter("exponent"), map(Decimal.as_tuple, numbers))) > places:
            return False
        return -bound < min(numbers) and max(numbers) < bound

    return _kinds_column({Decimal}, field.null, numbers_fit)


def _integer_column(field: models.Field) -> ColumnCheck:
    internal_type = "BigIntegerField" if isinstance(field, models.ForeignKey) else field.get_internal_type()
    low, high = connection.ops.integer_field_range(internal_type)
    low = low if low is not None else -(2**63)
    high = high if high is not None else 2**63 - 1

    return _kinds_column({int}, field.null, lambda numbers: low <= min(numbers) and max(numbers) <= high)


def _choices_column(field: models.Field) -> ColumnCheck:
    allowed = {str(value) for value, _label in field.flatchoices}
    # Each choice within the column's own limits, so that a value among them needs no other check.
    if field.max_length is not None:
        allowed = {value for value in allowed if len(value) <= field.max_length and text_problem(value) is None}
    accepted = allowed | ({""} if field.blank else set()) | ({None} if field.null else set())

    def fits(values: list) -> bool:
        try:
            return set(values) <= accepted
        except TypeError:  # an unhashable value (a list, a dict): not a choice
            return False

    return fits


def _column_check(field: models.Field) -> ColumnCheck | None:
    """The column-wise check of a field, or None where only the value-by-value one applies."""
    if field._validators:
        return None
    if field.choices:
        return _choices_column(field)
    if isinstance(field, models.CharField | models.TextField):
        return _text_column(field)
    if isinstance(field, models.DecimalField):
        return _decimal_column(field)
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return _integer_column(field)
    return None


@functools.cache
def column_checks(model: type[models.Model], database: str = "") -> dict[str, tuple[Check, ColumnCheck | None]]:
    """Each checked field's value check and column check, by attname and by name."""
    checks = field_checks(model, database)
    by_name = {}
    for field in model._meta.concrete_fields:
        if field.attname in checks:
            both = (checks[field.attname], _column_check(field))
            by_name[field.attname] = by_name[field.name] = both
    return by_name


def rows_check(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Raise RowOutOfLimits for the first row with a value outside its field's limits.

    Column by column: the bulk writer checks pages of thousands of rows, and a column settled
    in one pass costs a fraction of a call per value. A column the fast pass does not settle is
    checked value by value, which names the row and the field.
    """
    checks = column_checks(model, connection.display_name)
    names = set().union(*rows) if rows else set()
    for name in names:
        if name not in checks:
            continue
        check, column_fits = checks[name]
        try:
            values = list(map(operator.itemgetter(name), rows))
        except KeyError:  # rows that leave this field to its default
            values = [row[name] for row in rows if name in row]
        if column_fits is not None and column_fits(values):
            continue
        for index, row in enumerate(rows):
            if name in row and check(row[name]) is not None:
                raise RowOutOfLimits(model, index, row_errors(model, row))


class RowOutOfLimits(ValueError):
    """A row given to the bulk writer breaks a field's limits: nothing of the batch is written."""

    def __init__(self, model: type[models.Model], index: int, errors: dict[str, list[str]]):
        self.model, self.index, self.errors = model, index, errors
        problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
        super().__init__(f"{model.__name__} row {index + 1}: {problems}")
