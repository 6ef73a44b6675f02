"""The search index, kept in list order, so a search reads only the rows it shows.

A list is ordered by (surname, forename, username), and a search shows the first page of its
matches in that order. An index that hands matches over in some other order must fetch every
one of them to sort them: "Jones" is 13,000 people at national scale. So each account carries
a `search_rank`, an integer that grows with its place in its kind's list, and the trigram
index is keyed by that rank, so that it returns matches in list order and stops after a page.

- Each kind has its own span of ranks (`KIND_SPAN` wide), so a kind's list is one rank range.
- Triggers give a new or renamed account the rank half-way between its neighbours'. When there
  is no room between them its rank stays NULL: it is still found, because every search also
  reads the unranked matches (a partial index holds them) and merges the two by key. `renumber`
  spaces every rank out evenly again.
- SQLite (migration 0008): an FTS5 trigram table whose rowid is the rank.
- PostgreSQL (migration 0009): `account_gram`, one row per (trigram, rank), whose primary key
  lists each trigram's accounts in rank order. A search walks the postings of its rarest
  trigram (by `account_gram_count`, refreshed now and then: it only chooses) and checks each
  account it meets. pg_trgm's GIN index, which 0007 made, cannot return matches in order.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from peewee import Database, PostgresqlDatabase

# The kinds in list order of their names: every Kind (tests/test_search_ranks.py checks).
RANKED_KINDS = ("governor", "hwb-admin", "learner", "non-mis", "staff")
KIND_SPAN = 1 << 52  # ranks of one kind: [base, base + KIND_SPAN)
RANK_SPACING = 1 << 24  # between neighbours after `renumber`: 24 halvings before none is left
# When more accounts than this wait for a rank, writes renumber every account (see `tidy`).
UNRANKED_LIMIT = 500
# PostgreSQL's trigram counts are made again when the index has grown this much beyond them.
STALE_COUNTS_GROWTH = 1.2
# The values a search looks in, which the index holds.
INDEXED_COLUMNS = ("surname", "forename", "username", "admission_number")
# The values a trigger indexes, as arguments of PostgreSQL's account_grams().
INDEXED_VALUES = ", ".join(f"{{row}}.{column}" for column in INDEXED_COLUMNS)
# Every ranked account's postings (PostgreSQL), for a rebuild; a caller may narrow the ranks.
POSTINGS_SELECT = (
    "SELECT g.gram, a.search_rank FROM account AS a "
    f"CROSS JOIN LATERAL account_grams({INDEXED_VALUES.format(row='a')}) AS g(gram) "
    "WHERE a.search_rank IS NOT NULL"
)
POSTINGS_INSERT = f"INSERT INTO account_gram (gram, rank) {POSTINGS_SELECT}"
# Sorting 9 million postings for their key in memory rather than in files on disk.
KEY_BUILD_MEMORY = "512MB"
# PostgreSQL: any number, the same in every process, locked while accounts are placed.
PLACING_LOCK = 0x68776272616E6B  # "hwbrank"
# PostgreSQL: true in a transaction writing accounts in bulk, when the triggers stand aside.
IN_BULK = "coalesce(current_setting('hwb.accounts_in_bulk', true), '') = 'on'"
# The triggers that write the index as ranks change (migrations 0008 and 0009).
INDEXING_TRIGGERS = {
    "sqlite": ("account_rank_index",),
    "postgres": ("account_rank_place", "account_gram_index"),
}

# Whether this thread has renumbered since `settle` last looked (its transaction may be open).
_renumbered = threading.local()

KIND_BASE_SQL = (
    "(CASE {kind} "
    + " ".join(f"WHEN '{kind}' THEN {(n + 1) * KIND_SPAN}" for n, kind in enumerate(RANKED_KINDS))
    + " END)"
)


def kind_range(kind: str) -> tuple[int, int]:
    """The ranks of `kind`'s accounts lie strictly inside this pair."""
    base = (RANKED_KINDS.index(kind) + 1) * KIND_SPAN
    return base, base + KIND_SPAN


def spaced_rank(kind: str, position: int) -> int:
    """The rank `renumber` gives the account at `position` (from 1) in `kind`'s list."""
    low, _high = kind_range(kind)
    return low + RANK_SPACING * position


def placement_sql(row: str) -> str:
    """The rank half-way between `row`'s ranked neighbours in its kind's list, or NULL if they
    are adjacent. `row` is the trigger's `new`; after the row is written, it must be unranked
    (SQLite); before (PostgreSQL), its old version may be its own neighbour."""
    low, high = _neighbour_ranks(row)
    return (
        f"(SELECT CASE WHEN high - low >= 2 THEN low + (high - low) / 2 END "
        f"FROM (SELECT {low} AS low, {high} AS high) AS bounds)"
    )


