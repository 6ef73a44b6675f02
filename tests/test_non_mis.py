"""Non-MIS users: end dates, expiry, extension, removal, rights, audit and the CLI."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from hwb_tui.cli import main
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from hwb_tui.domain.membership import EndChoice, add_months, end_date, end_of_school_year
from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.services.config import Settings
from hwb_tui.services.demo import DEMO_PASSWORD
from hwb_tui.store.models import Account, AuditRecord

TODAY = dt.date.today()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """No wait after a failed sign-in: these tests sign in again after a refusal on purpose."""
    env = {**os.environ, "HWB_SIGN_IN_DELAY_SECONDS": "0"}
    return Settings.resolve(database_url, tmp_path / "hwb.key", env=env)


@pytest.fixture
def champion(demo):
    return demo.users.actor("champion.demo")


def expire(username: str, days_ago: int = 1) -> None:
    Account.update(expires_on=TODAY - dt.timedelta(days=days_ago)).where(
        Account.username == username
    ).execute()


@pytest.mark.parametrize(
    ("start", "choice", "expected"),
    [
        (dt.date(2027, 1, 31), EndChoice.ONE_MONTH, dt.date(2027, 2, 28)),
        (dt.date(2028, 1, 31), EndChoice.ONE_MONTH, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 15), EndChoice.THREE_MONTHS, dt.date(2027, 2, 15)),
        (dt.date(2026, 9, 1), EndChoice.SIX_MONTHS, dt.date(2027, 3, 1)),
        (dt.date(2026, 9, 1), EndChoice.SCHOOL_YEAR, dt.date(2027, 8, 31)),
        (dt.date(2027, 8, 31), EndChoice.SCHOOL_YEAR, dt.date(2027, 8, 31)),
        (dt.date(2027, 3, 1), EndChoice.SCHOOL_YEAR, dt.date(2027, 8, 31)),
    ],
)
def test_end_dates(start, choice, expected):
    assert end_date(choice, start) == expected


def test_month_arithmetic_across_years():
    assert add_months(dt.date(2026, 12, 31), 6) == dt.date(2027, 6, 30)
    assert end_of_school_year(dt.date(2026, 12, 31)) == dt.date(2027, 8, 31)


@pytest.mark.parametrize("choice", list(EndChoice))
def test_a_champion_adds_a_non_mis_user_with_an_end_date(demo, champion, choice):
    added = demo.non_mis.add(champion, "Siân", "Ó Briain", choice)
    assert added.password is None
    assert added.user.expires_on == end_date(choice, TODAY)
    assert added.user.status is PasswordStatus.UNAVAILABLE
    assert not added.user.expired and not added.user.left
    row = Account.get(Account.username == added.user.username)
    assert (row.kind, row.school_id, row.forename) == (
        str(Kind.NON_MIS),
        champion.school_id,
        "Siân",
    )
    listed = demo.users.list_users(champion, Kind.NON_MIS)
    assert added.user.username in {user.username for user in listed}


def test_a_generated_password_signs_in_until_the_account_expires(demo, champion):
    added = demo.non_mis.add(champion, "Tom", "Supply", EndChoice.ONE_MONTH, generate=True)
    username = added.user.username
    assert demo.passwords.reveal(champion, username) == added.password
    assert demo.passwords.sign_in(username, added.password).username == username
    expire(username)
    with pytest.raises(AuthenticationFailed):
        demo.passwords.sign_in(username, added.password)
    with pytest.raises(PermissionDenied, match="expired"):
        demo.passwords.start_forced_session(username)
    [shown] = [u for u in demo.non_mis.list_users(champion) if u.username == username]
    assert shown.expired
    extended = demo.non_mis.extend(champion, username, EndChoice.THREE_MONTHS)
    assert extended.expires_on == end_date(EndChoice.THREE_MONTHS, TODAY)
    assert not extended.expired
    assert demo.passwords.sign_in(username, added.password).username == username


def test_the_last_day_is_still_open(demo, champion):
    expire("nonmis.demo", days_ago=0)
    assert demo.passwords.sign_in("nonmis.demo", DEMO_PASSWORD).username == "nonmis.demo"


def test_the_non_mis_list_shows_each_end_date_and_which_have_expired(demo, champion):
    added = demo.non_mis.add(champion, "Val", "Volunteer", EndChoice.ONE_MONTH)
    expire("nonmis.demo")
    page = {row.username: row for row in demo.users.page(champion, Kind.NON_MIS).rows}
    listed = {row.username: row for row in demo.users.list_users(champion, Kind.NON_MIS)}
    assert page == listed  # pages and the whole list agree, on both databases
    assert (page["nonmis.demo"].ends_on, page["nonmis.demo"].expired) == (
        TODAY - dt.timedelta(days=1),
        True,
    )
    assert (page[added.user.username].ends_on, page[added.user.username].expired) == (
        added.user.expires_on,
        False,
    )
    assert all(
        row.ends_on is None and not row.expired
        for row in demo.users.page(champion, Kind.STAFF).rows
    )


def test_extending_counts_from_the_current_end_and_never_shortens(demo, champion):
    added = demo.non_mis.add(champion, "Val", "Volunteer", EndChoice.SIX_MONTHS)
    username = added.user.username
    later = demo.non_mis.extend(champion, username, EndChoice.ONE_MONTH)
    assert later.expires_on == add_months(added.user.expires_on, 1)
    Account.update(expires_on=end_of_school_year(TODAY)).where(
        Account.username == username
    ).execute()
    with pytest.raises(InvalidInput, match="already runs to"):
        demo.non_mis.extend(champion, username, EndChoice.SCHOOL_YEAR)


def test_removing_marks_as_left_keeps_the_row_and_stops_sign_in(demo, champion):
    before = Account.select().count()
    removed = demo.non_mis.remove(champion, "nonmis.demo")
    assert removed.left
    assert Account.select().count() == before
    assert "nonmis.demo" not in {u.username for u in demo.users.list_users(champion, Kind.NON_MIS)}
    assert "nonmis.demo" not in {u.username for u in demo.non_mis.list_users(champion)}
    assert "nonmis.demo" in {
        u.username for u in demo.non_mis.list_users(champion, include_left=True)
    }
    with pytest.raises(AuthenticationFailed):
        demo.passwords.sign_in("nonmis.demo", DEMO_PASSWORD)
    with pytest.raises(InvalidInput, match="already removed"):
        demo.non_mis.remove(champion, "nonmis.demo")
    with pytest.raises(InvalidInput, match="removed"):
        demo.non_mis.extend(champion, "nonmis.demo", EndChoice.ONE_MONTH)


def test_editing_corrects_names_and_keeps_the_username(demo, champion):
    edited = demo.non_mis.edit(champion, "nonmis.demo", forename="Tomos", surname=None)
    assert (edited.username, edited.forename, edited.surname) == ("nonmis.demo", "Tomos", "Visitor")


@pytest.mark.parametrize(
    ("forename", "surname", "problem"),
    [
        ("", "Jones", "empty"),
        ("Ann\x1b]0;pwned\x07", "Jones", "control"),
        ("Ann", "Jo\u202ees", "control"),
        ("A" * 101, "Jones", "longer"),
    ],
)
def test_bad_names_are_refused_and_change_nothing(demo, champion, forename, surname, problem):
    before = list(Account.select().order_by(Account.id).tuples())
    audit_before = AuditRecord.select().count()
    with pytest.raises(InvalidInput, match=problem):
        demo.non_mis.add(champion, forename, surname, EndChoice.ONE_MONTH)
    with pytest.raises(InvalidInput, match=problem):
        demo.non_mis.edit(champion, "nonmis.demo", forename=forename, surname=surname)
    assert list(Account.select().order_by(Account.id).tuples()) == before
    assert AuditRecord.select().count() == audit_before


def test_only_the_schools_digital_champion_manages_non_mis_users(demo):
    for username in ("teacher.demo", "admin.demo", "learner.demo", "governor.demo"):
        actor = demo.users.actor(username)
        with pytest.raises(PermissionDenied):
            demo.non_mis.add(actor, "A", "B", EndChoice.ONE_MONTH)
        with pytest.raises(PermissionDenied):
            demo.non_mis.extend(actor, "nonmis.demo", EndChoice.ONE_MONTH)
    primary_non_mis = (
        Account.select()
        .where((Account.kind == str(Kind.NON_MIS)) & (Account.username != "nonmis.demo"))
        .where(Account.school != demo.users.actor("champion.demo").school_id)
        .first()
    )
    champion = demo.users.actor("champion.demo")
    with pytest.raises(PermissionDenied):
        demo.non_mis.remove(champion, primary_non_mis.username)
    with pytest.raises(InvalidInput, match="not a non-MIS user"):
        demo.non_mis.remove(champion, "teacher.demo")
    with pytest.raises(NotFound):
        demo.non_mis.remove(champion, "nobody.here")


def test_each_change_is_audited(demo, champion):
    before = AuditRecord.select().count()
    added = demo.non_mis.add(champion, "Ann", "Audit", EndChoice.ONE_MONTH)
    demo.non_mis.edit(champion, added.user.username, forename="Anne", surname=None)
    demo.non_mis.extend(champion, added.user.username, EndChoice.ONE_MONTH)
    demo.non_mis.remove(champion, added.user.username)
    records = list(AuditRecord.select().where(AuditRecord.id > before).order_by(AuditRecord.id))
    assert [r.action for r in records] == [
        AuditAction.NON_MIS_ADD,
        AuditAction.NON_MIS_EDIT,
        AuditAction.NON_MIS_EXTEND,
        AuditAction.NON_MIS_REMOVE,
    ]
    assert {r.target for r in records} == {added.user.username}
    assert {r.actor for r in records} == {"champion.demo"}


def test_the_cli(demo, settings, capsys):
    base = ["--db", settings.database_url, "--key-file", str(settings.key_file)]
    as_champion = ["--as", "champion.demo"]
    assert main([*base, "non-mis", "add", "Cai", "Cymorth", "--ends", "3m", *as_champion]) == 0
    added = capsys.readouterr().out.split("\t")
    assert added[2] == "ccymorth" and added[4] == "active"
    expire("ccymorth")
    assert main([*base, "non-mis", "list", *as_champion]) == 0
    assert "ccymorth\t" + (TODAY - dt.timedelta(days=1)).isoformat() + "\texpired" in (
        capsys.readouterr().out
    )
    assert main([*base, "non-mis", "extend", "ccymorth", "--ends", "1m", *as_champion]) == 0
    assert "\tactive\t" in capsys.readouterr().out
    assert main([*base, "non-mis", "remove", "ccymorth", *as_champion]) == 0
    assert main([*base, "non-mis", "list", "--as", "teacher.demo"]) == 3
    assert main([*base, "non-mis", "add", "A", "B", "--ends", "2y", *as_champion]) == 2
