"""Print: credential slips read back from the PDF, rights for every role, audit and delivery."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from hwb_tui.cli import main
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    StoreProblem,
)
from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from tests.credential_files import (
    add_account,
    audit_count,
    break_audit_trail,
    mode_of,
    secondary_school_id,
)

KNOWN_PASSWORD = "Gwynt2026xyz"
WELSH_NAMES = (("Gwenllïan", "Ŵyn-Hâf", "gwyn"), ("Llŷr", "ap Siôn", "llyrap"))


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


def only_file_in(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


# -- what a slip says --------------------------------------------------------------------------


def test_group_slips_carry_names_usernames_and_welsh_letters_but_no_password(
    sqlite_demo: Hwb, out: Path
) -> None:
    hwb = sqlite_demo
    for forename, surname, username in WELSH_NAMES:
        add_account(forename, surname, username)
    teacher = hwb.users.actor("teacher.demo")
    hwb.passwords.reset(teacher, "gwyn", KNOWN_PASSWORD)

    result = hwb.printing.print_reg_group(teacher, "9A", out / "9a.pdf")

    text = pdf_text(result.path)
    learners = hwb.users.list_users(teacher, Kind.LEARNER)
    group = [row for row in learners if row.reg_group == "9A"]
    assert result.users == len(group) > len(WELSH_NAMES)
    for row in group:
        assert f"{row.forename} {row.surname}" in text
        assert row.username in text
    assert "Gwenllïan Ŵyn-Hâf" in text and "Llŷr ap Siôn" in text
    assert "Riverside High School" in text and "hwb.gov.wales" in text
    assert KNOWN_PASSWORD not in text and "Password" not in text
    assert not result.with_password


def test_print_with_password_shows_it_and_statuses_in_its_place(
    sqlite_demo: Hwb, out: Path
) -> None:
    hwb = sqlite_demo
    add_account("Siôn", "Ó Briain", "sionob", status=PasswordStatus.UNAVAILABLE)
    add_account("Catrin", "Huws", "catrinh", status=PasswordStatus.USER_CHANGED)
    add_account("Dafydd", "Llwyd", "dafyddl")
    teacher = hwb.users.actor("teacher.demo")
    hwb.passwords.reset(teacher, "dafyddl", KNOWN_PASSWORD)

    result = hwb.printing.print_users(
        teacher, ["dafyddl", "sionob", "catrinh"], out / "three.pdf", with_password=True
    )

    text = pdf_text(result.path)
    assert result.users == 3 and result.with_password
    assert KNOWN_PASSWORD in text
    assert "User changed password" in text
    assert "Password:\n-" in text or "Password: -" in text or "Password:-" in text


def test_slips_come_in_reading_order(sqlite_demo: Hwb, out: Path) -> None:
    hwb = sqlite_demo
    add_account("Zac", "Adams", "zadams", reg_group="10B")
    add_account("Ann", "Bell", "abell", reg_group="9B")
    add_account("Bea", "Adams", "badams", reg_group="9B")
    add_account("Aled", "Adams", "aadams", reg_group="9B")
    teacher = hwb.users.actor("teacher.demo")

    result = hwb.printing.print_users(
        teacher, ["zadams", "abell", "badams", "aadams"], out / "order.pdf"
    )

    text = pdf_text(result.path)
    positions = [text.index(name) for name in ("aadams", "badams", "abell", "zadams")]
    assert positions == sorted(positions)


def test_many_slips_fill_several_pages(sqlite_demo: Hwb, out: Path) -> None:
    hwb = sqlite_demo
    for number in range(23):
        add_account(f"Learner{number}", "Prys", f"prys{number}", reg_group="7Z")

    result = hwb.printing.print_reg_group(hwb.users.actor("teacher.demo"), "7Z", out / "7z.pdf")

    assert result.users == 23
    assert len(PdfReader(io.BytesIO(result.path.read_bytes())).pages) == 3


def test_hostile_names_are_printed_as_plain_text(sqlite_demo: Hwb, out: Path) -> None:
    hwb = sqlite_demo
    add_account('=HYPERLINK("http://x")', "[bold]x[/]", "hostile1")
    add_account("@SUM(A1)", "Evil\x1b[2J\u202eName", "hostile2")

    result = hwb.printing.print_users(
        hwb.users.actor("teacher.demo"), ["hostile1", "hostile2"], out / "hostile.pdf"
    )

    text = pdf_text(result.path)
    assert '=HYPERLINK("http://x") [bold]x[/]' in text
    assert "\x1b" not in text and "\u202e" not in text
    assert "Evil\ufffd[2J\ufffdName" in text


# -- files: private, audited first, nothing left behind ----------------------------------------


def test_the_file_is_private_audited_and_alone(sqlite_demo: Hwb, out: Path) -> None:
    hwb = sqlite_demo
    champion = hwb.users.actor("champion.demo")
    before = audit_count(AuditAction.PRINT)

    result = hwb.printing.print_users(
        champion, ["teacher.demo", "learner.demo"], out / "pair.pdf", with_password=True
    )

    assert mode_of(result.path) == 0o600
    assert only_file_in(out) == ["pair.pdf"]
    assert audit_count(AuditAction.PRINT) == before + 1
    [entry] = [e for e in hwb.audit.entries(champion) if e.action == AuditAction.PRINT]
    assert entry.detail.startswith("Print With Password: 2 users")
    assert "learner.demo" in entry.detail and "teacher.demo" in entry.detail


def test_when_the_audit_cannot_be_written_nothing_is_delivered(
    database_url: str, tmp_path: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _fake_lp(tmp_path, monkeypatch, exit_code=0)
    with _printing_hwb(database_url, tmp_path, "office") as hwb:
        teacher = hwb.users.actor("teacher.demo")
        break_audit_trail(hwb)
        with pytest.raises(StoreProblem, match="audit"):
            hwb.printing.print_reg_group(teacher, "9A", out / "9a.pdf", with_password=True)
    assert only_file_in(out) == []
    assert not log.exists()


def test_a_folder_that_does_not_exist_is_refused_clearly(sqlite_demo: Hwb, tmp_path: Path) -> None:
    teacher = sqlite_demo.users.actor("teacher.demo")
    before = audit_count(AuditAction.PRINT)
    with pytest.raises(InvalidInput, match="does not exist"):
        sqlite_demo.printing.print_users(teacher, ["learner.demo"], tmp_path / "no" / "x.pdf")
    assert audit_count(AuditAction.PRINT) == before


# -- rights for every role -----------------------------------------------------------------------

# The guide's "Available to …" lines: learners' details for all school staff and Hwb
# administrators; staff, governors and non-MIS users' for Digital Champions and administrators.
# Every school role is within its own school; the demo's targets are at Riverside High School,
# except primary.demo, who is at the other school.
TARGETS = ("learner.demo", "teacher.demo", "governor.demo", "nonmis.demo", "primary.demo")
MAY_PRINT = {
    "admin.demo": set(TARGETS),
    "champion.demo": {"learner.demo", "teacher.demo", "governor.demo", "nonmis.demo"},
    "teacher.demo": {"learner.demo"},
    "learner.demo": set(),
    "primary.demo": set(),
    "governor.demo": set(),
    "nonmis.demo": set(),
}


def test_print_rights_follow_the_guide_for_every_role(demo: Hwb, out: Path) -> None:
    """One demo per database; every actor x target x (details, with password)."""
    wrong = []
    for actor_name, allowed in MAY_PRINT.items():
        actor = demo.users.actor(actor_name)
        for target in TARGETS:
            for with_password in (False, True):
                path = out / f"{actor_name}-{target}-{with_password}.pdf"
                before = audit_count(AuditAction.PRINT)
                try:
                    result = demo.printing.print_users(
                        actor, [target], path, with_password=with_password
                    )
                except PermissionDenied:
                    printed = False
                    assert not path.exists()
                    assert audit_count(AuditAction.PRINT) == before
                else:
                    printed = target in pdf_text(result.path)
                if printed != (target in allowed):
                    wrong.append((actor_name, target, with_password, printed))
    assert wrong == []


def test_one_forbidden_user_in_a_selection_prints_nobody(sqlite_demo: Hwb, out: Path) -> None:
    teacher = sqlite_demo.users.actor("teacher.demo")
    with pytest.raises(PermissionDenied):
        sqlite_demo.printing.print_users(
            teacher, ["learner.demo", "governor.demo"], out / "mixed.pdf"
        )
    assert only_file_in(out) == []


def test_registration_groups_are_for_the_schools_staff(sqlite_demo: Hwb, out: Path) -> None:
    hwb = sqlite_demo
    teacher = hwb.users.actor("teacher.demo")
    assert "9A" in hwb.printing.reg_groups(teacher)
    groups = hwb.printing.reg_groups(teacher)
    assert groups.index("9A") < groups.index("10A")
    for name in ("learner.demo", "governor.demo", "nonmis.demo"):
        with pytest.raises(PermissionDenied):
            hwb.printing.print_reg_group(hwb.users.actor(name), "9A", out / "9a.pdf")
    admin = hwb.users.actor("admin.demo")
    with pytest.raises(InvalidInput, match="school"):
        hwb.printing.print_reg_group(admin, "9A", out / "9a.pdf")
    result = hwb.printing.print_reg_group(
        admin, "9A", out / "9a.pdf", school_id=secondary_school_id()
    )
    assert "learner.demo" in pdf_text(result.path)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda p, a, path: p.print_reg_group(a, "  ", path), InvalidInput),
        (lambda p, a, path: p.print_reg_group(a, "99Z", path), NotFound),
        (lambda p, a, path: p.print_users(a, [], path), InvalidInput),
        (lambda p, a, path: p.print_users(a, ["learner.demo", "nobody.here"], path), NotFound),
    ],
    ids=["blank-group", "unknown-group", "no-users", "unknown-user"],
)
def test_bad_requests_say_so_and_change_nothing(sqlite_demo: Hwb, out: Path, call, error) -> None:
    before = audit_count(AuditAction.PRINT)
    with pytest.raises(error):
        call(sqlite_demo.printing, sqlite_demo.users.actor("teacher.demo"), out / "x.pdf")
    assert only_file_in(out) == []
    assert audit_count(AuditAction.PRINT) == before


# -- the printer (lp stands in for hardware outside the machine) -------------------------------


def _fake_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exit_code: int) -> Path:
    """An `lp` on PATH that records its arguments, and what it was given, then exits."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "lp.log"
    script = bin_dir / "lp"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{log}"\n'
        'for last; do :; done; head -c 5 "$last" >> '
        + f'"{log}"\n'
        + ('echo "lp: The printer or class does not exist." >&2\n' if exit_code else "")
        + f"exit {exit_code}\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def _printing_hwb(database_url: str, tmp_path: Path, printer: str | None) -> Hwb:
    settings = Settings.resolve(database_url, tmp_path / "hwb.key", env=os.environ, printer=printer)
    hwb = Hwb.open(settings)
    hwb.demo.build()
    return hwb


