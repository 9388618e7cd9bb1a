"""Multi-row INSERT from plain dicts: the order import's hot path.

``QuerySet.bulk_create`` builds a model instance per row and compiles every value through the
field's full ``get_db_prep_save`` chain; for a page of shipments that is most of the import's
time. Here each column gets one converter chosen once per model and database, rows stay dicts,
and one ``INSERT ... VALUES (...), (...) RETURNING id`` per table writes a page. Values must
already be valid (they come from the import's mapping): no model validation runs here, as with
``bulk_create``.
"""

import functools
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from django.db import connection, models
from django.utils import timezone


class SerializedJSON(str):
    """JSON text already serialized by the caller, stored as is in a JSONField."""


def json_text(value: Any) -> str:
    """JSON text of plain data (orjson: several times faster than the json module)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _json_converter(field: models.JSONField) -> Callable[[Any], Any]:
    if field.encoder is not None:  # a custom encoder: Django's own way
        return functools.partial(field.get_db_prep_save, connection=connection)
    if connection.display_name == "PostgreSQL":
        from psycopg.types.json import Jsonb

        def identity(text: str) -> str:
            return text

        def to_jsonb(value: Any) -> Any:
            return Jsonb(value if isinstance(value, SerializedJSON) else json_text(value), dumps=identity)

        return to_jsonb

    def to_text(value: Any) -> Any:
        return str(value) if isinstance(value, SerializedJSON) else json_text(value)

    return to_text


Converter = Callable[[Any], Any] | None  # None: the value goes to the driver as it is


def _bulk_cursor():
    """A cursor for big parameter lists, still seen by Django's execute wrappers and query log.

    On PostgreSQL, Django's cursors bind parameters on the client (psycopg quotes every value
    into the SQL text); a plain psycopg cursor sends them apart, and pipelines ``executemany``."""
    if connection.display_name != "PostgreSQL":
        return connection.cursor()
    connection.ensure_connection()
    return connection._prepare_cursor(connection.connection.cursor())


def _converter(field: models.Field) -> Converter:
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return _json_converter(field)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DecimalField):
        return functools.partial(
            ops.adapt_decimalfield_value, max_digits=field.max_digits, decimal_places=field.decimal_places
        )
    if isinstance(field, models.CharField | models.TextField | models.IntegerField | models.BooleanField):
        return None
    if isinstance(field, models.ForeignKey):
        return None
    return functools.partial(field.get_db_prep_save, connection=connection)


@functools.cache
def _plan(model: type[models.Model], database: str) -> tuple[list[models.Field], list[Converter], str, str]:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    return fields, [_converter(f) for f in fields], table, columns


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` (dicts keyed by field attname) and return their ids, in order.

    A column missing from a row takes the field's default; ``auto_now``/``auto_now_add`` take
    the current time.
    """
    if not rows:
        return []
    fields, converters, table, columns = _plan(model, connection.display_name)
    now = timezone.now()
    # (attname, converter, converted default): defaults are converted once, not once per row.
    plan = []
    for field, convert in zip(fields, converters, strict=True):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default = now
        else:
            default = field.get_default()  # "" for text, None for nullable
        if default is not None and convert is not None:
            default = convert(default)
        plan.append((field.attname, convert, default))

    def values(row: dict[str, Any]) -> list[Any]:
        return [
            default
            if attname not in row
            else row[attname]
            if convert is None or row[attname] is None
            else convert(row[attname])
            for attname, convert, default in plan
        ]

    if connection.display_name == "PostgreSQL":
        return _insert_postgresql(model, table, columns, len(fields), [values(row) for row in rows])
    return _insert_values(model, table, columns, len(fields), [values(row) for row in rows])


def _insert_values(model, table: str, columns: str, width: int, value_rows: list[list[Any]]) -> list[int]:
    """One ``INSERT ... VALUES (...), (...) RETURNING id`` per chunk (SQLite)."""
    per_row = "(" + ", ".join(["%s"] * width) + ")"
    pk = connection.ops.quote_name(model._meta.pk.column)
    chunk = max(1, (connection.features.max_query_params or 999) // width)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(value_rows), chunk):
            batch = value_rows[start : start + chunk]
            params = [value for row in batch for value in row]
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([per_row] * len(batch))} RETURNING {pk}"
            cursor.execute(sql, params)
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _insert_postgresql(model, table: str, columns: str, width: int, value_rows: list[list[Any]]) -> list[int]:
    """Ids taken from the table's sequence in one query, then one pipelined ``executemany``.

    A multi-row VALUES statement with thousands of parameters costs psycopg more to parse than
    PostgreSQL to insert; one short statement sent for every row in a pipeline does not.
    Taking ids with ``nextval`` is safe alongside other writers: each value is handed out once.
    """
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk_column, len(value_rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    pk = connection.ops.quote_name(pk_column)
    sql = f"INSERT INTO {table} ({pk}, {columns}) VALUES ({', '.join(['%s'] * (width + 1))})"
    with _bulk_cursor() as cursor:
        cursor.executemany(sql, [[pk_value, *row] for pk_value, row in zip(ids, value_rows, strict=True)])
    return ids
