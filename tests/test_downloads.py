"""Download Passwords against issue 5: every value back exactly, hostile cells inert, rights for
every role, private files, nothing delivered when the audit fails, one CSV path for CLI and app."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from hwb_tui.cli import main
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import KeyProblem, PasswordUnavailable, PermissionDenied, StoreProblem
from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.domain.rights import Download
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.models import Account
from tests.credential_files import (
    add_account,
    audit_count,
    break_audit_trail,
    mode_of,
    secondary_school_id,
)
from tests.guide import PUPIL_COLUMNS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = {
    "formula": '=HYPERLINK("http://x")',
    "plus": "+1",
    "at": "@SUM(A1)",
    "minus": "-2+3",
    "quotes": 'Say "Helo", Siôn',
    "newline": "two\nlines",
    "tab": "\tcmd",
    "cr": "\rcmd",
}


def read_back(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def is_inert(cell: str) -> bool:
    return cell == "-" or not cell.startswith(FORMULA_STARTS)


def test_every_pupil_value_comes_back_exactly(sqlite_demo: Hwb, out: Path) -> None:
    hwb = sqlite_demo
    teacher, admin = hwb.users.actor("teacher.demo"), hwb.users.actor("admin.demo")
    add_account("Gwenllïan", "Ŵyn-Hâf", "gwyn", admission_number="A-1", consent=True)

    result = hwb.exports.download(teacher, Download.ALL_PUPILS, out / "pupils.csv")

    rows = read_back(result.path)
    assert rows[0] == PUPIL_COLUMNS
    learners = hwb.users.list_users(admin, Kind.LEARNER, school_id=secondary_school_id())
    by_username = {row[2]: row for row in rows[1:]}
    assert sorted(by_username) == sorted(learner.username for learner in learners)
    for learner in learners:
        details = hwb.users.details(admin, learner.username)
        row = by_username[learner.username]
        assert row[:3] == [learner.forename, learner.surname, learner.username]
        assert row[3] == _expected_password(hwb, admin, learner.username, learner.status)
        assert row[4] == details.created_at.strftime("%d/%m/%Y")
        assert row[5:7] == [learner.year or "", learner.reg_group or ""]
        consent = "" if details.consent is None else ("Yes" if details.consent else "No")
        assert row[7] == consent
        assert row[8] == (details.admission_number or "")
    assert by_username["gwyn"][:2] == ["Gwenllïan", "Ŵyn-Hâf"]
    assert by_username["gwyn"][8] == "A-1"  # not neutralised: it does not start with a sign
    assert {row[3] for row in rows[1:]} >= {"-", "User changed password"}
    assert mode_of(result.path) == 0o600
    assert sorted(p.name for p in out.iterdir()) == ["pupils.csv"]


def _expected_password(hwb: Hwb, admin, username: str, status: PasswordStatus) -> str:
    try:
        return hwb.passwords.reveal(admin, username)
    except PasswordUnavailable:
        return "User changed password" if status is PasswordStatus.USER_CHANGED else "-"


def test_hostile_cells_come_back_as_inert_text(sqlite_demo: Hwb, out: Path) -> None:
    hwb = sqlite_demo
    for number, (name, value) in enumerate(HOSTILE.items()):
        add_account(value, value, f"hostile.{name}", admission_number=value, reg_group="7H")
        add_account(
            value,
            value,
            f"hostile.staff{number}",
            kind=Kind.STAFF,
            staff_code=value,
        )
    champion = hwb.users.actor("champion.demo")

    for download, column in ((Download.ALL_PUPILS, 8), (Download.ALL_STAFF, 5)):
        path = out / f"{download}.csv"
        rows = read_back(hwb.exports.download(champion, download, path).path)
        hostile = [row for row in rows[1:] if row[2].startswith("hostile.")]
        assert len(hostile) == len(HOSTILE)
        for row in rows:
            assert all(is_inert(cell) for cell in row), row
        for row in hostile:
            value = row[0].removeprefix("'")
            assert value in HOSTILE.values()
            expected = "'" + value if value.startswith(FORMULA_STARTS) else value
            assert row[0] == row[1] == row[column] == expected


@pytest.mark.parametrize(
    ("actor_name", "allowed"),
    [
        ("admin.demo", {Download.ALL_PUPILS, Download.ALL_STAFF}),
        ("champion.demo", {Download.ALL_PUPILS, Download.ALL_STAFF}),
        ("teacher.demo", {Download.ALL_PUPILS}),
        ("learner.demo", set()),
        ("primary.demo", set()),
        ("governor.demo", set()),
        ("nonmis.demo", set()),
    ],
)
def test_download_rights_follow_the_guide(
    sqlite_demo: Hwb, out: Path, actor_name: str, allowed: set[Download]
) -> None:
    """All Pupils: "all school staff and Hwb administrators"; All Staff: "school Digital
    Champions and Hwb administrators"."""
    actor = sqlite_demo.users.actor(actor_name)
    school = secondary_school_id() if actor.is_hwb_admin else None
    for download in Download:
        path = out / f"{download}.csv"
        before = audit_count(AuditAction.DOWNLOAD)
        if download in allowed:
            sqlite_demo.exports.download(actor, download, path, school)
            assert audit_count(AuditAction.DOWNLOAD) == before + 1
        else:
            with pytest.raises(PermissionDenied):
                sqlite_demo.exports.download(actor, download, path, school)
            assert audit_count(AuditAction.DOWNLOAD) == before
            assert not path.exists()


