"""The search index with two U+001F after each value, so that one letter is a range of it.

0008 and 0009 put one U+001F after each value, so that every two letters of a value begin
one of its trigrams and two letters are a range of the index. A value's last letter began
none, so one letter was found by reading the national list in order and checking each
account: quick for a letter many have ("e", 0.2 ms), the whole list for a letter few or none
have ("q": 1.2 s on SQLite, 110 ms on PostgreSQL, at 500,000 users). With two, every letter
of a value begins a trigram, and one letter reads the trigrams that begin with it
(store/user_pages.py), or the list in order when it is common.

The index is built again: on SQLite the FTS5 table from its view, on PostgreSQL the postings.
On SQLite a letter's first page is looked for among the accounts just beyond the key before
the index (store/user_pages.py), so the list's index in kind order now also holds the values
that check reads, as the school's does (0010): 4,000 accounts were checked in 11 ms reading
each from the table, in 3 to 4 ms from the index alone ("q", 500,000 users).
"""

from peewee import PostgresqlDatabase

from hwb_tui.store.search_ranks import (
    create_account_grams,
    create_sqlite_indexing,
    drop_sqlite_indexing,
    rebuild_index,
)

_KIND_ORDER = "kind, surname, forename, username"


def up(migrator, db):
    _index_with(db, terminator_length=2)
    if not isinstance(db, PostgresqlDatabase):
        _kind_order_holding(db, ", admission_number, left_at")


def down(migrator, db):
    _index_with(db, terminator_length=1)
    if not isinstance(db, PostgresqlDatabase):
        _kind_order_holding(db, "")


def _kind_order_holding(db, values: str) -> None:
    db.execute_sql("DROP INDEX account_kind_sort_key")
    db.execute_sql(f"CREATE INDEX account_kind_sort_key ON account ({_KIND_ORDER}{values})")


def _index_with(db, terminator_length: int) -> None:
    if isinstance(db, PostgresqlDatabase):
        create_account_grams(db, terminator_length)
    else:
        drop_sqlite_indexing(db)
        create_sqlite_indexing(db, terminator_length)
    rebuild_index(db)