def test_a_configured_printer_is_sent_the_pdf(
    sqlite_url: str, tmp_path: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _fake_lp(tmp_path, monkeypatch, exit_code=0)
    with _printing_hwb(sqlite_url, tmp_path, "office") as hwb:
        result = hwb.printing.print_users(
            hwb.users.actor("teacher.demo"), ["learner.demo"], out / "one.pdf"
        )
        entries = hwb.audit.entries(hwb.users.actor("admin.demo"))
    assert result.printer == "office" and result.printer_problem is None
    arguments = log.read_text().splitlines()
    assert arguments[:5] == ["-d", "office", "-t", "one.pdf", "--"]
    assert arguments[5] == str(result.path)
    assert arguments[6].startswith("%PDF-")
    assert any("sent to printer office" in e.detail for e in entries)


def test_a_printer_that_fails_is_reported_and_the_file_kept(
    sqlite_url: str, tmp_path: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_lp(tmp_path, monkeypatch, exit_code=1)
    with _printing_hwb(sqlite_url, tmp_path, "nowhere") as hwb:
        result = hwb.printing.print_users(
            hwb.users.actor("teacher.demo"), ["learner.demo"], out / "one.pdf"
        )
    assert result.printer_problem == "lp: The printer or class does not exist."
    assert result.path.exists()


def test_without_lp_the_printer_setting_is_left_alone(
    sqlite_url: str, tmp_path: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with _printing_hwb(sqlite_url, tmp_path, "office") as hwb:
        result = hwb.printing.print_users(
            hwb.users.actor("teacher.demo"), ["learner.demo"], out / "one.pdf"
        )
    assert result.printer is None and result.path.exists()


def test_printer_and_output_folder_come_from_the_environment(tmp_path: Path) -> None:
    env = {"HWB_PRINTER": "staffroom", "HWB_OUTPUT_DIR": str(tmp_path)}
    settings = Settings.resolve("sqlite:///x.db", tmp_path / "k", env=env)
    assert settings.printer == "staffroom" and settings.output_dir == tmp_path
    given = Settings.resolve("sqlite:///x.db", tmp_path / "k", env=env, printer="office")
    assert given.printer == "office"


# -- the command line ----------------------------------------------------------------------------


def test_cli_prints_a_group_and_users(
    sqlite_demo: Hwb, sqlite_url: str, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = str(sqlite_demo.settings.key_file)
    base = ["--db", sqlite_url, "--key-file", key, "print"]
    group_pdf, users_pdf = out / "9a.pdf", out / "two.pdf"

    assert main([*base, "--reg-group", "9A", "--as", "teacher.demo", "-o", str(group_pdf)]) == 0
    assert "learner.demo" in pdf_text(group_pdf)
    users = ["learner.demo", "teacher.demo", "--as", "champion.demo", "--with-password"]
    code = main([*base, *users, "-o", str(users_pdf)])
    assert code == 0 and "Sarah Teacher" in pdf_text(users_pdf)
    assert "readable by you only" in capsys.readouterr().err
    assert mode_of(group_pdf) == mode_of(users_pdf) == 0o600


@pytest.mark.parametrize(
    ("arguments", "exit_code"),
    [
        (["teacher.demo", "--as", "teacher.demo"], 3),
        (["--reg-group", "9A", "--as", "admin.demo"], 5),
        (["--reg-group", "9A", "--as", "admin.demo", "--school", "0000000"], 4),
        (["--as", "teacher.demo"], 2),
        (["learner.demo", "--reg-group", "9A", "--as", "teacher.demo"], 2),
        (["learner.demo", "--school", "6614050", "--as", "teacher.demo"], 2),
        (["learner.demo"], 2),
    ],
    ids=[
        "not-allowed",
        "admin-without-school",
        "unknown-school",
        "nobody",
        "both",
        "school-without-group",
        "no-acting-user",
    ],
)
def test_cli_refusals_use_the_usual_exit_codes(
    sqlite_demo: Hwb,
    sqlite_url: str,
    out: Path,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    exit_code: int,
) -> None:
    key = str(sqlite_demo.settings.key_file)
    path = out / "x.pdf"
    code = main(["--db", sqlite_url, "--key-file", key, "print", *arguments, "-o", str(path)])
    assert code == exit_code
    assert capsys.readouterr().err.startswith("hwb-tui: ")
    assert only_file_in(out) == []


# -- over SSH: slips down standard output, and accounts that can no longer sign in -------------


def test_cli_sends_slips_down_standard_output(
    sqlite_demo: Hwb, sqlite_url: str, out: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """`ssh host hwb-tui print … -o - > slips.pdf`: the PDF arrives, nothing stays behind."""
    key = str(sqlite_demo.settings.key_file)
    before = audit_count(AuditAction.PRINT)
    printing = ["print", "--reg-group", "9A", "--as", "teacher.demo", "--with-password"]
    code = main(["--db", sqlite_url, "--key-file", key, *printing, "-o", "-"])
    captured = capsysbinary.readouterr()
    assert code == 0 and captured.out.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(captured.out)).pages)
    assert "Zoë Ó Briain" in text and "Croeso2026" in text
    assert b"standard output" in captured.err
    assert audit_count(AuditAction.PRINT) == before + 1


def test_nothing_goes_down_standard_output_when_the_audit_fails(
    sqlite_demo: Hwb, out: Path
) -> None:
    stream = io.BytesIO()
    break_audit_trail(sqlite_demo)
    with pytest.raises(StoreProblem):
        sqlite_demo.printing.print_users(
            sqlite_demo.users.actor("teacher.demo"), ["learner.demo"], stream
        )
    assert stream.getvalue() == b""


def test_a_terminal_is_never_sent_a_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    from hwb_tui.cli.common import output_target

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdout", Terminal())
    with pytest.raises(InvalidInput, match="terminal"):
        output_target("-")


def test_leavers_are_not_printed(sqlite_demo: Hwb, out: Path) -> None:
    from hwb_tui.store.models import Account, utc_now

    hwb = sqlite_demo
    add_account("Efa", "Gadael", "efagadael")
    Account.update(left_at=utc_now()).where(Account.username == "efagadael").execute()
    teacher = hwb.users.actor("teacher.demo")

    assert "efagadael" not in pdf_text(
        hwb.printing.print_reg_group(teacher, "9A", out / "g.pdf").path
    )
    with pytest.raises(PermissionDenied):
        hwb.printing.print_users(teacher, ["efagadael"], out / "one.pdf")
    assert not (out / "one.pdf").exists()
