"""Bulk inserts that bypass model instances: COPY on PostgreSQL, one prepared INSERT with executemany elsewhere.

Django's bulk_create spends most of its time building and preparing model instances (measured: 150 s of a 1M-object
draw went there), so values are adapted here the way the ORM would: aware datetimes and dates through the backend's
adapters, JSON as text. Columns not listed get their field default, so a field added later keeps this working.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection


@functools.cache
def _extra_columns(model, known: tuple[str, ...]) -> tuple[tuple[str, ...], tuple]:
    names, values = [], []
    for f in model._meta.concrete_fields:
        if f.attname in known or f.column in known or f.primary_key:
            continue
        names.append(f.column)
        values.append(f.get_db_prep_save(f.get_default(), connection))
    return tuple(names), tuple(values)


def bulk_insert(model, columns: Sequence[str], rows: Iterable[tuple], *, batch: int = 5000) -> None:
    """Insert `rows` (tuples in `columns` order, column names as in the database) into `model`'s table."""
    columns = tuple(columns)
    extra_names, extra_values = _extra_columns(model, columns)
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in (*columns, *extra_names))
    table = qn(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + extra_values if extra_values else row)
            return
        ops = connection.ops
        adapt: dict[type, Callable[[Any], Any]] = {
            datetime.datetime: ops.adapt_datetimefield_value,
            datetime.date: ops.adapt_datefield_value,
        }

        def prep(v: Any) -> Any:
            f = adapt.get(type(v))
            return v if f is None else f(v)

        placeholders = ", ".join(["%s"] * (len(columns) + len(extra_names)))
        sql = f"INSERT INTO {table} ({cols}) VALUES ({placeholders})"
        chunk: list[tuple] = []
        for row in rows:
            chunk.append(tuple(map(prep, row)) + extra_values)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
