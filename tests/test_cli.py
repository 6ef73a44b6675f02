"""The `hwb-tui` command, run as a real process: every core sub-command and exit code.

The database is a SQLite file in tmp_path built with the test population; the cheap argon2
settings of conftest reach the child through the environment.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hwb_tui.domain.model import PasswordStatus
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.models import Account, AuditRecord
from tests import guide
from tests.population import Population, build_population

HWB_TUI = Path(sys.executable).with_name("hwb-tui")
DONE, WRONG_PASSWORD, USAGE, NOT_ALLOWED, NOT_FOUND, BAD_INPUT = 0, 1, 2, 3, 4, 5
TEACHER, LEARNER, CHAMPION, ADMIN = "staff.s1", "learner.s1", "champion.s1", "admin.hwb"
JSON_FIELDS = {"username", "forename", "surname", "kind", "school", "year", "reg_group", "status"}


class Cli:
    """Runs hwb-tui against one database and key file, as a script would."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.database = tmp_path / "hwb.sqlite3"
        self.url = f"sqlite:///{self.database}"
        self.key_file = tmp_path / "hwb.key"
        self.env = {
            name: value
            for name, value in os.environ.items()
            if name not in ("HWB_DATABASE_URL", "HWB_KEY_FILE", "SSH_CONNECTION", "SSH_CLIENT")
        }
        self.env["HWB_LANG"] = "en"

    def __call__(
        self, *args: str, stdin: str = "", env: dict[str, str] | None = None, locate: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args, locate=locate),
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**self.env, **(env or {})},
            timeout=60,
        )

    def argv(self, *args: str, locate: bool = True) -> list[str]:
        where = ["--db", self.url, "--key-file", str(self.key_file)] if locate else []
        return [str(HWB_TUI), *where, *args]

    def services(self) -> Hwb:
        return Hwb.open(Settings.resolve(self.url, self.key_file))

    def state(self) -> list[tuple]:
        """Every account's password columns and the number of audit records."""
        with self.services():
            accounts = [
                (r.username, r.password_hash, bytes(r.sealed_password or b""), r.password_status)
                for r in Account.select().order_by(Account.id)
            ]
            return [*accounts, ("audit records", AuditRecord.select().count())]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture
def population(cli: Cli) -> Population:
    with cli.services() as hwb:
        return build_population(hwb)


def fails_cleanly(result: subprocess.CompletedProcess[str], code: int, message: str) -> None:
    """A failure: the exit code, one line on stderr that says why, no traceback, no stdout."""
    assert result.returncode == code, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hwb-tui: ")
    assert message.lower() in lines[0].lower(), lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


# -- users ----------------------------------------------------------------------------------------


def test_users_json_has_the_documented_fields_and_values(cli, population):
    with cli.services():
        for username, year, status in (
            ("learner.p1", "N", PasswordStatus.AVAILABLE),
            ("learner.p2", "R", PasswordStatus.UNAVAILABLE),
            ("learner.s1", "9", PasswordStatus.USER_CHANGED),
            ("learner.s2", "13", PasswordStatus.AVAILABLE),
        ):
            Account.update(year=year, password_status=str(status)).where(
                Account.username == username
            ).execute()
    result = cli("users", "--as", ADMIN, "--json")
    assert result.returncode == DONE, result.stderr
    rows = {row["username"]: row for row in json.loads(result.stdout)}
    assert set(rows) == {"learner.p1", "learner.p2", "learner.s1", "learner.s2"}
    assert all(set(row) >= JSON_FIELDS for row in rows.values())
    assert rows["learner.s1"] == {
        **rows["learner.s1"],
        "username": "learner.s1",
        "forename": "Siôn",
        "surname": "Ó Briain",
        "kind": "learner",
        "school": "Ysgol Uwchradd Bryn Ŵyn",
        "year": "9",
        "reg_group": "9A",
        "status": "user_changed",
    }
    assert [rows[u]["year"] for u in ("learner.p1", "learner.p2", "learner.s2")] == [
        "N",
        "R",
        "13",
    ]
    assert {row["status"] for row in rows.values()} == {"available", "unavailable", "user_changed"}
    assert "Ó Briain" in result.stdout  # raw UTF-8, not \u escapes


