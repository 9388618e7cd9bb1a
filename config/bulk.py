"""Multi-row INSERT from plain dicts: the order import's hot path.

``QuerySet.bulk_create`` builds a model instance per row and compiles every value through the
field's full ``get_db_prep_save`` chain; for a page of shipments that is most of the import's
time. Here each column gets one converter chosen once per model and database, rows stay dicts,
and one multi-row ``INSERT`` (SQLite) or binary ``COPY`` (PostgreSQL) per table writes a page. Each value is
checked against its field's limits (config.validation: length, digits, places, choices, ranges);
a row out of them raises RowOutOfLimits naming the row and the field, and nothing is written.
"""

import functools
import gc
import itertools
import operator
import threading
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import orjson
from django.db import connection, models, transaction
from django.utils import timezone

from config.validation import rows_check

# The most rows in one INSERT statement on SQLite (see _insert_values).
SQLITE_ROWS_PER_INSERT = 500
# The cyclic garbage collector's first threshold during bulk work (CPython's default is 700).
BULK_GC_THRESHOLD = 100_000
_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def bulk_allocations():
    """Run the cyclic garbage collector less often while bulk work runs.

    Parsing and writing thousands of shipments allocates objects by the hundred thousand, nearly
    all freed by reference counting as soon as a page is written. With CPython's default
    threshold the collector walks the young objects every 700 allocations, and the whole heap
    every few hundred of those: a third of an import's time went there. The threshold is
    raised for as long as any bulk work runs (in any thread) and restored after the last one.
    """
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(BULK_GC_THRESHOLD, _gc_saved[0]), *_gc_saved[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_saved)


class SerializedJSON(str):
    """JSON text already serialized by the caller, stored as is in a JSONField."""


def _json_dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def json_text(value: Any) -> str:
    """JSON text of plain data (orjson: several times faster than the json module)."""
    return _json_dumps(value).decode()


Converter = Callable[[Any], Any] | None  # None: the value goes to the driver as it is


def _json_converter(field: models.JSONField) -> Converter:
    """JSON as text for SQLite; on PostgreSQL the COPY's jsonb dumper serializes it."""
    if field.encoder is not None:  # a custom encoder: Django's own way
        return functools.partial(field.get_db_prep_save, connection=connection)
    if connection.display_name == "PostgreSQL":
        return None

    def to_text(value: Any) -> Any:
        return str(value) if isinstance(value, SerializedJSON) else json_text(value)

    return to_text


def _copy_cursor(types: list[str]):
    """A cursor whose ``executemany`` of a ``COPY ... FROM STDIN (FORMAT BINARY)`` streams the
    rows through COPY, each column dumped as ``types`` says.

    Going through ``executemany`` keeps the statement visible to Django's execute wrappers and
    query log (query counts, debug logging) as one statement, which it is.
    """
    import psycopg
    from psycopg.types.json import set_json_dumps

    class CopyCursor(psycopg.Cursor):
        def executemany(self, query, params_seq, *, returning=False):
            with self.copy(query) as copy:
                copy.set_types(types)
                for row in params_seq:
                    copy.write_row(row)

    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = CopyCursor(connection.connection)
    set_json_dumps(_json_bytes, context=cursor)
    # Wrapped as Django wraps its own cursors (query log, execute wrappers), through the
    # connection's public wrappers.
    return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)


def _json_bytes(value: Any) -> bytes:
    """JSON for a json(b) column: text serialized by the caller as it is, anything else by orjson."""
    return value.encode() if isinstance(value, SerializedJSON) else _json_dumps(value)


def _converter(field: models.Field) -> Converter:
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return _json_converter(field)
    if isinstance(field, models.DateTimeField):
        adapt = ops.adapt_datetimefield_value
        return None if _returns_its_value(adapt, timezone.now()) else adapt
    if isinstance(field, models.DecimalField):
        if _returns_its_value(ops.adapt_decimalfield_value, Decimal("1.50")):
            return None
        return functools.partial(
            ops.adapt_decimalfield_value, max_digits=field.max_digits, decimal_places=field.decimal_places
        )
    if isinstance(field, models.CharField | models.TextField | models.IntegerField | models.BooleanField):
        return None
    if isinstance(field, models.ForeignKey):
        return None
    return functools.partial(field.get_db_prep_save, connection=connection)


