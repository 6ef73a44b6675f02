"""The All Pupils and All Staff CSV files: the guide's columns, in its order, and inert cells."""

from __future__ import annotations

import csv
import io
import os
import stat

import pytest

from hwb_tui.domain.errors import InvalidInput
from hwb_tui.domain.model import PasswordStatus
from hwb_tui.domain.rights import Download
from hwb_tui.services.csv_export import neutralise
from hwb_tui.store.models import Account
from tests import guide
from tests.credential_files import render_csv
from tests.population import Population, build_population


@pytest.fixture
def population(hwb) -> Population:
    return build_population(hwb)


def read_csv(path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Welsh letters right
    text = raw[3:].decode("utf-8")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text, newline="")))


def header(path) -> list[str]:
    return next(csv.reader(io.StringIO(path.read_bytes()[3:].decode("utf-8"), newline="")))


def test_all_pupils_has_the_guides_columns_and_values(hwb, population, tmp_path):
    path = tmp_path / "pupils.csv"
    teacher = hwb.users.actor("staff.s1")
    hwb.passwords.change_own(hwb.users.actor("learner.s1"), "Fy Nghyfrinair 1")
    result = hwb.exports.download(teacher, Download.ALL_PUPILS, path)
    assert header(path) == guide.PUPIL_COLUMNS
    [row] = read_csv(path)
    learner = Account.get(Account.username == "learner.s1")
    assert row == {
        "Forename": "Siôn",
        "Surname": "Ó Briain",
        "Username": "learner.s1",
        "Password": "User changed password",
        "Date created": learner.created_at.strftime("%d/%m/%Y"),
        "Year": "9",
        "Reg group": "9A",
        "Consent": "Yes" if learner.consent else "No",
        "Admission number": learner.admission_number,
    }
    assert (result.rows, result.with_passwords) == (1, 0)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_all_staff_has_the_guides_columns_and_values(hwb, population, tmp_path):
    path = tmp_path / "staff.csv"
    champion = hwb.users.actor("champion.s1")
    Account.update(password_status=str(PasswordStatus.UNAVAILABLE), sealed_password=None).where(
        Account.username == "staff.s1"
    ).execute()
    result = hwb.exports.download(champion, Download.ALL_STAFF, path)
    assert header(path) == guide.STAFF_COLUMNS
    rows = {row["Username"]: row for row in read_csv(path)}
    assert set(rows) == {"staff.s1", "champion.s1"}
    assert rows["staff.s1"]["Password"] == "-"
    assert rows["champion.s1"]["Password"] == population.password("champion.s1")
    staff_code = Account.get(Account.username == "champion.s1").staff_code
    assert rows["champion.s1"]["Staff code"] == staff_code
    assert (result.rows, result.with_passwords) == (2, 1)


def test_a_formula_in_a_name_stays_text_in_a_spreadsheet(hwb, population, tmp_path):
    Account.update(forename='=HYPERLINK("http://x","y")', surname="+44 1234").where(
        Account.username == "learner.s1"
    ).execute()
    path = tmp_path / "pupils.csv"
    hwb.exports.download(hwb.users.actor("staff.s1"), Download.ALL_PUPILS, path)
    [row] = read_csv(path)
    assert row["Forename"] == '\'=HYPERLINK("http://x","y")'
    assert row["Surname"] == "'+44 1234"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-", "-"),  # the portal's own "-" status stays as it is
        ("Ó Briain", "Ó Briain"),
        ("O'Connor, Jr", "O'Connor, Jr"),
    ],
)
def test_neutralise(value, cell):
    assert neutralise(value) == cell


def test_quotes_commas_and_newlines_survive_a_round_trip():
    values = ['Say "Helo"', "a,b", "two\nlines", "Gwenllïan"]
    data = render_csv(["A", "B", "C", "D"], [values])
    [row] = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))[1:]
    assert row == values


def test_a_download_to_a_missing_folder_or_a_folder_is_refused_and_writes_nothing(
    hwb, population, tmp_path
):
    teacher = hwb.users.actor("staff.s1")
    with pytest.raises(InvalidInput, match="does not exist"):
        hwb.exports.download(teacher, Download.ALL_PUPILS, tmp_path / "missing" / "p.csv")
    with pytest.raises(InvalidInput, match="folder"):
        hwb.exports.download(teacher, Download.ALL_PUPILS, tmp_path)
    assert not list(tmp_path.glob("**/*.csv*"))