def test_users_as_text_and_by_kind_and_search(cli, population):
    result = cli("users", "--as", CHAMPION, "--kind", "staff")
    assert result.returncode == DONE
    lines = result.stdout.splitlines()
    assert sorted(line.split("\t")[2] for line in lines) == ["champion.s1", "staff.s1"]
    found = cli("users", "--as", ADMIN, "--search", "Briain", "--json")
    assert [row["username"] for row in json.loads(found.stdout)] == ["learner.s1"]
    by_school = cli("users", "--as", ADMIN, "--school", "6610002", "--kind", "governors", "--json")
    assert [row["username"] for row in json.loads(by_school.stdout)] == ["governor.p2"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("users", "--as", TEACHER, "--kind", "staff"), NOT_ALLOWED, "may not view"),
        (("users", "--as", "learner.s1"), NOT_ALLOWED, "may not view"),
        (("users", "--as", TEACHER, "--school", "6614002"), NOT_ALLOWED, "another school"),
        (("users", "--as", "nobody.here"), NOT_FOUND, "no user"),
        (("users", "--as", ADMIN, "--school", "0000000"), NOT_FOUND, "no school"),
        (("users", "--as", TEACHER, "--search", "a\x1bb"), BAD_INPUT, "control"),
        (("users",), USAGE, "--as"),
        (("users", "--as", TEACHER, "--kind", "pupils"), USAGE, "invalid choice"),
        (("frobnicate",), USAGE, "invalid choice"),
    ],
)
def test_users_failures(cli, population, args, code, message):
    fails_cleanly(cli(*args), code, message)


# -- show, reset, passwd, check-password ----------------------------------------------------------


def test_show_prints_the_password_and_records_it(cli, population):
    result = cli("show", LEARNER, "--as", TEACHER)
    assert (result.returncode, result.stdout) == (DONE, population.password(LEARNER) + "\n")
    assert result.stderr == ""
    with cli.services():
        record = AuditRecord.select().order_by(AuditRecord.id.desc()).first()
        assert (record.actor, record.action, record.target) == (TEACHER, "reveal", LEARNER)
        assert record.origin.startswith(("terminal:", "local:"))


def test_as_may_come_before_the_sub_command(cli, population):
    result = cli("--as", TEACHER, "show", LEARNER)
    assert result.stdout == population.password(LEARNER) + "\n"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (PasswordStatus.UNAVAILABLE, "no password to show: - (it must be reset)"),
        (PasswordStatus.USER_CHANGED, "no password to show: user changed password"),
    ],
)
def test_show_without_a_stored_password_says_the_status(cli, population, status, message):
    with cli.services():
        Account.update(password_status=str(status), sealed_password=None).where(
            Account.username == LEARNER
        ).execute()
    fails_cleanly(cli("show", LEARNER, "--as", TEACHER), NOT_FOUND, message)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("show", "learner.s2", "--as", TEACHER), NOT_ALLOWED, "may not"),
        (("show", CHAMPION, "--as", TEACHER), NOT_ALLOWED, "may not"),
        (("show", "nobody.here", "--as", TEACHER), NOT_FOUND, "no user"),
        (("show", LEARNER), USAGE, "--as"),
        (("reset", LEARNER, "--as", TEACHER), USAGE, "--generate"),
        (
            ("reset", LEARNER, "--as", TEACHER, "--generate", "--password-stdin"),
            USAGE,
            "not allowed",
        ),
        (("reset", "governor.s1", "--as", ADMIN, "--generate"), NOT_ALLOWED, "may not"),
        (("reset", "learner.s2", "--as", TEACHER, "--generate"), NOT_ALLOWED, "may not"),
        (("reset", "nobody.here", "--as", ADMIN, "--generate"), NOT_FOUND, "no user"),
        (("passwd", "--as", "learner.p1", "--password-stdin"), NOT_ALLOWED, "primary"),
        (("passwd", "--as", TEACHER), USAGE, "--password-stdin"),
        (("audit", "--as", ADMIN, "--limit", "-1"), BAD_INPUT, "at least 1"),
        (("audit", "--as", ADMIN, "--limit", "many"), USAGE, "invalid int value"),
    ],
)
def test_refusals_change_nothing(cli, population, args, code, message):
    before = cli.state()
    fails_cleanly(cli(*args, stdin="Valid Password 1\n"), code, message)
    assert cli.state() == before


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("reset", LEARNER, "--as", TEACHER, "--password-stdin"), "short\n", "at least 8"),
        (("reset", LEARNER, "--as", TEACHER, "--password-stdin"), "alllowercase1\n", "upper-case"),
        (("reset", LEARNER, "--as", TEACHER, "--password-stdin"), "Bad\x1bPassword1\n", "control"),
        (("reset", LEARNER, "--as", TEACHER, "--password-stdin"), "", "no password"),
        (("passwd", "--as", TEACHER, "--password-stdin"), "NoDigitsHere\n", "a number"),
        (("passwd", "--as", TEACHER, "--password-stdin"), "\n", "no password"),
    ],
)
def test_bad_passwords_are_refused_by_the_policy_and_change_nothing(
    cli, population, args, stdin, message
):
    before = cli.state()
    fails_cleanly(cli(*args, stdin=stdin), BAD_INPUT, message)
    assert cli.state() == before