def _neighbour_ranks(row: str) -> tuple[str, str]:
    """SQL for the ranks of `row`'s ranked neighbours in its kind's list, either side; the
    kind's own bounds where it has none."""
    base = KIND_BASE_SQL.format(kind=f"{row}.kind")
    key = f"({row}.surname, {row}.forename, {row}.username)"
    neighbour = (
        f"(SELECT o.search_rank FROM account AS o WHERE o.kind = {row}.kind "
        f"AND o.search_rank IS NOT NULL AND (o.surname, o.forename, o.username) {{op}} {key} "
        "ORDER BY o.surname {dir}, o.forename {dir}, o.username {dir} LIMIT 1)"
    )
    low = f"coalesce({neighbour.format(op='<', dir='DESC')}, {base})"
    high = f"coalesce({neighbour.format(op='>', dir='ASC')}, {base} + {KIND_SPAN})"
    return low, high


def create_sqlite_indexing(db: Database, terminator_length: int) -> None:
    """SQLite: the view the FTS5 index reads its content through, and the triggers that keep
    the index, with each value followed by `terminator_length` U+001F."""
    after = " || char(31)" * terminator_length
    indexed = ", ".join(f"{column}{after} AS {column}" for column in INDEXED_COLUMNS)
    # External content read through a view, so an unranked account is not in the index.
    db.execute_sql(
        f"CREATE VIEW account_search_source AS SELECT search_rank, {indexed} "
        "FROM account WHERE search_rank IS NOT NULL"
    )

    def values(row: str) -> str:
        return ", ".join(f"{row}.{column}{after}" for column in INDEXED_COLUMNS)

    listed = ", ".join(INDEXED_COLUMNS)
    forget_old = (
        f"INSERT INTO account_search (account_search, rowid, {listed}) "
        f"SELECT 'delete', old.search_rank, {values('old')} WHERE old.search_rank IS NOT NULL; "
    )
    # A renamed account leaves the index under its old values and is placed afresh.
    changed = " OR ".join(
        f"old.{column} IS NOT new.{column}" for column in ("kind", *INDEXED_COLUMNS)
    )
    db.execute_sql(
        f"CREATE TRIGGER account_rank_update AFTER UPDATE OF kind, {listed} ON account "
        f"WHEN {changed} BEGIN {forget_old}"
        "UPDATE account SET search_rank = NULL WHERE id = new.id; "
        f"UPDATE account SET search_rank = {placement_sql('new')} WHERE id = new.id; END"
    )
    # Whenever an account takes a rank, the index holds it under that rank.
    db.execute_sql(
        "CREATE TRIGGER account_rank_index AFTER UPDATE OF search_rank ON account "
        f"WHEN new.search_rank IS NOT NULL BEGIN {forget_old}"
        f"INSERT INTO account_search (rowid, {listed}) VALUES (new.search_rank, {values('new')}); "
        "END"
    )
    db.execute_sql(
        "CREATE TRIGGER account_rank_delete AFTER DELETE ON account "
        "WHEN old.search_rank IS NOT NULL BEGIN "
        f"INSERT INTO account_search (account_search, rowid, {listed}) "
        f"VALUES ('delete', old.search_rank, {values('old')}); END"
    )


def drop_sqlite_indexing(db: Database) -> None:
    """SQLite: what `create_sqlite_indexing` made, but for the index itself."""
    for name in ("update", "index", "delete"):
        db.execute_sql(f"DROP TRIGGER account_rank_{name}")
    db.execute_sql("DROP VIEW account_search_source")


def create_account_grams(db: Database, terminator_length: int) -> None:
    """PostgreSQL: an account's trigrams, of each value lower-cased with `terminator_length`
    U+001F after it."""
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION account_grams(VARIADIC vals text[]) RETURNS SETOF text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
        "SELECT DISTINCT substr(v, i, 3) FROM unnest(vals) AS f(x) "
        f"CROSS JOIN LATERAL (SELECT lower(x) || repeat(E'\\x1f', {terminator_length}) AS v) "
        "AS s CROSS JOIN LATERAL generate_series(1, length(v) - 2) AS i WHERE x <> '' $$"
    )


def unranked_count(db: Database) -> int:
    return db.execute_sql("SELECT count(*) FROM account WHERE search_rank IS NULL").fetchone()[0]


