"""Helpers for the fault and load tests: child processes that work on the same database (and
are killed at random), and the consistency every account must keep whatever happens."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

from hwb_tui.domain.model import PasswordStatus
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.models import Account

_CHILD = """\
import sys
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb

def main():
    settings = Settings.resolve(sys.argv[1], sys.argv[2])
    with Hwb.open(settings) as hwb:
        print("ready", flush=True)
{work}

if __name__ == "__main__":
    main()
"""


def child_command(settings: Settings, work: str) -> list[str]:
    """Python running `work` (statements that may use `hwb`) on the same database and key."""
    code = _CHILD.format(work=textwrap.indent(textwrap.dedent(work), " " * 8))
    return [sys.executable, "-c", code, settings.database_url, str(settings.key_file)]


def run_child(settings: Settings, work: str) -> None:
    subprocess.run(child_command(settings, work), check=True, capture_output=True, timeout=120)


def start_child(settings: Settings, work: str) -> subprocess.Popen:
    """A child doing `work`, leading its own process group (with any hashing workers it
    starts); returns once it has opened the database."""
    child = subprocess.Popen(
        child_command(settings, work),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert child.stdout.readline().strip() == "ready", child.stderr.read()
    return child


def kill_at_random(child: subprocess.Popen, rng: random.Random, longest: float) -> None:
    time.sleep(rng.uniform(0, longest))
    os.killpg(child.pid, signal.SIGKILL)  # as a dead machine would: workers and all
    child.wait(timeout=30)
    child.stdout.close()
    child.stderr.close()


def assert_database_sound(hwb: Hwb) -> None:
    """SQLite's own integrity check, and every account whole: where a copy is stored, the hash
    verifies exactly that password; an available password has its copy."""
    if hwb.settings.database_url.startswith("sqlite"):
        assert hwb.context.db.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
    sealer, hasher = hwb.context.sealer, hwb.context.hasher
    for row in Account.select():
        if row.password_status == PasswordStatus.AVAILABLE.value:
            assert row.sealed_password is not None, row.username
        if row.sealed_password is not None:
            password = sealer.open_password(row.id, bytes(row.sealed_password))
            assert hasher.verify(row.password_hash, password), row.username
