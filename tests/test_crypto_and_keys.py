"""Sealed copies fail closed, the key stays outside the database, and no password lies in clear."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from hwb_tui.domain.errors import KeyProblem
from hwb_tui.domain.model import PasswordStatus
from hwb_tui.domain.rights import Download
from hwb_tui.services.config import Settings
from hwb_tui.services.crypto import Hasher, Sealer, read_key_file, write_new_key_file
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.models import Account
from tests.population import build_population
from tests.stored import password_is

TEACHER = "staff.s1"
LEARNER = "learner.s1"
OTHER_LEARNER = "learner.s2"


@pytest.fixture
def population(hwb):
    return build_population(hwb)


def sealed_copy(username: str) -> bytes:
    return bytes(Account.get(Account.username == username).sealed_password)


def store_copy(username: str, sealed: bytes) -> None:
    Account.update(sealed_password=sealed).where(Account.username == username).execute()


def reopen(settings: Settings, key_file: Path) -> Hwb:
    return Hwb.open(Settings(settings.database_url, key_file, settings.argon2, settings.origin))


def test_the_key_file_is_created_owner_only_on_first_use(hwb, settings):
    assert not settings.key_file.exists()
    hwb.context.sealer  # noqa: B018 - loading the sealer is what creates the key
    mode = stat.S_IMODE(os.stat(settings.key_file).st_mode)
    assert mode == 0o600
    assert len(read_key_file(settings.key_file)) == 32


def test_a_new_key_never_replaces_an_existing_file(tmp_path):
    path = tmp_path / "hwb.key"
    path.write_text("precious")
    with pytest.raises(KeyProblem, match="already exists"):
        write_new_key_file(path)
    assert path.read_text() == "precious"


def test_a_tampered_copy_fails_closed(hwb, population):
    sealed = bytearray(sealed_copy(LEARNER))
    sealed[-1] ^= 0x01
    store_copy(LEARNER, bytes(sealed))
    teacher = hwb.users.actor(TEACHER)
    with pytest.raises(KeyProblem, match="altered or moved"):
        hwb.passwords.reveal(teacher, LEARNER)


def test_a_truncated_copy_fails_closed(hwb, population):
    store_copy(LEARNER, sealed_copy(LEARNER)[:10])
    with pytest.raises(KeyProblem, match="damaged"):
        hwb.passwords.reveal(hwb.users.actor(TEACHER), LEARNER)


def test_a_copy_moved_to_another_account_does_not_open(hwb, population):
    store_copy(OTHER_LEARNER, sealed_copy(LEARNER))
    admin = hwb.users.actor("admin.hwb")
    with pytest.raises(KeyProblem, match="moved from another account"):
        hwb.passwords.reveal(admin, OTHER_LEARNER)
    assert hwb.passwords.reveal(admin, LEARNER) == population.password(LEARNER)


def test_a_tampered_copy_is_never_shown_as_a_silent_hyphen_in_a_download(hwb, population, tmp_path):
    sealed = bytearray(sealed_copy(LEARNER))
    sealed[-1] ^= 0x01
    store_copy(LEARNER, bytes(sealed))
    path = tmp_path / "pupils.csv"
    with pytest.raises(KeyProblem, match=LEARNER):
        hwb.exports.download(hwb.users.actor(TEACHER), Download.ALL_PUPILS, path)
    assert not path.exists()
    assert list(tmp_path.glob("*.csv*")) == []


def test_a_wrong_key_file_is_a_clear_error_and_changes_nothing(hwb, settings, population, tmp_path):
    hwb.close()
    wrong = tmp_path / "wrong.key"
    write_new_key_file(wrong)
    with reopen(settings, wrong) as other:
        teacher = other.users.actor(TEACHER)
        with pytest.raises(KeyProblem, match="does not belong to this database"):
            other.passwords.reveal(teacher, LEARNER)
        with pytest.raises(KeyProblem, match="does not belong to this database"):
            other.passwords.reset(teacher, LEARNER, "NewPassword1")
        assert password_is(other, LEARNER, population.password(LEARNER))
        assert sealed_copy(LEARNER)  # the old copy is untouched


def test_a_missing_key_file_is_a_clear_error_and_changes_nothing(hwb, settings, population):
    hwb.close()
    settings.key_file.unlink()
    with reopen(settings, settings.key_file) as other:
        teacher = other.users.actor(TEACHER)
        with pytest.raises(KeyProblem, match="missing"):
            other.passwords.reveal(teacher, LEARNER)
        with pytest.raises(KeyProblem, match="missing"):
            other.passwords.reset(teacher, LEARNER, None)
        assert password_is(other, LEARNER, population.password(LEARNER))
    assert not settings.key_file.exists()  # never silently replaced by a new key


@pytest.mark.parametrize(
    "content", ["", "not a key\n", "hwb-tui key v1\nshort==\n", "hwb-tui key v1\n%%%\n"]
)
def test_a_malformed_key_file_is_a_clear_error(hwb, settings, population, content):
    hwb.close()
    settings.key_file.write_text(content)
    with (
        reopen(settings, settings.key_file) as other,
        pytest.raises(KeyProblem, match="not a hwb-tui key file"),
    ):
        other.passwords.reveal(other.users.actor(TEACHER), LEARNER)


def test_a_copy_sealed_with_another_key_says_so(tmp_path):
    first, second = Sealer(b"\x01" * 32), Sealer(b"\x02" * 32)
    with pytest.raises(KeyProblem, match="another key"):
        second.open_password(7, first.seal_password(7, "Password1"))
    assert first.open_password(7, first.seal_password(7, "Ŵŷ pass 1")) == "Ŵŷ pass 1"


def read_raw(database: Path) -> bytes:
    return b"".join(
        path.read_bytes()
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-journal"))
        if path.exists()
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_database_file_never_holds_a_password_in_clear(hwb, settings, population):
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    admin = hwb.users.actor("admin.hwb")
    secrets_used = [p.password for p in population.people.values()]
    for typed in ("Cyfrinair Ŵŷ 2026", "  Spaced Out 42  ", "Gwenllïan-O'Connor-7"):
        hwb.passwords.reset(admin, LEARNER, typed)
        secrets_used.append(typed)
    for username in ("learner.p1", "staff.p2", "champion.s2"):
        secrets_used.append(hwb.passwords.reset(admin, username).password)
    hwb.passwords.change_own(hwb.users.actor("governor.s1"), "Llywodraethwr99")
    secrets_used.append("Llywodraethwr99")
    hwb.passwords.reveal(admin, LEARNER)

    def assert_no_secret_in_clear(stage: str) -> None:
        raw = read_raw(database)
        assert len(raw) > 10_000
        found = [s for s in secrets_used if s.encode("utf-8") in raw]
        assert found == [], f"{stage}: {len(found)} passwords in clear"

    assert_no_secret_in_clear("before a checkpoint (in the WAL)")
    hwb.context.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert_no_secret_in_clear("after a checkpoint")
    hwb.close()
    assert_no_secret_in_clear("after closing")


def test_self_change_erases_the_sealed_copy(hwb, population):
    hwb.passwords.change_own(hwb.users.actor(LEARNER), "Fy nghyfrinair 1")
    row = Account.get(Account.username == LEARNER)
    assert row.sealed_password is None
    assert row.password_status == PasswordStatus.USER_CHANGED


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_real_argon2_defaults_are_used_without_an_override(database_url, tmp_path):
    settings = Settings.resolve(database_url, tmp_path / "hwb.key", env={})
    defaults = PasswordHasher()
    prefix = (
        f"$argon2id$v=19$m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}$"
    )
    assert prefix == "$argon2id$v=19$m=65536,t=3,p=4$"
    assert Hasher(settings.argon2).hash("Croeso2026").startswith(prefix)


def test_the_test_suite_hashes_cheaply(hwb, population):
    encoded = Account.get(Account.username == LEARNER).password_hash
    assert encoded.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert password_is(hwb, LEARNER, population.password(LEARNER))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda sealed: sealed[:-1] + bytes([sealed[-1] ^ 1]), "altered or moved"),
        (lambda sealed: sealed[:10], "damaged"),
        (lambda sealed: sealed[:36], "damaged"),  # one byte short of the tag
        (lambda sealed: b"\x02" + sealed[1:], "damaged"),  # the version byte is not sealed
        (lambda sealed: sealed[:1] + b"\x00" * 8 + sealed[9:], "another key"),
    ],
)
def test_the_download_opener_refuses_what_open_password_refuses(damage, message):
    """The opener a download uses row by row takes its short cut only for a sound copy."""
    sealer = Sealer(b"\x01" * 32)
    opener = sealer.password_opener()
    sealed = sealer.seal_password(7, "Ŵŷ pass 1")
    assert opener(7, sealed) == opener(7, memoryview(sealed)) == "Ŵŷ pass 1"
    with pytest.raises(KeyProblem, match="moved from another account"):
        opener(8, sealed)
    with pytest.raises(KeyProblem, match=message):
        sealer.open_password(7, damage(sealed))
    with pytest.raises(KeyProblem, match=message):
        opener(7, damage(sealed))
