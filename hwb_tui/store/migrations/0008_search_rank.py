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

from hwb_tui.store.search_ranks import placement_sql, renumber

_OLD_TRIGGERS = ("insert", "delete", "update")
_INDEXED = "surname, forename, username, admission_number"


def _indexed(row: str, after: str = " || char(31)") -> str:
    """The trigger row's indexed values, as the view gives them (`after` each one)."""
    return ", ".join(f"{row}.{column}{after}" for column in _INDEXED.split(", "))


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
    # External content read through a view, so an unranked account is not in the index.
    terminated = ", ".join(f"{column} || char(31) AS {column}" for column in _INDEXED.split(", "))
    db.execute_sql(
        f"CREATE VIEW account_search_source AS SELECT search_rank, {terminated} "
        "FROM account WHERE search_rank IS NOT NULL"
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
    # A renamed account leaves the index under its old values and is placed afresh.
    changed = " OR ".join(
        f"old.{column} IS NOT new.{column}" for column in ("kind", *_INDEXED.split(", "))
    )
    db.execute_sql(
        "CREATE TRIGGER account_rank_update "
        f"AFTER UPDATE OF kind, {_INDEXED} ON account WHEN {changed} BEGIN "
        f"INSERT INTO account_search (account_search, rowid, {_INDEXED}) "
        f"SELECT 'delete', old.search_rank, {_indexed('old')} WHERE old.search_rank IS NOT NULL; "
        "UPDATE account SET search_rank = NULL WHERE id = new.id; "
        f"UPDATE account SET search_rank = {placement_sql('new')} WHERE id = new.id; END"
    )
    # Whenever an account takes a rank, the index holds it under that rank.
    db.execute_sql(
        "CREATE TRIGGER account_rank_index AFTER UPDATE OF search_rank ON account "
        "WHEN new.search_rank IS NOT NULL BEGIN "
        f"INSERT INTO account_search (account_search, rowid, {_INDEXED}) "
        f"SELECT 'delete', old.search_rank, {_indexed('old')} WHERE old.search_rank IS NOT NULL; "
        f"INSERT INTO account_search (rowid, {_INDEXED}) "
        f"VALUES (new.search_rank, {_indexed('new')}); END"
    )
    db.execute_sql(
        "CREATE TRIGGER account_rank_delete AFTER DELETE ON account "
        "WHEN old.search_rank IS NOT NULL BEGIN "
        f"INSERT INTO account_search (account_search, rowid, {_INDEXED}) "
        f"VALUES ('delete', old.search_rank, {_indexed('old')}); END"
    )
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
        f"VALUES (new.id, {_indexed('new', '')}); END"
    )
    db.execute_sql(
        "CREATE TRIGGER account_search_delete AFTER DELETE ON account BEGIN "
        f"INSERT INTO account_search (account_search, rowid, {_INDEXED}) "
        f"VALUES ('delete', old.id, {_indexed('old', '')}); END"
    )
    db.execute_sql(
        f"CREATE TRIGGER account_search_update AFTER UPDATE OF {_INDEXED} ON account BEGIN "
        f"INSERT INTO account_search (account_search, rowid, {_INDEXED}) "
        f"VALUES ('delete', old.id, {_indexed('old', '')}); "
        f"INSERT INTO account_search (rowid, {_INDEXED}) "
        f"VALUES (new.id, {_indexed('new', '')}); END"
    )
    db.execute_sql("INSERT INTO account_search (account_search) VALUES ('rebuild')")