def _returns_its_value(adapt: Callable[[Any], Any], sample: Any) -> bool:
    """Whether the backend's adapter hands values back unchanged (PostgreSQL's do): then it
    need not be called for every value."""
    return adapt(sample) is sample


@functools.cache
def _column_types(model: type[models.Model]) -> list[str]:
    """PostgreSQL's type of each column (the primary key first): a binary COPY needs them."""
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    types = [pk.rel_db_type(connection)] + [
        f.target_field.rel_db_type(connection) if f.is_relation else f.db_type(connection) for f in fields
    ]
    return [db_type.split("(")[0].strip() for db_type in types]  # varchar(64) → varchar


@functools.cache
def _plan(model: type[models.Model], database: str) -> tuple[list[models.Field], list[Converter], str, str]:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    return fields, [_converter(f) for f in fields], table, columns


def ids_reserve(counts: dict[type[models.Model], int]) -> dict[type[models.Model], list[int]]:
    """On PostgreSQL, ids for the rows of several tables, from their sequences, in one query
    (each a round trip less for ``insert_rows``). Elsewhere an empty dict: SQLite hands ids out
    as the rows go in.
    """
    counts = {model: count for model, count in counts.items() if count}
    if connection.display_name != "PostgreSQL" or not counts:
        return {}
    models_in_order = list(counts)
    # Each sequence is looked up once (OFFSET 0 keeps the subquery apart), not once per id:
    # eight times faster.
    parts, params = [], []
    for index, model in enumerate(models_in_order):
        parts.append(
            f"SELECT {index}, nextval(s.id) FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass AS id "
            "OFFSET 0) AS s, generate_series(1, %s)"
        )
        params += [model._meta.db_table, model._meta.pk.column, counts[model]]
    ids: dict[type[models.Model], list[int]] = {model: [] for model in models_in_order}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for index, value in cursor.fetchall():
            ids[models_in_order[index]].append(value)
    return {model: sorted(values) for model, values in ids.items()}


def insert_rows(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, ids: Sequence[int] | None = None
) -> list[int]:
    """Insert ``rows`` (dicts keyed by field attname) and return their ids, in order.

    A column missing from a row takes the field's default; ``auto_now``/``auto_now_add`` take
    the current time. ``ids`` (PostgreSQL only) are ids reserved with ``ids_reserve``.
    """
    if not rows:
        return []
    if ids is not None and connection.display_name != "PostgreSQL":
        raise ValueError("ids can only be reserved on PostgreSQL")
    if ids is not None and len(ids) != len(rows):
        raise ValueError(f"{len(ids)} ids reserved for {len(rows)} rows of {model.__name__}")
    fields, converters, table, columns = _plan(model, connection.display_name)
    now = timezone.now()
    defaults: dict[str, Any] = {}
    for field, convert in zip(fields, converters, strict=True):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default = now
        else:
            default = field.get_default()  # "" for text, None for nullable
        # Defaults are converted once, not once per row.
        defaults[field.attname] = convert(default) if convert is not None and default is not None else default

    # The field's limits, as on every write path (config.validation): a value out of range
    # stops the batch before anything of it is written.
    rows_check(model, rows)
    value_rows = _value_rows(rows, fields, converters, defaults)
    if connection.display_name == "PostgreSQL":
        return _insert_postgresql(model, table, columns, len(fields), value_rows, ids=ids)
    return _insert_values(model, table, columns, len(fields), value_rows)


_MISSING = object()


