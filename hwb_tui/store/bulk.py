"""Many rows at once, without Peewee's value-by-value SQL building.

On SQLite the rows go through executemany into a temporary table and then into the real one
in a single INSERT … SELECT: the search index's triggers (FTS5, migration 0007) cost about five
times the insert itself when each row is its own statement, and almost nothing within one.
On PostgreSQL they go in with COPY, and new accounts are placed in the search index together
afterwards (search_ranks.accounts_in_bulk).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, Model, TextField

from hwb_tui.store.db import database, is_postgres
from hwb_tui.store.models import Account
from hwb_tui.store.search_ranks import accounts_in_bulk


def insert_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert rows of values for `columns` (field names), each converted as Peewee would."""
    fields = [model._meta.fields[name] for name in columns]
    table = model._meta.table_name
    names = ", ".join(f'"{field.column_name}"' for field in fields)
    converted = _converted(fields, rows)
    cursor = database.cursor()
    if is_postgres():
        # COPY: several times faster than any INSERT (psycopg 3, the project's driver); new
        # accounts are placed in the search index all at once, after it.
        in_bulk = accounts_in_bulk(database.obj) if model is Account else nullcontext()
        with in_bulk, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in converted:
                copy.write_row(row)
        return
    staging = f"staging_{table}"
    places = ", ".join(["?"] * len(fields))
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
