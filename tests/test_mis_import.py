"""MIS import: matching, changes, leavers and returners, all or nothing, rights, audit, the CLI."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from hwb_tui.cli import main
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import AuthenticationFailed, InvalidInput, NotFound, PermissionDenied
from hwb_tui.domain.mis_file import FileRefused
from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.domain.usernames import unique_username, unique_usernames
from hwb_tui.services.config import Settings
from hwb_tui.services.demo import DEMO_PASSWORD
from hwb_tui.services.mis_import import ChangeKind
from hwb_tui.store.models import Account, AuditRecord, ClassMembership, SchoolClass
from tests.stored import password_is

SECONDARY = "6614050"
PRIMARY = "6612001"
LEARNER_HEADER = (
    "Forename",
    "Surname",
    "Username",
    "Date created",
    "Year",
    "Reg group",
    "Consent",
    "Admission number",
)


def csv_bytes(rows, *, delimiter=",", bom=True, line_end="\r\n") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=line_end).writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")


def learner_rows(hwb, school_code: str = SECONDARY) -> list[list[str]]:
    """The school's learners as its MIS would list them: the download's columns, no Password."""
    query = (
        Account.select()
        .join_from(Account, Account.school.rel_model)
        .where(
            (Account.kind == str(Kind.LEARNER))
            & (Account.school.rel_model.code == school_code)
            & Account.left_at.is_null()
        )
        .order_by(Account.id)
    )
    return [
        [
            row.forename,
            row.surname,
            row.username,
            "01/09/2026",
            row.year,
            row.reg_group or "",
            "" if row.consent is None else ("Yes" if row.consent else "No"),
            row.admission_number,
        ]
        for row in query
    ]


def snapshot() -> list[tuple]:
    accounts = list(Account.select().order_by(Account.id).tuples())
    memberships = list(ClassMembership.select().order_by(ClassMembership.id).tuples())
    return [accounts, memberships, SchoolClass.select().count(), AuditRecord.select().count()]


def run_import(hwb, username: str, rows, kind=Kind.LEARNER, **options):
    actor = hwb.users.actor(username)
    return hwb.mis_import.import_data(actor, kind, csv_bytes(rows), source="mis.csv", **options)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """No wait after a failed sign-in: these tests sign in again after a refusal on purpose."""
    env = {**os.environ, "HWB_SIGN_IN_DELAY_SECONDS": "0"}
    return Settings.resolve(database_url, tmp_path / "hwb.key", env=env)


@pytest.fixture
def champion(demo):
    return demo.users.actor("champion.demo")


def test_the_export_without_passwords_imports_with_nothing_to_change(demo):
    rows = learner_rows(demo)
    before = snapshot()
    result = run_import(demo, "champion.demo", [LEARNER_HEADER, *rows])
    assert result.changes == ()
    assert result.unchanged == len(rows)
    assert snapshot()[:3] == before[:3]


def test_new_learners_get_accounts_with_status_dash_and_unique_usernames(demo):
    rows = learner_rows(demo)
    newcomers = [
        ["Zoë", "Ó Briain", "", "", "7", "7A", "Yes", "900001"],
        ["Zac", "O'Briain", "", "", "7", "7A", "No", "900002"],  # the same username pattern
        ["Siân", "Ó Briain", "", "", "8", "8B", "", "900003"],
    ]
    result = run_import(demo, "champion.demo", [LEARNER_HEADER, *rows, *newcomers])
    assert result.count(ChangeKind.NEW) == 3
    made = {
        row.admission_number: row
        for row in Account.select().where(Account.admission_number.startswith("9000"))
    }
    usernames = [made[key].username for key in ("900001", "900002", "900003")]
    assert len(set(usernames)) == 3
    assert [name.rstrip("0123456789") for name in usernames] == ["zobriain", "zobriain", "sobriain"]
    assert Account.select().where(Account.username.in_(usernames)).count() == 3
    assert {row.password_status for row in made.values()} == {str(PasswordStatus.UNAVAILABLE)}
    assert made["900001"].forename == "Zoë" and made["900001"].year == "7"
    assert made["900001"].consent is True and made["900003"].consent is None
    assert made["900001"].password_hash is None and made["900001"].sealed_password is None


def test_generated_passwords_are_returned_once_and_can_be_revealed(demo, champion):
    rows = learner_rows(demo)
    newcomer = ["Ffion", "Llwyd", "", "", "9", "9A", "Yes", "900010"]
    result = run_import(
        demo, "champion.demo", [LEARNER_HEADER, *rows, newcomer], generate_passwords=True
    )
    [(username, password)] = result.passwords
    assert demo.passwords.reveal(champion, username) == password
    assert password_is(demo, username, password)
    assert password not in AuditRecord.select(AuditRecord.detail).scalar()


def test_changes_to_names_year_group_and_consent_are_applied(demo):
    rows = learner_rows(demo)
    first = rows[0]
    first[0], first[1], first[4], first[5] = "Gwenllïan", "Prys-Jones", "13", "13C"
    first[6] = "No" if first[6] == "Yes" else "Yes"
    result = run_import(demo, "champion.demo", [LEARNER_HEADER, *rows])
    [change] = result.changes
    assert change.kind is ChangeKind.CHANGED and change.username == first[2]
    assert any(field.startswith("Year:") for field in change.fields)
    row = Account.get(Account.username == first[2])
    assert (row.forename, row.surname, row.year, row.reg_group) == (
        "Gwenllïan",
        "Prys-Jones",
        "13",
        "13C",
    )
    assert row.consent is (first[6] == "Yes")
    assert row.username == first[2], "a changed name keeps its username"


def test_a_classes_column_sets_each_learners_classes(demo):
    rows = learner_rows(demo)
    header = [*LEARNER_HEADER, "Classes"]
    rows = [[*row, ""] for row in rows]
    rows[0][-1] = "9Ma1; 9Cy2;New Class"
    run_import(demo, "champion.demo", [header, *rows])
    details = demo.users.details(demo.users.actor("champion.demo"), rows[0][2])
    assert details.classes == ("9Cy2", "9Ma1", "New Class")
    other = demo.users.details(demo.users.actor("champion.demo"), rows[1][2])
    assert other.classes == ()
    again = run_import(demo, "champion.demo", [header, *rows])
    assert again.changes == ()


def test_without_a_classes_column_classes_stay(demo):
    rows = learner_rows(demo)
    before = ClassMembership.select().count()
    run_import(demo, "champion.demo", [LEARNER_HEADER, *rows[1:]])
    assert ClassMembership.select().count() == before


def test_people_missing_from_the_file_leave_and_come_back(demo, champion):
    rows = learner_rows(demo)
    leaver = next(row for row in rows if row[2] == "learner.demo")
    staying = [row for row in rows if row is not leaver]
    result = run_import(demo, "champion.demo", [LEARNER_HEADER, *staying])
    [change] = result.changes
    assert (change.kind, change.username) == (ChangeKind.LEFT, "learner.demo")
    listed = {row.username for row in demo.users.list_users(champion, Kind.LEARNER)}
    assert "learner.demo" not in listed
    with pytest.raises(AuthenticationFailed):
        demo.passwords.sign_in("learner.demo", DEMO_PASSWORD)
    with pytest.raises(PermissionDenied, match="left"):
        demo.passwords.start_forced_session("learner.demo")
    kept = Account.get(Account.username == "learner.demo")
    assert kept.left_at is not None and kept.password_hash, "nothing is deleted"

    back = run_import(demo, "champion.demo", [LEARNER_HEADER, *rows])
    assert [c.kind for c in back.changes] == [ChangeKind.RETURNED]
    assert demo.passwords.sign_in("learner.demo", DEMO_PASSWORD).username == "learner.demo"
    assert "learner.demo" in {r.username for r in demo.users.list_users(champion, Kind.LEARNER)}


def test_a_learners_import_touches_no_other_kind_or_school(demo):
    others = list(
        Account.select()
        .where((Account.kind != str(Kind.LEARNER)) | (Account.school != demo_school(demo)))
        .order_by(Account.id)
        .tuples()
    )
    run_import(demo, "champion.demo", [LEARNER_HEADER])  # an empty MIS: every learner leaves
    assert (
        list(
            Account.select()
            .where((Account.kind != str(Kind.LEARNER)) | (Account.school != demo_school(demo)))
            .order_by(Account.id)
            .tuples()
        )
        == others
    )


def demo_school(hwb) -> int:
    return hwb.users.actor("champion.demo").school_id


def test_staff_are_matched_by_staff_code_and_governors_and_non_mis_stay(demo):
    school_id = demo_school(demo)
    staff = list(
        Account.select()
        .where((Account.school == school_id) & (Account.kind == str(Kind.STAFF)))
        .order_by(Account.id)
    )
    header = ["Forename", "Surname", "Username", "Date created", "Staff code", "Digital Champion"]
    rows = [
        [
            s.forename,
            s.surname,
            s.username,
            "",
            s.staff_code,
            "Yes" if s.is_digital_champion else "No",
        ]
        for s in staff
        if s.staff_code
    ]
    teacher = next(row for row in rows if row[2] == "teacher.demo")
    teacher[5] = "Yes"
    untouched = list(
        Account.select()
        .where((Account.school == school_id) & (Account.kind != str(Kind.STAFF)))
        .order_by(Account.id)
        .tuples()
    )
    result = run_import(demo, "champion.demo", [header, *rows], kind=Kind.STAFF)
    assert [c.username for c in result.changes if c.kind is ChangeKind.CHANGED] == ["teacher.demo"]
    assert demo.users.actor("teacher.demo").is_digital_champion
    assert (
        list(
            Account.select()
            .where((Account.school == school_id) & (Account.kind != str(Kind.STAFF)))
            .order_by(Account.id)
            .tuples()
        )
        == untouched
    )


BAD_ROWS = [
    (["Ann", "", "", "", "9", "9A", "", "800001"], "line 2: Surname is empty"),
    (["Ben", "Bow", "", "", "Y9", "9A", "", "800002"], "line 3: Year"),
    (
        ["Cai", "Cole", "", "", "9", "9A", "", "800001"],
        "line 4: Admission number 800001 is also on line 2",
    ),
    (["Dai\x1b[2J", "Dee", "", "", "9", "9A", "", "800004"], "line 5: Forename contains control"),
    (["Eve", "Ellis", "", "", "9", "9A", "Maybe", "800005"], "line 6: Consent"),
    (["Fay", "Fox", "", "", "9"], "line 7: Admission number is empty"),
]


def test_a_file_with_bad_rows_is_refused_whole_listing_every_problem(demo):
    rows = [LEARNER_HEADER, *(row for row, _problem in BAD_ROWS)]
    rows[1][1] = ""  # so line 2 is bad; line 4 repeats its admission number
    rows.append(["Good", "Row", "", "", "9", "9A", "", "800009"])
    before = snapshot()
    with pytest.raises(FileRefused) as refused:
        run_import(demo, "champion.demo", rows)
    problems = "\n".join(refused.value.problems)
    for _row, expected in BAD_ROWS:
        if "also on line" in expected:
            continue  # line 2 was itself bad, so its number is not counted as taken
        assert expected in problems, problems
    assert len(refused.value.problems) == 5
    assert snapshot() == before, "nothing is applied and nothing is audited"


def test_a_duplicate_admission_number_is_refused(demo):
    rows = learner_rows(demo)
    duplicate = [*rows[0]]
    duplicate[0] = "Someone"
    with pytest.raises(FileRefused, match=rf"line {len(rows) + 2}: Admission number"):
        run_import(demo, "champion.demo", [LEARNER_HEADER, *rows, duplicate])


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "header row is missing"),
        (b"Forename,Surname,Year\r\nA,B,9\r\n", "no Admission number column"),
        ("Forename,Surname,Year,Admission number\nSiôn,B,9,1\n".encode("cp1252"), "not UTF-8"),
        (b"Forename,Surname,Year,Admission number,Password\nA,B,9,1,Secret123\n", "Password"),
        (b"Forename,Surname,Year,Admission number\nA,B,9,1,extra\n", "has 5 fields"),
        (b'Forename,Surname,Year,Admission number\n"A,B,9,1\n', "cannot be read as CSV"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(demo, champion, data, problem):
    before = snapshot()
    with pytest.raises(FileRefused, match=problem):
        demo.mis_import.import_data(champion, Kind.LEARNER, data, source="bad.csv")
    assert snapshot() == before


@pytest.mark.parametrize(
    "options",
    [
        {"delimiter": ",", "bom": True, "line_end": "\r\n"},  # Excel's "CSV UTF-8"
        {"delimiter": ",", "bom": False, "line_end": "\n"},
        {"delimiter": ";", "bom": True, "line_end": "\r\n"},  # Excel where "," is the decimal mark
    ],
)
def test_excel_and_plain_csv_both_read_and_extra_columns_are_ignored(demo, champion, options):
    rows = [[*row, "ignored"] for row in learner_rows(demo)]
    header = [name.upper() for name in LEARNER_HEADER] + ["Notes"]
    data = csv_bytes([header, *rows], **options)
    result = demo.mis_import.import_data(champion, Kind.LEARNER, data, source="x.csv")
    assert result.changes == () and result.unchanged == len(rows)


def test_a_dry_run_says_what_would_change_and_changes_nothing(demo):
    rows = learner_rows(demo)
    rows[0][4] = "13"
    before = snapshot()
    result = run_import(
        demo,
        "champion.demo",
        [LEARNER_HEADER, *rows[:-1], ["New", "Learner", "", "", "7", "7A", "", "900100"]],
        dry_run=True,
    )
    assert result.dry_run
    assert sorted(c.kind for c in result.changes) == sorted(
        [ChangeKind.CHANGED, ChangeKind.LEFT, ChangeKind.NEW]
    )
    assert snapshot() == before


def test_each_import_is_one_audit_event_with_its_counts(demo):
    rows = learner_rows(demo)
    before = AuditRecord.select().count()
    run_import(demo, "champion.demo", [LEARNER_HEADER, *rows[1:]])
    [record] = AuditRecord.select().where(AuditRecord.id > before)
    assert record.action == str(AuditAction.MIS_IMPORT)
    assert record.actor == "champion.demo"
    assert record.school_id == demo_school(demo)
    assert "0 new, 0 changed, 1 left, 0 returned" in record.detail
    assert "mis.csv" in record.detail


def test_only_the_schools_digital_champion_or_an_administrator_imports(demo):
    rows = [LEARNER_HEADER, *learner_rows(demo)]
    for username in ("teacher.demo", "learner.demo", "governor.demo", "nonmis.demo"):
        with pytest.raises(PermissionDenied):
            run_import(demo, username, rows)
    primary = demo.users.school_by_code(demo.users.actor("admin.demo"), PRIMARY)
    with pytest.raises(PermissionDenied):
        run_import(demo, "champion.demo", rows, school_id=primary.id)
    with pytest.raises(InvalidInput, match="Name the school"):
        run_import(demo, "admin.demo", rows)
    result = run_import(demo, "admin.demo", rows, school_id=demo_school(demo))
    assert result.changes == ()


def test_the_cli_imports_prints_a_dry_run_and_lists_problems(demo, settings, tmp_path, capsys):
    rows = learner_rows(demo)
    good = tmp_path / "learners.csv"
    good.write_bytes(csv_bytes([LEARNER_HEADER, *rows[1:]]))
    base = ["--db", settings.database_url, "--key-file", str(settings.key_file)]
    assert main([*base, "import", "learners", str(good), "--as", "champion.demo", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("left\t") and "Nothing was changed" in err
    assert main([*base, "import", "learners", str(good), "--as", "champion.demo"]) == 0
    assert "1 left" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([LEARNER_HEADER, ["A", "B", "", "", "99", "", "", "1"]]))
    assert main([*base, "import", "learners", str(bad), "--as", "champion.demo"]) == 5
    assert "line 2: Year" in capsys.readouterr().err
    missing = Path(tmp_path / "nowhere.csv")
    assert main([*base, "import", "staff", str(missing), "--as", "champion.demo"]) == 5


def test_usernames_for_many_are_those_given_one_at_a_time():
    people = [("Siôn", "Jones"), ("Sara", "Jones"), ("Siôn", "Jones"), ("Ann", "Ó Briain")] * 40
    taken = {"sjones", "sjones3", "aobriain2"}
    one_at_a_time = set(taken)
    expected = []
    for forename, surname in people:
        expected.append(unique_username(forename, surname, one_at_a_time.__contains__))
        one_at_a_time.add(expected[-1])
    assert unique_usernames(people, taken) == expected
    assert taken == one_at_a_time


def test_a_long_classes_cell_is_fine_but_each_class_name_is_checked(demo, champion):
    header = [*LEARNER_HEADER, "Classes"]
    rows = [[*row, ""] for row in learner_rows(demo)]
    rows[0][-1] = ";".join(f"Set {number}" for number in range(40))
    demo.mis_import.import_data(champion, Kind.LEARNER, csv_bytes([header, *rows]), source="x")
    assert len(demo.users.details(champion, rows[0][2]).classes) == 40
    for bad, problem in (("Ma1;" + "x" * 101, "longer than 100"), ("Ma1;Cy\x07", "control")):
        rows[1][-1] = bad
        with pytest.raises(FileRefused, match=f"line 3: Classes .*{problem}"):
            demo.mis_import.import_data(
                champion, Kind.LEARNER, csv_bytes([header, *rows]), source="x"
            )


def test_an_unknown_school_is_refused(demo):
    admin = demo.users.actor("admin.demo")
    with pytest.raises(NotFound):
        demo.mis_import.import_data(
            admin, Kind.LEARNER, csv_bytes([LEARNER_HEADER]), source="x", school_id=999_999
        )