def _value_rows(
    rows: Sequence[dict[str, Any]], fields: list[models.Field], converters: list[Converter], defaults: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """The rows as tuples in column order, built column by column: each column read from every
    row in one pass (``itemgetter`` over the rows), a value missing from a row taking the
    field's default, and only the columns that need it converted (JSON, and on SQLite dates).
    Then ``zip`` turns the columns into rows, in C: no per-row work in Python."""
    columns = []
    for field, convert in zip(fields, converters, strict=True):
        name, default = field.attname, defaults[field.attname]
        try:
            values = list(map(operator.itemgetter(name), rows))
            missing = False
        except KeyError:
            if not any(map(dict.__contains__, rows, itertools.repeat(name))):
                columns.append(itertools.repeat(default, len(rows)))
                continue
            values = [row.get(name, _MISSING) for row in rows]
            missing = True
        if convert is not None:
            values = [value if value is None or value is _MISSING else convert(value) for value in values]
        if missing:
            values = [default if value is _MISSING else value for value in values]
        columns.append(values)
    return list(zip(*columns, strict=True))


def _insert_values(model, table: str, columns: str, width: int, value_rows: list[tuple[Any, ...]]) -> list[int]:
    """Multi-row ``INSERT ... VALUES (...), (...)`` statements at ids taken from the table's
    sequence (SQLite).

    One statement for many rows, and no RETURNING: SQLite runs a statement without holding the
    interpreter's lock, which the page fetching in another thread uses meanwhile, but hands
    each returned row back with a step of its own, each of which gives the lock up and then
    waits for it again (up to the interpreter's switch interval, 5 ms, behind a busy thread).
    The ids come from the table's AUTOINCREMENT sequence, read and moved past in the same
    transaction, which holds SQLite's write lock (IMMEDIATE transactions): no other writer
    can take them meanwhile. Chunks stay within SQLite's variable limit and within
    SQLITE_ROWS_PER_INSERT rows: each number of rows is a statement of its own, kept in the
    connection's statement cache (128 statements), and the cache of a long-lived connection
    would otherwise hold tens of megabytes of them.
    """
    per_row = "(" + ", ".join(["%s"] * (width + 1)) + ")"
    pk = connection.ops.quote_name(model._meta.pk.column)
    chunk = max(1, min(SQLITE_ROWS_PER_INSERT, (connection.features.max_query_params or 999) // (width + 1)))
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # The highest id ever handed out: the sequence (AUTOINCREMENT never reuses the id of a
        # deleted row), or the highest present if rows were written with explicit ids.
        cursor.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max({pk}) FROM {table}), 0))",
            [model._meta.db_table],
        )
        first = cursor.fetchone()[0] + 1
        ids = list(range(first, first + len(value_rows)))
        for start in range(0, len(value_rows), chunk):
            batch = value_rows[start : start + chunk]
            params = [
                value
                for pk_value, row in zip(ids[start : start + len(batch)], batch, strict=True)
                for value in (pk_value, *row)
            ]
            sql = f"INSERT INTO {table} ({pk}, {columns}) VALUES {', '.join([per_row] * len(batch))}"
            cursor.execute(sql, params)
    return ids


def _insert_postgresql(
    model, table: str, columns: str, width: int, value_rows: list[tuple[Any, ...]], *, ids: Sequence[int] | None
) -> list[int]:
    """The rows streamed with a binary ``COPY``, at ids reserved from the table's sequence.

    COPY costs the server a fraction of one INSERT per row (no statement per row), and in the
    binary format psycopg writes each value with its type's C dumper and the server reads it
    without parsing text; a multi-row VALUES statement would cost psycopg more to build than
    PostgreSQL to run. Taking ids with ``nextval`` is safe alongside other writers: each value
    is handed out once.
    """
    ids = list(ids) if ids is not None else ids_reserve({model: len(value_rows)})[model]
    pk_column = model._meta.pk.column
    pk = connection.ops.quote_name(pk_column)
    with _copy_cursor(_column_types(model)) as cursor:
        cursor.executemany(
            f"COPY {table} ({pk}, {columns}) FROM STDIN (FORMAT BINARY)",
            [(pk_value, *row) for pk_value, row in zip(ids, value_rows, strict=True)],
        )
    return ids
