"""How the database is opened: SQLite's settings, its write lock, and foreign keys on both."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from peewee import IntegrityError

from hwb_tui.store.db import BUSY_TIMEOUT_SECONDS
from hwb_tui.store.models import School
from tests.population import build_population


def pragma(hwb, name: str):
    return hwb.context.db.execute_sql(f"PRAGMA {name}").fetchone()[0]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_is_opened_with_wal_foreign_keys_a_busy_timeout_and_secure_delete(hwb):
    assert pragma(hwb, "journal_mode") == "wal"
    assert pragma(hwb, "foreign_keys") == 1
    assert pragma(hwb, "busy_timeout") == BUSY_TIMEOUT_SECONDS * 1000
    assert pragma(hwb, "secure_delete") == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_sqlite_transaction_takes_the_write_lock_when_it_begins(hwb, settings):
    """IMMEDIATE: a read-then-write cannot fail half-way because another session wrote first."""
    other = sqlite3.connect(
        Path(settings.database_url.removeprefix("sqlite:///")), timeout=0, isolation_level=None
    )
    try:
        with hwb.context.db.atomic():
            School.select().count()  # only a read so far
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the transaction ended
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_school_with_accounts_cannot_be_deleted(hwb):
    population = build_population(hwb)
    with pytest.raises(IntegrityError), hwb.context.db.atomic():
        School.delete().where(School.id == population.school_ids["s1"]).execute()
    assert School.select().count() == len(population.school_ids)
