"""Without a PostgreSQL server the database tests skip, except under HWB_REQUIRE_POSTGRES=1
(as in CI), where they fail: CI must never pass by testing SQLite alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Port 9 (discard) on loopback: nothing answers PostgreSQL there.
NO_SERVER = "postgresql://postgres@127.0.0.1:9/test"
ONE_TEST = "tests/test_users.py::test_a_list_of_another_school_is_refused_to_school_staff"


def run_pytest(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", ONE_TEST],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "HWB_TEST_POSTGRES_URL": NO_SERVER, **env},
        timeout=120,
    )


@pytest.mark.parametrize(
    ("require", "code", "said"),
    [
        ("", 0, "1 passed, 1 skipped"),
        ("1", 1, "PostgreSQL is required (HWB_REQUIRE_POSTGRES=1) but not reachable"),
    ],
)
def test_a_missing_server_skips_unless_required(require, code, said):
    result = run_pytest(HWB_REQUIRE_POSTGRES=require)
    assert result.returncode == code, result.stdout[-2000:]
    assert said in result.stdout
