"""Where the database and key live, how hard passwords are hashed, and where the user sits."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwb_tui.domain.errors import InvalidInput
from hwb_tui.services.config import Argon2Params, Settings, data_dir


def test_defaults_are_a_sqlite_file_and_its_key_in_the_user_data_directory():
    settings = Settings.resolve(env={})
    assert settings.database_url == f"sqlite:///{data_dir() / 'hwb.sqlite3'}"
    assert settings.key_file == data_dir() / "hwb.sqlite3.key"
    assert settings.argon2 == Argon2Params(time_cost=3, memory_cost=65536, parallelism=4)


def test_the_command_line_wins_over_the_environment(tmp_path):
    env = {"HWB_DATABASE_URL": "sqlite:////env/hwb.db", "HWB_KEY_FILE": "/env/hwb.key"}
    assert Settings.resolve(env=env).database_url == "sqlite:////env/hwb.db"
    assert Settings.resolve(env=env).key_file == Path("/env/hwb.key")
    given = Settings.resolve(f"sqlite:///{tmp_path}/cli.db", tmp_path / "cli.key", env=env)
    assert given.database_url == f"sqlite:///{tmp_path}/cli.db"
    assert given.key_file == tmp_path / "cli.key"


def test_the_key_sits_beside_a_sqlite_file_or_in_the_data_directory_for_a_server():
    assert Settings.resolve("sqlite:////srv/hwb/school.db", env={}).key_file == Path(
        "/srv/hwb/school.db.key"
    )
    server = Settings.resolve("postgresql://hwb@db.example/hwb", env={})
    assert server.key_file == data_dir() / "hwb.key"


@pytest.mark.parametrize(
    ("env", "origin"),
    [
        ({"SSH_CONNECTION": "198.51.100.4 50022 192.0.2.1 22"}, "ssh:198.51.100.4"),
        ({"SSH_CLIENT": "2001:db8::7 50022 22"}, "ssh:2001:db8::7"),
    ],
)
def test_the_origin_is_the_ssh_clients_address(env, origin):
    assert Settings.resolve(env=env).origin == origin


def test_without_ssh_the_origin_is_this_terminal_or_process():
    assert Settings.resolve(env={}).origin.startswith(("terminal:", "local:"))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HWB_ARGON2_TIME_COST": "three"}, "whole numbers"),
        ({"HWB_ARGON2_TIME_COST": "0"}, "too small"),
        ({"HWB_ARGON2_PARALLELISM": "0"}, "too small"),
        ({"HWB_ARGON2_MEMORY_COST": "7", "HWB_ARGON2_PARALLELISM": "1"}, "too small"),
        ({"HWB_CLIPBOARD_CLEAR_SECONDS": "soon"}, "whole number"),
    ],
)
def test_bad_settings_are_refused_clearly(env, message):
    with pytest.raises(InvalidInput, match=message):
        Settings.resolve(env=env)