def test_reset_generate_prints_a_password_that_then_works(cli, population):
    result = cli("reset", LEARNER, "--as", TEACHER, "--generate")
    assert result.returncode == DONE
    password = result.stdout.rstrip("\n")
    assert "\n" not in password and len(password) >= 8
    assert cli("check-password", LEARNER, "--password-stdin", stdin=password + "\n").returncode == 0
    assert cli("show", LEARNER, "--as", TEACHER).stdout == password + "\n"
    old = population.password(LEARNER)
    assert cli("check-password", LEARNER, "--password-stdin", stdin=old + "\n").returncode == 1


def test_reset_from_stdin_keeps_the_password_exactly(cli, population):
    typed = "  Cyfrinair Ŵŷ 7  "
    result = cli("reset", LEARNER, "--as", TEACHER, "--password-stdin", stdin=typed + "\r\n")
    assert (result.returncode, result.stdout) == (DONE, "")
    assert LEARNER in result.stderr
    assert cli("show", LEARNER, "--as", ADMIN).stdout == typed + "\n"
    trimmed = cli("check-password", LEARNER, "--password-stdin", stdin=typed.strip() + "\n")
    assert trimmed.returncode == WRONG_PASSWORD


def test_passwd_changes_ones_own_password_and_hides_it(cli, population):
    result = cli("passwd", "--as", LEARNER, "--password-stdin", stdin="Fy Nghyfrinair 9\n")
    assert result.returncode == DONE, result.stderr
    checked = cli("check-password", LEARNER, "--password-stdin", stdin="Fy Nghyfrinair 9\n")
    assert checked.returncode == DONE
    fails_cleanly(cli("show", LEARNER, "--as", TEACHER), NOT_FOUND, "user changed password")


def test_check_password(cli, population):
    password = population.password(LEARNER)
    assert cli("check-password", LEARNER, "--password-stdin", stdin=password + "\n").returncode == 0
    wrong = cli("check-password", LEARNER, "--password-stdin", stdin="Wrong Password 1\n")
    unknown = cli("check-password", "nobody.here", "--password-stdin", stdin=password + "\n")
    for result in (wrong, unknown):
        assert (result.returncode, result.stdout, result.stderr) == (WRONG_PASSWORD, "", "")


# -- export ---------------------------------------------------------------------------------------


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes()[3:].decode("utf-8"), newline="")))


