"""Indexes for lists and search at national scale (500,000 users).

- Every list is ordered by (surname, forename, username); indexes in that order per kind, and
  per school and kind, let a page start anywhere by key (keyset paging) without reading the
  rows before it.
- Search matches part of the surname, forename, username or admission number. SQLite keeps an
  FTS5 trigram index (kept in step by triggers); PostgreSQL a pg_trgm GIN index over the same
  four fields joined by U+001F, a character a search term cannot contain (control characters
  are refused), so a match never spans two fields.
"""

from peewee import PostgresqlDatabase

# Frozen here: store/user_pages.py queries with the identical expression, so the index serves it.
PG_HAYSTACK = (
    "(surname || E'\\x1f' || forename || E'\\x1f' || username || E'\\x1f' "
    "|| coalesce(admission_number, ''))"
)


def up(migrator, db):
    db.execute_sql(
        "CREATE INDEX account_kind_sort_key ON account (kind, surname, forename, username)"
    )
    # A school's lists: the same order within a school. It replaces 0001's index, which lacked
    # the username and so could not enter the list at a key.
    db.execute_sql(
        "CREATE INDEX account_school_sort_key "
        "ON account (school_id, kind, surname, forename, username)"
    )
    db.execute_sql("DROP INDEX account_school_id_kind_surname_forename")
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        db.execute_sql(
            f"CREATE INDEX account_search_trigram ON account USING gin ({PG_HAYSTACK} gin_trgm_ops)"
        )
        return
    # External content: the index holds only trigrams; the text stays in the account table.
    db.execute_sql(
        "CREATE VIRTUAL TABLE account_search USING fts5(surname, forename, username, "
        "admission_number, content='account', content_rowid='id', tokenize='trigram')"
    )
    db.execute_sql(
        "CREATE TRIGGER account_search_insert AFTER INSERT ON account BEGIN "
        "INSERT INTO account_search (rowid, surname, forename, username, admission_number) "
        "VALUES (new.id, new.surname, new.forename, new.username, new.admission_number); END"
    )
    db.execute_sql(
        "CREATE TRIGGER account_search_delete AFTER DELETE ON account BEGIN "
        "INSERT INTO account_search "
        "(account_search, rowid, surname, forename, username, admission_number) "
        "VALUES ('delete', old.id, old.surname, old.forename, old.username, "
        "old.admission_number); END"
    )
    db.execute_sql(
        "CREATE TRIGGER account_search_update "
        "AFTER UPDATE OF surname, forename, username, admission_number ON account BEGIN "
        "INSERT INTO account_search "
        "(account_search, rowid, surname, forename, username, admission_number) "
        "VALUES ('delete', old.id, old.surname, old.forename, old.username, "
        "old.admission_number); "
        "INSERT INTO account_search (rowid, surname, forename, username, admission_number) "
        "VALUES (new.id, new.surname, new.forename, new.username, new.admission_number); END"
    )
    # Accounts written before this migration.
    db.execute_sql("INSERT INTO account_search (account_search) VALUES ('rebuild')")


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP INDEX IF EXISTS account_search_trigram")
    else:
        for event in ("insert", "delete", "update"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS account_search_{event}")
        db.execute_sql("DROP TABLE IF EXISTS account_search")
    db.execute_sql(
        "CREATE INDEX account_school_id_kind_surname_forename "
        "ON account (school_id, kind, surname, forename)"
    )
    db.execute_sql("DROP INDEX IF EXISTS account_school_sort_key")
    db.execute_sql("DROP INDEX IF EXISTS account_kind_sort_key")