def test_a_school_role_cannot_download_another_school(sqlite_demo: Hwb, out: Path) -> None:
    champion = sqlite_demo.users.actor("champion.demo")
    other = sqlite_demo.users.school_by_code(sqlite_demo.users.actor("admin.demo"), "6612001").id
    with pytest.raises(PermissionDenied):
        sqlite_demo.exports.download(champion, Download.ALL_PUPILS, out / "p.csv", other)
    assert list(out.iterdir()) == []


def test_nothing_is_delivered_when_the_audit_cannot_be_written(demo: Hwb, out: Path) -> None:
    teacher = demo.users.actor("teacher.demo")
    break_audit_trail(demo)
    with pytest.raises(StoreProblem):
        demo.exports.download(teacher, Download.ALL_PUPILS, out / "pupils.csv")
    assert list(out.iterdir()) == []


def test_the_command_line_and_the_service_write_the_same_file(
    sqlite_demo: Hwb, sqlite_url: str, out: Path
) -> None:
    champion = sqlite_demo.users.actor("champion.demo")
    by_service = sqlite_demo.exports.download(champion, Download.ALL_STAFF, out / "a.csv").path
    key = str(sqlite_demo.settings.key_file)
    export = ["export", "staff", "--as", "champion.demo", "--yes", "-o", str(out / "b.csv")]
    code = main(["--db", sqlite_url, "--key-file", key, *export])
    assert code == 0
    assert (out / "b.csv").read_bytes() == by_service.read_bytes()
    assert mode_of(out / "b.csv") == 0o600


def test_export_down_standard_output_matches_the_file(
    sqlite_demo: Hwb, sqlite_url: str, out: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """`ssh host hwb-tui export pupils … -o - > pupils.csv`."""
    teacher = sqlite_demo.users.actor("teacher.demo")
    by_service = sqlite_demo.exports.download(teacher, Download.ALL_PUPILS, out / "a.csv").path
    key = str(sqlite_demo.settings.key_file)
    export = ["export", "pupils", "--as", "teacher.demo", "--yes", "-o", "-"]
    assert main(["--db", sqlite_url, "--key-file", key, *export]) == 0
    assert capsysbinary.readouterr().out == by_service.read_bytes()
    assert list(out.iterdir()) == [by_service]


def test_leavers_are_left_out_of_the_download(sqlite_demo: Hwb, out: Path) -> None:
    from hwb_tui.store.models import utc_now

    add_account("Efa", "Gadael", "efagadael")
    Account.update(left_at=utc_now()).where(Account.username == "efagadael").execute()
    teacher = sqlite_demo.users.actor("teacher.demo")
    rows = read_back(sqlite_demo.exports.download(teacher, Download.ALL_PUPILS, out / "p.csv").path)
    assert "efagadael" not in {row[2] for row in rows}


def test_every_cell_is_disarmed_passwords_and_year_groups_too(sqlite_demo: Hwb, out: Path) -> None:
    """The per-row check covers every column; the "-" status stays as it is beside them."""
    hwb = sqlite_demo
    add_account("Plain", "Plain", "hostile.password", status=PasswordStatus.AVAILABLE)
    add_account(
        "=x", "Plain", "hostile.dash", admission_number="-", status=PasswordStatus.UNAVAILABLE
    )
    add_account("Plain", "Plain", "plain.dash", status=PasswordStatus.UNAVAILABLE)
    Account.update(year="+9", reg_group="@9A").where(
        Account.username == "hostile.password"
    ).execute()
    row = Account.get(Account.username == "hostile.password")
    Account.update(sealed_password=hwb.context.sealer.seal_password(row.id, "-5+SUM(A1)")).where(
        Account.id == row.id
    ).execute()

    path = hwb.exports.download(hwb.users.actor("teacher.demo"), Download.ALL_PUPILS, out / "p.csv")
    by_username = {row[2]: row for row in read_back(path.path)[1:]}
    assert by_username["hostile.password"][:7] == [
        "Plain",
        "Plain",
        "hostile.password",
        "'-5+SUM(A1)",
        by_username["hostile.password"][4],
        "'+9",
        "'@9A",
    ]
    assert by_username["hostile.dash"][0] == "'=x"
    assert by_username["hostile.dash"][3] == by_username["hostile.dash"][8] == "-"
    assert by_username["plain.dash"][3] == "-"


def test_a_copy_that_fails_late_in_a_large_download_leaves_nothing(
    sqlite_demo: Hwb, out: Path
) -> None:
    """The rows stream into the hidden file: one that fails after thousands are written still
    leaves no file, no partial copy and no record."""
    hwb = sqlite_demo
    sealer = hwb.context.sealer
    with hwb.context.db.atomic():
        for number in range(3000):
            add_account("Llinos", f"Aaron{number:04}", f"many.{number}")
    add_account("Zac", "Zzyzx", "last.one", status=PasswordStatus.AVAILABLE)  # sorts last
    last = Account.get(Account.username == "last.one")
    Account.update(sealed_password=sealer.seal_password(last.id + 1, "Moved2026x")).where(
        Account.id == last.id
    ).execute()
    teacher = hwb.users.actor("teacher.demo")
    before = audit_count(AuditAction.DOWNLOAD)

    with pytest.raises(KeyProblem, match=r"last\.one"):
        hwb.exports.download(teacher, Download.ALL_PUPILS, out / "pupils.csv")
    assert list(out.iterdir()) == []
    assert audit_count(AuditAction.DOWNLOAD) == before

    stream = io.BytesIO()
    with pytest.raises(KeyProblem, match=r"last\.one"):
        hwb.exports.download(teacher, Download.ALL_PUPILS, stream)
    assert stream.getvalue() == b""
    assert audit_count(AuditAction.DOWNLOAD) == before
