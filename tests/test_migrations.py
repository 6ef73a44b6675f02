"""Schema changes go through numbered migrations: an old database upgrades and keeps its data."""

from __future__ import annotations

import logging

import pytest
from peewee import PostgresqlDatabase
from playhouse.migrations import Runner

from hwb_tui.store import db as store_db
from hwb_tui.store.models import Account, AuditRecord, School, Setting

FIRST = "0001_initial"
SCHEMA_CHANGES = ("CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE")


def runner(db) -> Runner:
    return Runner(db, str(store_db.MIGRATIONS_DIR))


def insert(db, table: str, **values) -> None:
    """Raw SQL: today's models may have columns the first migration did not create."""
    placeholders = ", ".join([db.param] * len(values))
    db.execute_sql(
        f"INSERT INTO {table} ({', '.join(values)}) VALUES ({placeholders})",
        tuple(values.values()),
    )


@pytest.fixture
def database_at_first_migration(database_url):
    """A database as the first release made it, holding a school, an account and a record."""
    db = store_db.connect(database_url)
    store_db.database.initialize(db)
    db.connect()
    assert runner(db).up(target=FIRST) == [FIRST]
    with db.atomic():
        insert(db, "school", code="6614001", name="Ysgol Uwchradd Bryn Ŵyn", phase="secondary")
        insert(
            db,
            "account",
            username="sobriain",
            forename="Siôn",
            surname="Ó Briain",
            kind="learner",
            school_id=1,
            is_digital_champion=False,
            created_at="2025-09-01 08:00:00",
            password_status="unavailable",
        )
        insert(
            db,
            "audit_record",
            at="2025-09-01 08:00:00",
            action="create-demo",
            origin="terminal:/dev/pts/0",
            detail="1 users",
        )
    db.close()
    return database_url


def test_a_database_at_the_first_migration_upgrades_without_losing_data(
    database_at_first_migration,
):
    db = store_db.open_database(database_at_first_migration)
    try:
        pending = [m.name for m in runner(db).status() if not m.applied]
        assert pending == []
        school = School.get(School.code == "6614001")
        assert school.name == "Ysgol Uwchradd Bryn Ŵyn"
        learner = Account.get(Account.username == "sobriain")
        assert (learner.forename, learner.surname, learner.school_id) == (
            "Siôn",
            "Ó Briain",
            school.id,
        )
        assert learner.password_status == "unavailable"
        assert [r.action for r in AuditRecord.select()] == ["create-demo"]
        # The upgraded tables take new rows through today's models.
        Setting.create(key="probe", value=b"1")
        Account.create(
            username="newcomer",
            forename="Llŷr",
            surname="Huws",
            kind="staff",
            school=school.id,
            password_status="unavailable",
        )
        assert Account.select().count() == 2
        if isinstance(db, PostgresqlDatabase):
            # Vacuumed after the upgrade: 0011 rewrote the accounts, leaving no visibility map.
            visible = db.execute_sql(
                "SELECT relallvisible FROM pg_class WHERE relname = 'account'"
            ).fetchone()
            assert visible == (1,)
    finally:
        store_db.close_database()


def test_opening_an_up_to_date_database_changes_nothing(database_url, caplog):
    store_db.open_database(database_url)
    applied = {m.name: m.applied for m in runner(store_db.database.obj).status()}
    store_db.close_database()
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        db = store_db.open_database(database_url)
    try:
        statements = [record.msg[0] for record in caplog.records if isinstance(record.msg, tuple)]
        assert statements  # the history was read
        changes = [s for s in statements if s.lstrip("('\"").upper().startswith(SCHEMA_CHANGES)]
        assert changes == []
        assert {m.name: m.applied for m in runner(db).status()} == applied
        assert all(applied.values())
    finally:
        store_db.close_database()


def test_every_migration_is_numbered_and_has_up():
    files = sorted(store_db.MIGRATIONS_DIR.glob("[0-9]*.py"))
    assert files[0].name == f"{FIRST}.py"
    numbers = [int(path.name[:4]) for path in files]
    assert len(numbers) == len(set(numbers)), "two migrations share a number"
    for path in files:
        assert "def up(migrator, db)" in path.read_text(encoding="utf-8"), path.name
