"""Opening the database: SQLite (the embedded default) or PostgreSQL, from a Peewee URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse import db_url

from hwb_tui.domain.errors import StoreProblem

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


def is_sqlite_url(url: str) -> bool:
    return urlparse(url).scheme.startswith("sqlite")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def connect(url: str) -> SqliteDatabase | PostgresqlDatabase:
    """A Peewee database for the URL, not yet bound to the models."""
    scheme = urlparse(url).scheme
    if scheme in ("sqlite", ""):
        path = db_url.parse(url)["database"] if scheme else url
        if path == ":memory:":
            raise StoreProblem("An in-memory database cannot be shared; give a file path.")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # IMMEDIATE: a write transaction takes the lock at BEGIN, so a read-then-write never
        # fails half-way with "database is locked" when several sessions share the file.
        return SqliteDatabase(
            path,
            pragmas=SQLITE_PRAGMAS,
            timeout=BUSY_TIMEOUT_SECONDS,
            lock_type="IMMEDIATE",
        )
    if scheme in ("postgres", "postgresql"):
        params = db_url.parse(url)
        return PostgresqlDatabase(**params)
    raise StoreProblem(
        f"Unsupported database URL scheme {scheme!r}: use sqlite:/// or postgresql://"
    )


def open_database(url: str) -> SqliteDatabase | PostgresqlDatabase:
    """Connect, bind the models and bring the schema up to date."""
    from playhouse.migrations import Runner

    db = connect(url)
    database.initialize(db)
    try:
        db.connect(reuse_if_open=True)
        Runner(db, str(MIGRATIONS_DIR)).up()
    except Exception as error:  # the driver's own errors vary; say which database failed
        db.close()
        raise StoreProblem(f"Cannot open the database: {type(error).__name__}: {error}") from None
    return db


def close_database() -> None:
    if database.obj is not None and not database.is_closed():
        database.close()


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
        for table in reversed(db.get_tables()):
            cascade = " CASCADE" if is_postgres() else ""
            db.execute_sql(f'DROP TABLE IF EXISTS "{table}"{cascade}')
        if is_postgres():
            db.execute_sql("DROP FUNCTION IF EXISTS audit_record_is_append_only() CASCADE")
    Runner(db, str(MIGRATIONS_DIR)).up()