def renumber(db: Database) -> None:
    """Every account's rank afresh, evenly spaced, and the search index rebuilt to match.

    Seconds at national scale; run inside the caller's transaction. Searches meanwhile read
    the ranks and the index as they were, until it commits.
    """
    # Indexing row by row as each rank is set costs several times one rebuild at the end, so
    # the triggers that do it are set aside meanwhile.
    with set_aside_triggers(db, INDEXING_TRIGGERS[_backend(db)]):
        db.execute_sql("UPDATE account SET search_rank = NULL WHERE search_rank IS NOT NULL")
        db.execute_sql(
            "UPDATE account SET search_rank = ranked.rank FROM ("
            f"SELECT id, {KIND_BASE_SQL.format(kind='kind')} + {RANK_SPACING} * "
            "row_number() OVER (PARTITION BY kind ORDER BY surname, forename, username) AS rank "
            "FROM account) AS ranked WHERE account.id = ranked.id AND ranked.rank IS NOT NULL"
        )
        rebuild_index(db)
    _renumbered.pending = True


def settle(db: Database) -> None:
    """After the commit of a transaction that may have renumbered, outside any transaction:
    on PostgreSQL, the accounts and the postings vacuumed. A renumber leaves a dead version
    of every account (each is updated twice) and new postings that a search cannot read from
    their key alone until a vacuum has marked them visible: national searches took 8 to 10 ms
    afterwards instead of 1.5 (500,000 users), and autovacuum may be minutes away, or off.
    The vacuum took 5.5 s there, against the renumber's 140 s."""
    if not getattr(_renumbered, "pending", False) or db.in_transaction():
        return
    _renumbered.pending = False
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("VACUUM (ANALYZE) account, account_gram")


def rebuild_index(db: Database) -> None:
    """The search index made afresh from the ranked accounts (with its indexing trigger set
    aside, or the accounts just written with their ranks)."""
    if isinstance(db, PostgresqlDatabase):
        _replace_postings(db)
    else:
        db.execute_sql("INSERT INTO account_search (account_search) VALUES ('rebuild')")


def _replace_postings(db: Database) -> None:
    """PostgreSQL: the postings written afresh into a table of their own, keyed, then put in
    place of the old ones at the end. Emptied and refilled where they were, the table was locked
    for the whole rebuild and every national search waited (tens of seconds at national scale);
    now a search waits only for the swap, just before the commit, and then reads the new table
    (PostgreSQL looks a name up again once the lock it waited for is granted)."""
    db.execute_sql("CREATE TABLE account_gram_new (LIKE account_gram)")
    db.execute_sql(f"INSERT INTO account_gram_new (gram, rank) {POSTINGS_SELECT}")
    _add_postings_key(db, "account_gram_new")
    db.execute_sql("ANALYZE account_gram_new")  # its first searches plan with its statistics
    db.execute_sql("DROP TABLE account_gram")
    db.execute_sql("ALTER TABLE account_gram_new RENAME TO account_gram")
    db.execute_sql(
        "ALTER TABLE account_gram RENAME CONSTRAINT account_gram_new_pkey TO account_gram_pkey"
    )
    count_grams(db)


def clear_postings(db: Database) -> None:
    """PostgreSQL: `account_gram` emptied, and its key dropped until `key_postings`: inserting
    millions of rows under the key costs several times building it once afterwards."""
    db.execute_sql("TRUNCATE account_gram")
    db.execute_sql("ALTER TABLE account_gram DROP CONSTRAINT account_gram_pkey")


def key_postings(db: Database) -> None:
    """PostgreSQL: the key of the postings `clear_postings` dropped, and the trigram counts."""
    _add_postings_key(db, "account_gram")
    count_grams(db)


def _add_postings_key(db: Database, table: str) -> None:
    """The postings' primary key, built once over rows already written, sorted in memory."""
    db.execute_sql(f"SET LOCAL maintenance_work_mem = '{KEY_BUILD_MEMORY}'")
    db.execute_sql(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (gram, rank)")


def count_grams(db: Database) -> None:
    """PostgreSQL: how many accounts hold each trigram, for choosing which one to walk.
    DELETE, not TRUNCATE, whose lock would hold every search up until the commit."""
    db.execute_sql("DELETE FROM account_gram_count")
    db.execute_sql(
        "INSERT INTO account_gram_count (gram, postings) "
        "SELECT gram, count(*) FROM account_gram GROUP BY gram"
    )


@contextmanager
def set_aside_triggers(db: Database, names: tuple[str, ...]) -> Iterator[None]:
    """The triggers out of action for the block; inside a transaction, so a failure in the
    block puts them back with the rest. SQLite's are dropped and made again from their own
    stored SQL; PostgreSQL's are disabled."""
    if isinstance(db, PostgresqlDatabase):
        for name in names:
            db.execute_sql(f'ALTER TABLE account DISABLE TRIGGER "{name}"')
        yield
        for name in names:
            db.execute_sql(f'ALTER TABLE account ENABLE TRIGGER "{name}"')
        return
    made = []
    for name in names:
        (sql,) = db.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).fetchone()
        db.execute_sql(f'DROP TRIGGER "{name}"')
        made.append(sql)
    yield
    for sql in made:
        db.execute_sql(sql)


