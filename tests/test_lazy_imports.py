"""argon2, the cipher and the PDF library load only when first needed, not at start-up; psycopg
only for a PostgreSQL database.

Each case runs in a fresh interpreter (this one has imported them all already): the app starts
as a forced-command session, shows its first screen, and reports what it imported.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.models import Account

HEAVY = ("argon2", "cryptography", "fpdf", "psycopg")

PROGRAM = """
import asyncio, sys
from pathlib import Path
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.ui.app import HwbApp

async def start(url, key_file, view):
    with Hwb.open(Settings.resolve(url, Path(key_file))) as hwb:
        actor = hwb.passwords.start_forced_session("teacher.demo")
        async with HwbApp(hwb, actor=actor, view=view).run_test(size=(120, 40)) as pilot:
            await pilot.pause()
    print(" ".join(name for name in {heavy!r} if name in sys.modules))

asyncio.run(start(*sys.argv[1:]))
"""


def loaded_at_start(url: str, key_file: Path, view: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM.format(heavy=HEAVY), url, str(key_file), view],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(done.stdout.split())


@pytest.fixture
def sqlite_demo(sqlite_url: str, tmp_path: Path) -> tuple[str, Path]:
    from hwb_tui.services.config import Settings

    settings = Settings.resolve(sqlite_url, tmp_path / "hwb.key")
    with Hwb.open(settings) as hwb:
        hwb.demo.build()
        # The learners list reveals the highlighted row's password; with no stored copies
        # there is nothing to open, so the cipher is not needed.
        Account.update(password_status=str(PasswordStatus.UNAVAILABLE), sealed_password=None).where(
            Account.kind == str(Kind.LEARNER)
        ).execute()
    return sqlite_url, settings.key_file


@pytest.mark.parametrize("view", ["learners", "profile"])
def test_heavy_libraries_wait_until_needed(sqlite_demo: tuple[str, Path], view: str) -> None:
    url, key_file = sqlite_demo
    assert loaded_at_start(url, key_file, view) == set()