def test_export_pupils_writes_the_guides_columns_after_the_warning(cli, population):
    out = cli.tmp_path / "pupils.csv"
    result = cli("export", "pupils", "--as", TEACHER, "-o", str(out), "--yes")
    assert result.returncode == DONE, result.stderr
    assert result.stderr.startswith(guide.DOWNLOAD_WARNING + "\n")
    header, *rows = csv_rows(out)
    assert header == guide.PUPIL_COLUMNS
    assert [row[2:4] for row in rows] == [[LEARNER, population.password(LEARNER)]]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_export_staff_columns(cli, population):
    out = cli.tmp_path / "staff.csv"
    result = cli("export", "staff", "--as", ADMIN, "--school", "6614001", "-o", str(out), "--yes")
    assert result.returncode == DONE, result.stderr
    header, *rows = csv_rows(out)
    assert header == guide.STAFF_COLUMNS
    assert sorted(row[2] for row in rows) == ["champion.s1", "staff.s1"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("export", "staff", "--as", TEACHER, "--yes"), NOT_ALLOWED, "may not download"),
        (("export", "pupils", "--as", LEARNER, "--yes"), NOT_ALLOWED, "may not download"),
        (("export", "pupils", "--as", ADMIN, "--yes"), BAD_INPUT, "name the school"),
        (
            ("export", "pupils", "--as", TEACHER, "--school", "6614002", "--yes"),
            NOT_ALLOWED,
            "another school",
        ),
    ],
)
def test_export_refusals_come_before_the_warning_and_write_nothing(
    cli, population, args, code, message
):
    out = cli.tmp_path / "out.csv"
    before = cli.state()
    fails_cleanly(cli(*args, "-o", str(out)), code, message)
    assert [p.name for p in cli.tmp_path.iterdir() if "out.csv" in p.name] == []
    assert cli.state() == before


def test_export_without_yes_or_a_terminal_warns_then_refuses_and_writes_nothing(cli, population):
    out = cli.tmp_path / "out.csv"
    before = cli.state()
    result = cli("export", "pupils", "--as", TEACHER, "-o", str(out))
    assert result.returncode == BAD_INPUT
    assert result.stderr.splitlines() == [
        guide.DOWNLOAD_WARNING,
        "hwb-tui: No terminal to confirm on: add --yes to accept.",
    ]
    assert [p.name for p in cli.tmp_path.iterdir() if "out.csv" in p.name] == []
    assert cli.state() == before


@pytest.mark.parametrize(
    ("answer", "code"), [("y", DONE), ("ie", DONE), ("n", BAD_INPUT), ("", BAD_INPUT)]
)
def test_export_asks_on_a_terminal(cli, population, answer, code):
    out = cli.tmp_path / "pupils.csv"
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            cli.argv("export", "pupils", "--as", TEACHER, "-o", str(out)),
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli.env,
        )
        os.write(controller, f"{answer}\n".encode())
        _, stderr = process.communicate(timeout=60)
    finally:
        os.close(controller)
        os.close(terminal)
    assert process.returncode == code, stderr
    assert "Proceed with download? [y/N]" in stderr
    assert out.exists() == (code == DONE)
    if code != DONE:
        assert stderr.rstrip().endswith("Download cancelled: nothing was written.")


def test_export_into_a_missing_folder_is_refused(cli, population):
    out = cli.tmp_path / "missing" / "pupils.csv"
    result = cli("export", "pupils", "--as", TEACHER, "-o", str(out), "--yes")
    assert result.returncode == BAD_INPUT
    assert result.stderr.splitlines()[-1].startswith("hwb-tui: The folder")
    assert "Traceback" not in result.stderr


# -- audit ----------------------------------------------------------------------------------------


def test_audit_for_administrators_and_champions_only(cli, population):
    assert cli("show", LEARNER, "--as", ADMIN).returncode == DONE
    assert cli("show", "learner.s2", "--as", ADMIN).returncode == DONE
    everything = json.loads(cli("audit", "--as", ADMIN, "--json").stdout)
    reveals = [(e["actor"], e["action"], e["target"]) for e in everything]
    assert (ADMIN, "reveal", LEARNER) in reveals and (ADMIN, "reveal", "learner.s2") in reveals
    assert all(e["at"].endswith("Z") and e["origin"] for e in everything)
    school = json.loads(cli("audit", "--as", CHAMPION, "--json").stdout)
    assert [(e["action"], e["target"]) for e in school] == [("reveal", LEARNER)]
    text = cli("audit", "--as", ADMIN)
    assert text.returncode == DONE and f"{ADMIN}\treveal\t{LEARNER}" in text.stdout
    for refused in (TEACHER, LEARNER, "governor.s1", "nonmis.s1"):
        fails_cleanly(cli("audit", "--as", refused), NOT_ALLOWED, "audit trail")


