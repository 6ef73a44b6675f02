"""SQLite's search index keyed by each account's place in its list (store/search_ranks.py).

0007's trigram index was keyed by account id, so a search had to fetch every match to sort
them. Here it is keyed by `search_rank`, which grows with (kind, surname, forename, username):
the index hands matches over in list order and a search stops after one page. PostgreSQL keeps
0007's pg_trgm index; nothing changes there.

Each value is indexed with U+001F after it (a character no search term holds: control
characters are refused), so every two letters of a value, even at its end or making up the
whole value, begin one of its trigrams: a two-letter search reads the index too.
"""

from peewee import PostgresqlDatabase

from hwb_tui.store.search_ranks import create_sqlite_indexing, placement_sql, renumber

_OLD_TRIGGERS = ("insert", "delete", "update")
_INDEXED = "surname, forename, username, admission_number"


def _values(row: str) -> str:
    """The trigger row's indexed values, as 0007's triggers gave them (for going back down)."""
    return ", ".join(f"{row}.{column}" for column in _INDEXED.split(", "))


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        return
    for event in _OLD_TRIGGERS:
        db.execute_sql(f"DROP TRIGGER account_search_{event}")
    db.execute_sql("DROP TABLE account_search")
    db.execute_sql("ALTER TABLE account ADD COLUMN search_rank INTEGER")
    db.execute_sql("CREATE UNIQUE INDEX account_search_rank ON account (search_rank)")
    # The accounts still waiting for a rank, in list order: every search reads them too.
    db.execute_sql(
        "CREATE INDEX account_unranked ON account (kind, surname, forename, username) "
        "WHERE search_rank IS NULL"
    )
    db.execute_sql(
        f"CREATE VIRTUAL TABLE account_search USING fts5({_INDEXED}, "
        "content='account_search_source', content_rowid='search_rank', tokenize='trigram')"
    )
    # The index's trigrams, in order: a two-letter search looks up those that begin with it.
    db.execute_sql(
        "CREATE VIRTUAL TABLE account_search_terms USING fts5vocab(account_search, 'row')"
    )
    # A new account takes the rank between its neighbours' (NULL when they are adjacent).
    db.execute_sql(
        "CREATE TRIGGER account_rank_insert AFTER INSERT ON account BEGIN "
        f"UPDATE account SET search_rank = {placement_sql('new')} WHERE id = new.id; END"
    )
    # The content view and the triggers that keep the index, one U+001F after each value.
    create_sqlite_indexing(db, terminator_length=1)
    # Accounts written before this migration; the function is the one later repairs use.
    renumber(db)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        return
    for name in ("insert", "update", "index", "delete"):
        db.execute_sql(f"DROP TRIGGER IF EXISTS account_rank_{name}")
    db.execute_sql("DROP TABLE account_search_terms")
    db.execute_sql("DROP TABLE account_search")
    db.execute_sql("DROP VIEW account_search_source")
    db.execute_sql("DROP INDEX account_unranked")
    db.execute_sql("DROP INDEX account_search_rank")
    db.execute_sql("ALTER TABLE account DROP COLUMN search_rank")
    db.execute_sql(
        f"CREATE VIRTUAL TABLE account_search USING fts5({_INDEXED}, "
        "content='account', content_rowid='id', tokenize='trigram')"
    )
    db.execute_sql(
        "CREATE TRIGGER account_search_insert AFTER INSERT ON account BEGIN "
        f"INSERT INTO account_search (rowid, {_INDEXED}) "
        f"VALUES (new.id, {_values('new')}); END"
    )
    db.execute_sql(
        "CREATE TRIGGER account_search_delete AFTER DELETE ON account BEGIN "
        f"INSERT INTO account_search (account_search, rowid, {_INDEXED}) "
        f"VALUES ('delete', old.id, {_values('old')}); END"
    )
    db.execute_sql(
        f"CREATE TRIGGER account_search_update AFTER UPDATE OF {_INDEXED} ON account BEGIN "
        f"INSERT INTO account_search (account_search, rowid, {_INDEXED}) "
        f"VALUES ('delete', old.id, {_values('old')}); "
        f"INSERT INTO account_search (rowid, {_INDEXED}) "
        f"VALUES (new.id, {_values('new')}); END"
    )
    db.execute_sql("INSERT INTO account_search (account_search) VALUES ('rebuild')")