@contextmanager
def accounts_in_bulk(db: Database) -> Iterator[None]:
    """For a block that inserts many accounts at once (an MIS import), inside a transaction.

    On PostgreSQL the triggers stand aside for the block, whose accounts arrive unranked; then
    one statement places every unranked account (those sharing a gap spread evenly across it)
    and writes their postings: row by row, the triggers cost more than the insert.
    Too many at once for that (more than a tenth of all), and every account is renumbered.
    On SQLite nothing changes: its triggers run within one INSERT … SELECT (store/bulk.py).
    """
    if not isinstance(db, PostgresqlDatabase):
        yield
        return
    db.execute_sql("SET LOCAL hwb.accounts_in_bulk = 'on'")
    yield
    db.execute_sql(f"SELECT pg_advisory_xact_lock({PLACING_LOCK})")
    waiting = unranked_count(db)
    (estimated,) = db.execute_sql(
        "SELECT reltuples FROM pg_class WHERE oid = 'account'::regclass"
    ).fetchone()
    db.execute_sql("SET LOCAL hwb.accounts_in_bulk = 'off'")
    if waiting > max(UNRANKED_LIMIT, estimated / 10):
        renumber(db)
    elif waiting:
        db.execute_sql("SET LOCAL hwb.accounts_in_bulk = 'on'")
        db.execute_sql(_PLACE_WAITING)
        db.execute_sql("SET LOCAL hwb.accounts_in_bulk = 'off'")


def tidy(db: Database) -> None:
    """For the end of a transaction that added or renamed accounts: renumber once many wait
    for a rank (a handful are found without one); on PostgreSQL, count the trigrams again once
    the counts are well behind the index."""
    if unranked_count(db) > UNRANKED_LIMIT:
        renumber(db)
    elif isinstance(db, PostgresqlDatabase) and _counts_are_stale(db):
        count_grams(db)


def _counts_are_stale(db: Database) -> bool:
    # reltuples is the planner's estimate, kept by (auto)vacuum and analyze: cheap to read.
    counted, estimated = db.execute_sql(
        "SELECT (SELECT coalesce(sum(postings), 0) FROM account_gram_count), "
        "(SELECT reltuples FROM pg_class WHERE oid = 'account_gram'::regclass)"
    ).fetchone()
    return counted == 0 or estimated > counted * STALE_COUNTS_GROWTH


def _backend(db: Database) -> str:
    return "postgres" if isinstance(db, PostgresqlDatabase) else "sqlite"


def _place_waiting_sql() -> str:
    """PostgreSQL: every unranked account placed between its ranked neighbours, those that
    share a gap spread evenly across it in list order (NULL still where the gap is too
    narrow), and the postings of all it placed inserted, in one statement."""
    low, high = _neighbour_ranks("a")
    return (
        "WITH waiting AS ("
        f"SELECT a.id, a.kind, a.surname, a.forename, a.username, {low} AS low, {high} AS high "
        "FROM account AS a WHERE a.search_rank IS NULL), "
        "spread AS (SELECT id, low, (high - low) / (count(*) OVER gap + 1) AS step, "
        "row_number() OVER (gap ORDER BY surname, forename, username) AS place FROM waiting "
        "WINDOW gap AS (PARTITION BY kind, low)), "
        "placed AS (UPDATE account SET search_rank = spread.low + spread.step * spread.place "
        "FROM spread WHERE account.id = spread.id AND spread.step >= 1 "
        f"RETURNING {INDEXED_VALUES.format(row='account')}, account.search_rank) "
        "INSERT INTO account_gram (gram, rank) SELECT g.gram, p.search_rank FROM placed AS p "
        f"CROSS JOIN LATERAL account_grams({INDEXED_VALUES.format(row='p')}) AS g(gram)"
    )


_PLACE_WAITING = _place_waiting_sql()