# -- demo -----------------------------------------------------------------------------------------


def test_demo_builds_once_and_needs_force_to_rebuild(cli):
    first = cli("demo")
    assert first.returncode == DONE, first.stderr
    for sign_in in ("admin.demo", "champion.demo", "teacher.demo", "learner.demo"):
        assert f"{sign_in} " in first.stdout
    assert "Croeso2026" in first.stdout
    assert stat.S_IMODE(cli.key_file.stat().st_mode) == 0o600
    before = cli.state()
    fails_cleanly(cli("demo"), BAD_INPUT, "--force")
    assert cli.state() == before
    again = cli("demo", "--force")
    assert again.returncode == DONE, again.stderr
    assert (
        cli("check-password", "teacher.demo", "--password-stdin", stdin="Croeso2026\n").returncode
        == 0
    )
    learners = json.loads(cli("users", "--as", "teacher.demo", "--json").stdout)
    assert "learner.demo" in {row["username"] for row in learners}


def test_demo_never_overwrites_a_real_database(cli, population):
    before = cli.state()
    fails_cleanly(cli("demo"), BAD_INPUT, "real users")
    fails_cleanly(cli("demo", "--force"), BAD_INPUT, "real users")
    assert cli.state() == before


# -- where the database and key are ---------------------------------------------------------------


def test_environment_variables_locate_the_database_and_key(cli, population):
    env = {"HWB_DATABASE_URL": cli.url, "HWB_KEY_FILE": str(cli.key_file)}
    result = cli("show", LEARNER, "--as", TEACHER, env=env, locate=False)
    assert result.stdout == population.password(LEARNER) + "\n"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://postgres@127.0.0.1:9/test", "Connection refused"),  # nothing listens
        ("sqlite:///{tmp}/not-a-database.txt", "file is not a database"),
        ("mysql://somewhere/hwb", "Unsupported database URL scheme"),
    ],
)
def test_a_database_that_cannot_be_opened_is_one_clear_line(cli, url, message):
    text_file = cli.tmp_path / "not-a-database.txt"
    text_file.write_text("Nid cronfa ddata mo hon.\n")
    result = cli("--db", url.format(tmp=cli.tmp_path), "users", "--as", TEACHER, locate=False)
    fails_cleanly(result, 1, message)
    assert text_file.read_text() == "Nid cronfa ddata mo hon.\n"


def test_db_after_the_sub_command_is_a_usage_error(cli, population):
    result = cli("users", "--as", TEACHER, "--db", cli.url, locate=False)
    fails_cleanly(result, USAGE, "unrecognized arguments")


def test_a_missing_key_file_is_one_clear_line(cli, population):
    cli.key_file.rename(cli.tmp_path / "elsewhere.key")
    before = cli.state()
    fails_cleanly(cli("show", LEARNER, "--as", TEACHER), 1, "key file")
    fails_cleanly(cli("reset", LEARNER, "--as", TEACHER, "--generate"), 1, "missing")
    assert cli.state() == before
    assert not cli.key_file.exists()


def test_a_wrong_key_file_is_one_clear_line(cli, population):
    other = Cli(cli.tmp_path / "other")
    other.tmp_path.mkdir()
    assert other("demo").returncode == DONE
    before = cli.state()
    cli.key_file = other.key_file
    fails_cleanly(cli("show", LEARNER, "--as", TEACHER), 1, "does not belong to this database")
    fails_cleanly(cli("reset", LEARNER, "--as", TEACHER, "--generate"), 1, "does not belong")
    assert cli.state() == before


def test_help_exits_zero(cli):
    result = cli("--help", locate=False)
    assert result.returncode == DONE
    for command in ("users", "show", "reset", "passwd", "check-password", "export", "audit"):
        assert command in result.stdout
