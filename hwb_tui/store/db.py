"""Opening the database: SQLite (the embedded default) or PostgreSQL, from a Peewee URL."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urlparse

import peewee
from peewee import (
    ColumnBase,
    DatabaseProxy,
    Expression,
    Function,
    PostgresqlDatabase,
    SqliteDatabase,
)

from hwb_tui.domain.errors import StoreProblem
from hwb_tui.domain.i18n import _

# Every model binds to this proxy; open_database() points it at the real database.
database = DatabaseProxy()

BUSY_TIMEOUT_SECONDS = 30

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_SECONDS * 1000,
    "synchronous": "normal",
    # Freed pages are overwritten, so an old sealed copy does not linger in the file.
    "secure_delete": 1,
}

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
MIGRATIONS_TABLE = "schema_migration"  # playhouse.migrations' history of applied migrations
# The PostgreSQL functions the migrations make (the tables go with DROP TABLE, these do not).
MIGRATION_FUNCTIONS = (
    "audit_record_is_append_only()",
    "account_rank_place()",
    "account_gram_index()",
    "term_grams(text)",
    "account_grams(text[])",
)
# A Python function on SQLite connections: SQLite's own lower() folds ASCII letters only.
UNICODE_LOWER = "hwb_unicode_lower"

# SQLite's BUSY and LOCKED; PostgreSQL's serialization failure, deadlock and lock-not-available.
_SQLITE_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_POSTGRES_RETRY_STATES = frozenset({"40001", "40P01", "55P03"})


def is_sqlite_url(url: str) -> bool:
    return urlparse(url).scheme.startswith("sqlite")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


POSTGRES_OPTIONS = "-c jit=off"


def connect(url: str) -> SqliteDatabase | PostgresqlDatabase:
    """A Peewee database for the URL, not yet bound to the models."""
    scheme = urlparse(url).scheme
    if scheme in ("sqlite", ""):
        # What playhouse.db_url would make of it, without importing its PostgreSQL extensions.
        path = urlparse(url).path[1:] if scheme else url
        if path in ("", ":memory:"):
            raise StoreProblem(_("An in-memory database cannot be shared; give a file path."))
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # IMMEDIATE: a write transaction takes the lock at BEGIN, so a read-then-write never
        # fails half-way with "database is locked" when several sessions share the file.
        db = SqliteDatabase(
            path,
            pragmas=SQLITE_PRAGMAS,
            timeout=BUSY_TIMEOUT_SECONDS,
            lock_type="IMMEDIATE",
        )
        db.register_function(_unicode_lower, UNICODE_LOWER, 1, deterministic=True)
        return db
    if scheme in ("postgres", "postgresql"):
        from playhouse import db_url

        _hand_psycopg_to_peewee()
        params = db_url.parse(url)
        # psycopg 3 is the declared driver; Peewee would pick psycopg2 if it happened to be
        # installed, and the bulk import relies on psycopg 3's COPY.
        # Every statement here is short; the planner's cost for a search that holds two plans
        # and runs one (store/user_pages.py) passed JIT's threshold, and compiling took 55 ms of
        # a 1 ms search.
        return PostgresqlDatabase(**params, prefer_psycopg3=True, options=POSTGRES_OPTIONS)
    raise StoreProblem(
        _("Unsupported database URL scheme {scheme!r}: use sqlite:/// or postgresql://").format(
            scheme=scheme
        )
    )


def _hand_psycopg_to_peewee() -> None:
    """Give Peewee the psycopg it looks for when imported, and which the store hid from it then
    (see hwb_tui/store/__init__.py): the same names Peewee binds when it finds psycopg itself."""
    if peewee.psycopg is not None:
        return
    import psycopg
    from psycopg.pq import TransactionStatus
    from psycopg.types.json import Json, Jsonb

    peewee.psycopg, peewee.TransactionStatus = psycopg, TransactionStatus
    peewee.Json_pg3, peewee.Jsonb_pg3 = Json, Jsonb
    adapter = peewee.Psycopg3Adapter
    adapter.txn_idle = TransactionStatus.IDLE
    adapter.txn_inerror = TransactionStatus.INERROR
    adapter.txn_unknown = TransactionStatus.UNKNOWN


def _unicode_lower(text: str | None) -> str | None:
    return None if text is None else text.lower()


def contains_any_case(column: ColumnBase, term: str) -> Expression:
    """`column` holds `term`, whatever the case of either, in any alphabet ("ŵyn" finds "Ŵyn").

    PostgreSQL's ILIKE folds every letter; SQLite's LIKE folds only ASCII ones, so there both
    sides are lowered by Python first.
    """
    if isinstance(database.obj, SqliteDatabase):
        return Function(UNICODE_LOWER, (column,)).contains(term.lower())
    return column.contains(term)


def open_database(url: str) -> SqliteDatabase | PostgresqlDatabase:
    """Connect, bind the models and bring the schema up to date."""
    db = connect(url)
    database.initialize(db)
    try:
        db.connect(reuse_if_open=True)
        if _migrations_pending(db):
            from playhouse.migrations import Runner

            Runner(db, str(MIGRATIONS_DIR), table_name=MIGRATIONS_TABLE).up()
            if isinstance(db, PostgresqlDatabase):
                # A migration that rewrites the accounts (0011 adds a stored column) or the
                # postings (0012 builds them again) leaves them with no visibility map: until a
                # vacuum, searches read each row's visibility from the table (national "Pritch"
                # 1.4 ms instead of 0.9, "ap" 21 ms instead of 8, at 500,000 users), and
                # autovacuum may be far off, or off.
                db.execute_sql("VACUUM (ANALYZE) account, account_gram")
    except Exception as error:  # the driver's own errors vary; say which database failed
        db.close()
        raise StoreProblem(
            _("Cannot open the database: {kind}: {error}").format(
                # The driver's message may run over several lines; a failure is said in one.
                kind=type(error).__name__,
                error=" ".join(str(error).split()),
            )
        ) from None
    return db


def _migrations_pending(db: SqliteDatabase | PostgresqlDatabase) -> bool:
    """Whether a migration file has not been applied yet: one small read of the history, so an
    up-to-date database opens without loading the migration runner (and through it psycopg)."""
    files = {path.stem for path in MIGRATIONS_DIR.glob("[0-9]*.py")}
    if not db.table_exists(MIGRATIONS_TABLE):
        return True
    applied = {name for (name,) in db.execute_sql(f"SELECT name FROM {MIGRATIONS_TABLE}")}
    return not files <= applied


def close_database() -> None:
    if database.obj is not None and not database.is_closed():
        database.close()


def is_busy_error(error: BaseException) -> bool:
    """A clash with another session that goes away when the transaction is tried again."""
    # Peewee re-raises the driver's error as its own, while handling (or wrapping) it.
    for cause in (error, error.__cause__, error.__context__, *error.args[:1]):
        if getattr(cause, "sqlstate", None) in _POSTGRES_RETRY_STATES:
            return True
        code = getattr(cause, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in _SQLITE_BUSY_CODES:
            return True
    return False


def truncate_wal() -> None:
    """Copy SQLite's write-ahead log into the database file and empty it, so page images that
    held a replaced value leave the WAL too (secure_delete has zeroed them in the file).

    Best effort: while other sessions read, the log is emptied at a later write instead.
    """
    if isinstance(database.obj, SqliteDatabase):
        try:
            database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception as error:
            if not is_busy_error(error):
                raise


def backup_sqlite() -> bytes:
    """A consistent image of the live SQLite database, taken with SQLite's online backup API."""
    if not isinstance(database.obj, SqliteDatabase):
        raise StoreProblem(
            _("Only a SQLite database is copied by hwb-tui; back up PostgreSQL with pg_dump.")
        )
    copy = sqlite3.connect(":memory:")
    try:
        database.connection().backup(copy)
        (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise StoreProblem(
                _("The database failed its integrity check: {verdict}").format(verdict=verdict)
            )
        return copy.serialize()
    finally:
        copy.close()


def is_postgres() -> bool:
    return isinstance(database.obj, PostgresqlDatabase)


def recreate_schema() -> None:
    """Drop every table (the append-only audit trail too) and migrate afresh: demo rebuilds only."""
    from playhouse.migrations import Runner

    db = database.obj
    with db.atomic():
        if not is_postgres():
            # Checked at commit, when every table is gone, so the drop order does not matter.
            db.execute_sql("PRAGMA defer_foreign_keys = ON")
            # A virtual table (the search index) drops its shadow tables; they cannot go first.
            virtual = db.execute_sql(
                "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'"
            )
            for (name,) in virtual.fetchall():
                db.execute_sql(f'DROP TABLE "{name}"')
            views = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'view'")
            for (name,) in views.fetchall():
                db.execute_sql(f'DROP VIEW "{name}"')
        for table in reversed(db.get_tables()):
            cascade = " CASCADE" if is_postgres() else ""
            db.execute_sql(f'DROP TABLE IF EXISTS "{table}"{cascade}')
        if is_postgres():
            for function in MIGRATION_FUNCTIONS:
                db.execute_sql(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    Runner(db, str(MIGRATIONS_DIR), table_name=MIGRATIONS_TABLE).up()
