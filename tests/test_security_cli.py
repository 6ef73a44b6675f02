"""The security sub-commands as the forced command runs them: rotate-key, backup, unlock."""

from __future__ import annotations

import dataclasses
import os
import stat

import pytest

from hwb_tui.cli import main
from hwb_tui.services.config import SecurityParams
from hwb_tui.services.crypto import read_key_file
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.models import SignInThrottle
from tests.population import build_population


@pytest.fixture
def population(hwb):
    return build_population(hwb)


def cli(settings, *args: str) -> int:
    return main(["--db", settings.database_url, "--key-file", str(settings.key_file), *args])


def test_rotate_key_by_an_administrator(hwb, settings, population, capsys):
    old_key = read_key_file(settings.key_file)
    assert cli(settings, "rotate-key", "--as", "admin.hwb") == 0
    out = capsys.readouterr().out
    assert f"Re-sealed {len(population.people)} stored passwords" in out
    assert ".retired-" in out
    assert read_key_file(settings.key_file) != old_key


def test_rotate_key_refused_to_anyone_else_changes_nothing(hwb, settings, population, capsys):
    old_key = read_key_file(settings.key_file)
    assert cli(settings, "rotate-key", "--as", "champion.s1") == 3
    assert capsys.readouterr().err.startswith("hwb-tui: ")
    assert read_key_file(settings.key_file) == old_key
    assert cli(settings, "rotate-key") == 2  # no acting user


def test_backup_writes_an_owner_only_copy(hwb, settings, population, tmp_path, capsys):
    if not settings.database_url.startswith("sqlite"):
        assert cli(settings, "backup", str(tmp_path / "b.db"), "--as", "admin.hwb") == 1
        assert "pg_dump" in capsys.readouterr().err
        return
    target = tmp_path / "b.db"
    assert cli(settings, "backup", str(target), "--as", "admin.hwb") == 0
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert "Back up the key file separately" in capsys.readouterr().out
    assert cli(settings, "backup", str(tmp_path / "no" / "b.db"), "--as", "admin.hwb") == 5


def test_unlock_by_the_schools_champion(hwb, settings, population, capsys):
    context = hwb.context
    context.settings = dataclasses.replace(
        settings, security=SecurityParams(first_delay_seconds=0, max_failures=1)
    )
    with pytest.raises(Exception, match="incorrect"):
        Hwb(context).passwords.sign_in("learner.s1", "Anghywir999")
    assert cli(settings, "unlock", "learner.s1", "--as", "staff.s1") == 3
    assert SignInThrottle.select().count() == 1
    assert cli(settings, "unlock", "learner.s1", "--as", "champion.s1") == 0
    assert "(1 lock or wait lifted)" in capsys.readouterr().out
    assert SignInThrottle.select().count() == 0
    assert cli(settings, "unlock", "nobody.here", "--as", "champion.s1") == 4
