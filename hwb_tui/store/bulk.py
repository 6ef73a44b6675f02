"""Many rows at once, without Peewee's value-by-value SQL building.

On SQLite the rows go through executemany into a temporary table and then into the real one
in a single INSERT … SELECT: the search index's triggers (FTS5, migration 0007) cost about five
times the insert itself when each row is its own statement, and almost nothing within one.
On PostgreSQL each statement carries thousands of rows (with either psycopg driver).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, Model, TextField

from hwb_tui.store.db import database, is_postgres

POSTGRES_MAX_PARAMETERS = 30_000  # PostgreSQL takes at most 65,535 in one statement


def insert_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert rows of values for `columns` (field names), each converted as Peewee would."""
    fields = [model._meta.fields[name] for name in columns]
    table = model._meta.table_name
    names = ", ".join(f'"{field.column_name}"' for field in fields)
    places = ", ".join([database.obj.param] * len(fields))
    converted = _converted(fields, rows)
    cursor = database.cursor()
    if is_postgres():
        # Many rows per statement: executemany sends one statement per row.
        rows_per_statement = max(1, POSTGRES_MAX_PARAMETERS // len(fields))
        while batch := list(islice(converted, rows_per_statement)):
            statement_values = ", ".join([f"({places})"] * len(batch))
            parameters = [value for row in batch for value in row]
            cursor.execute(f'INSERT INTO "{table}" ({names}) VALUES {statement_values}', parameters)
        return
    staging = f"staging_{table}"
    cursor.execute(f'CREATE TEMP TABLE "{staging}" AS SELECT {names} FROM "{table}" WHERE 0')
    try:
        cursor.executemany(f'INSERT INTO "{staging}" ({names}) VALUES ({places})', converted)
        cursor.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{staging}"')
    finally:
        cursor.execute(f'DROP TABLE "{staging}"')


# Values of these fields pass to either driver as they are (str, int, bool or None).
_NATIVE_FIELDS = (CharField, TextField, IntegerField, BooleanField, ForeignKeyField)


def _converted(fields: Sequence, rows: Iterable[Sequence]) -> Iterator[Sequence]:
    """The rows with each value of the other fields (dates, times, blobs) as Peewee stores it."""
    to_convert = [
        (index, field.db_value)
        for index, field in enumerate(fields)
        if not isinstance(field, _NATIVE_FIELDS)
    ]
    if not to_convert:
        return iter(rows)
    return (_with_converted(row, to_convert) for row in rows)


def _with_converted(row: Sequence, to_convert: list) -> list:
    values = list(row)
    for index, convert in to_convert:
        values[index] = convert(values[index])
    return values
