"""PostgreSQL: each account's searched values kept in one lower-cased column, for the searches
that check a list's accounts one by one.

A school's list, one letter and two common letters are searched by reading the list in order
and checking each account (store/user_pages.py). Each check joined the four values and
compared them with ILIKE, which lower-cases both sides for every row: 2.5 ms for "Pritch"
among a school's 2,000 learners, 0.9 ms of it reading them. Joined and lower-cased once, when
the row is written, they are checked with a plain LIKE: 0.8 ms. A generated column is kept
current by PostgreSQL itself, whatever writes the row.

SQLite is unchanged: its school index holds the searched values (0010).
"""

from peewee import PostgresqlDatabase

# The values a search looks in, joined by U+001F so that a term cannot match across two of
# them (no term holds a control character), and lower-cased as ILIKE compares.
SEARCH_TEXT = (
    "lower(surname || E'\\x1f' || forename || E'\\x1f' || username || E'\\x1f' "
    "|| coalesce(admission_number, ''))"
)


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql(
        "ALTER TABLE account ADD COLUMN search_text text "
        f"GENERATED ALWAYS AS ({SEARCH_TEXT}) STORED"
    )


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql("ALTER TABLE account DROP COLUMN search_text")
