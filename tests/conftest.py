"""Shared fixtures: real SQLite files in tmp_path and a real PostgreSQL database per test."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Cheap argon2 for speed; tests of the real parameters build their own hasher.
os.environ.setdefault("HWB_ARGON2_TIME_COST", "1")
os.environ.setdefault("HWB_ARGON2_MEMORY_COST", "8")
os.environ.setdefault("HWB_ARGON2_PARALLELISM", "1")

from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb

# No time limit per generated example: how long one takes says nothing of its correctness, and
# on a slow or busy machine Hypothesis's 200 ms default failed a long generated name (CI, this
# repository, 2026-11-28).
hypothesis_settings.register_profile("hwb", deadline=None)
hypothesis_settings.load_profile("hwb")

POSTGRES_URL = os.environ.get("HWB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_admin():
    import psycopg

    return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    try:
        _postgres_admin().close()
    except Exception as error:
        if os.environ.get("HWB_REQUIRE_POSTGRES") == "1":
            pytest.fail(
                f"PostgreSQL is required (HWB_REQUIRE_POSTGRES=1) but not reachable: {error}"
            )
        return False
    return True


@pytest.fixture
def postgres_url(postgres_available: bool) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if not postgres_available:
        pytest.skip(f"no PostgreSQL at {POSTGRES_URL} (set HWB_TEST_POSTGRES_URL)")
    name = f"hwb_test_{secrets.token_hex(6)}"
    with _postgres_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with _postgres_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hwb.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings.resolve(database_url, tmp_path / "hwb.key", env=os.environ)


@pytest.fixture
def hwb(settings: Settings) -> Iterator[Hwb]:
    with Hwb.open(settings) as services:
        yield services


@pytest.fixture
def demo(hwb: Hwb) -> Hwb:
    """Services over a freshly built demo database."""
    hwb.demo.build()
    return hwb


@pytest.fixture
def sqlite_demo(sqlite_url: str, tmp_path: Path) -> Iterator[Hwb]:
    """The demo on SQLite alone, for tests about files rather than the database."""
    settings = Settings.resolve(sqlite_url, tmp_path / "hwb.key", env=os.environ)
    with Hwb.open(settings) as hwb:
        hwb.demo.build()
        yield hwb


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for files a test writes."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder
