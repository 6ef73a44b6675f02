"""No residue: a replaced or erased sealed copy is gone from the SQLite file and its WAL, and
backups are consistent, owner-only copies of a live database."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from hwb_tui.domain.errors import InvalidInput, PermissionDenied, StoreProblem
from hwb_tui.store.models import Account, AuditRecord
from tests.population import build_population

LEARNER = "learner.s1"  # a secondary learner: may change their own password
TEACHER = "staff.s1"
ADMIN = "admin.hwb"


@pytest.fixture
def population(hwb):
    return build_population(hwb)


@pytest.fixture
def sqlite_file(settings) -> Path:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the raw-file checks are about SQLite's files")
    return Path(settings.database_url.removeprefix("sqlite:///"))


def raw_bytes(database: Path) -> bytes:
    """The database file and its write-ahead log, exactly as they lie on disk."""
    wal = database.with_name(database.name + "-wal")
    return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def secrets_of(username: str) -> list[bytes]:
    row = Account.get(Account.username == username)
    return [bytes(row.sealed_password), row.password_hash.encode()]


def test_a_reset_leaves_no_trace_of_the_old_copy_in_the_files(hwb, population, sqlite_file):
    old = secrets_of(LEARNER)
    assert all(secret in raw_bytes(sqlite_file) for secret in old)  # the scan can see them
    hwb.passwords.reset(hwb.users.actor(TEACHER), LEARNER, "Ailosod2026x")
    on_disk = raw_bytes(sqlite_file)
    for secret in old:
        assert secret not in on_disk
    assert all(secret in on_disk for secret in secrets_of(LEARNER))


def test_a_self_change_erases_the_sealed_copy_from_the_files(hwb, population, sqlite_file):
    teacher = hwb.users.actor(TEACHER)
    hwb.passwords.reset(teacher, LEARNER, "Ailosod2026x")
    old = secrets_of(LEARNER)
    hwb.passwords.change_own(hwb.users.actor(LEARNER), "FyNghyfrinair7")
    on_disk = raw_bytes(sqlite_file)
    for secret in old:
        assert secret not in on_disk
    for password in (population.password(LEARNER), "Ailosod2026x", "FyNghyfrinair7"):
        assert password.encode() not in on_disk
        assert password.encode("utf-16-le") not in on_disk


# -- backups -------------------------------------------------------------------------------------


def test_a_backup_is_a_consistent_owner_only_copy(hwb, population, sqlite_file, tmp_path):
    target = tmp_path / "backup.sqlite3"
    result = hwb.maintenance.backup(hwb.users.actor(ADMIN), target)
    assert result.path == target
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        users = copy.execute("SELECT count(*) FROM account").fetchone()[0]
    assert users == Account.select().count()
    assert AuditRecord.get(AuditRecord.action == "backup").actor == ADMIN
    assert not any(p.name.endswith(".part") for p in tmp_path.iterdir())


def test_a_backup_is_for_administrators_and_a_refusal_writes_nothing(
    hwb, population, sqlite_file, tmp_path
):
    target = tmp_path / "backup.sqlite3"
    with pytest.raises(PermissionDenied):
        hwb.maintenance.backup(hwb.users.actor("champion.s1"), target)
    with pytest.raises(InvalidInput, match="does not exist"):
        hwb.maintenance.backup(hwb.users.actor(ADMIN), tmp_path / "missing" / "b.sqlite3")
    assert not target.exists()
    assert not any(p.name.endswith(".part") for p in tmp_path.iterdir())
    assert not AuditRecord.select().where(AuditRecord.action == "backup").exists()


def test_postgresql_is_backed_up_with_pg_dump(hwb, population, settings, tmp_path):
    if settings.database_url.startswith("sqlite"):
        pytest.skip("about PostgreSQL")
    with pytest.raises(StoreProblem, match="pg_dump"):
        hwb.maintenance.backup(hwb.users.actor(ADMIN), tmp_path / "b.sqlite3")
    assert not (tmp_path / "b.sqlite3").exists()
