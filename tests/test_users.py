"""Finding users: names kept exactly, search, details and schools, on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata

import pytest

from hwb_tui.domain.errors import InvalidInput, NotFound, PermissionDenied
from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.store.models import Account, ClassMembership, SchoolClass
from tests.population import NAMES, Population, build_population

WELSH_NAMES = ("Siôn", "Gwenllïan", "Llŷr", "Zoë", "Ó Briain", "Ŵyn")


@pytest.fixture
def population(hwb) -> Population:
    return build_population(hwb)


def test_names_keep_every_letter_exactly(hwb, population):
    admin = hwb.users.actor("admin.hwb")
    listed = {
        (row.forename, row.surname)
        for kind in (Kind.LEARNER, Kind.STAFF, Kind.GOVERNOR, Kind.NON_MIS)
        for row in hwb.users.list_users(admin, kind)
    }
    assert listed == set(NAMES)
    spelled = " ".join(f"{forename} {surname}" for forename, surname in listed)
    for name in WELSH_NAMES:
        assert name in spelled


def test_a_decomposed_name_is_not_normalised(hwb, population):
    """What the MIS sends is kept byte for byte, even when it is NFD rather than NFC."""
    decomposed = unicodedata.normalize("NFD", "Siôn")
    assert decomposed != "Siôn"
    Account.update(forename=decomposed).where(Account.username == "learner.s1").execute()
    teacher = hwb.users.actor("staff.s1")
    [row] = hwb.users.list_users(teacher, Kind.LEARNER)
    assert row.forename == decomposed
    assert hwb.users.details(teacher, "learner.s1").summary.forename == decomposed


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("briain", {"learner.s1"}),  # part of "Ó Briain", in another case
        ("Ó Bri", {"learner.s1"}),
        ("Siôn", {"learner.s1"}),
        ("SIÔN", {"learner.s1"}),  # case is folded in every alphabet, on SQLite too
        ("ŵyn", {"learner.s2"}),
        ("ó briain", {"learner.s1"}),
        ("llŷr", {"learner.p1", "learner.p2"}),  # a forename and part of a surname
        ("learner.p", {"learner.p1", "learner.p2"}),
        ("A00002", {"learner.p1"}),  # an admission number
        ("%", set()),  # wildcards are plain characters
        ("_", set()),
        ("nobody", set()),
    ],
)
def test_search_matches_part_of_a_name_username_or_admission_number(hwb, population, term, found):
    admin = hwb.users.actor("admin.hwb")
    rows = hwb.users.list_users(admin, Kind.LEARNER, search=term)
    assert {row.username for row in rows} == found


@pytest.mark.parametrize(
    ("term", "message"),
    [("x" * 101, "at most 100"), ("Siôn\x1b[31m", "control"), ("a\u202eb", "control")],
)
def test_a_bad_search_term_is_refused_clearly(hwb, population, term, message):
    with pytest.raises(InvalidInput, match=message):
        hwb.users.list_users(hwb.users.actor("staff.p1"), Kind.LEARNER, search=term)


def test_details_show_what_the_portal_shows(hwb, population):
    school_id = population.school_ids["s1"]
    learner = Account.get(Account.username == "learner.s1")
    for name in ("9Ma1", "9Cy2"):
        ClassMembership.create(
            account=learner.id, school_class=SchoolClass.create(school=school_id, name=name).id
        )
    details = hwb.users.details(hwb.users.actor("staff.s1"), "learner.s1")
    assert details.classes == ("9Cy2", "9Ma1")
    assert details.summary.year == "9" and details.summary.reg_group == "9A"
    assert details.summary.status is PasswordStatus.AVAILABLE
    assert details.admission_number == learner.admission_number
    assert details.consent is learner.consent
    assert details.staff_code is None
    staff = hwb.users.details(hwb.users.actor("champion.s1"), "staff.s1")
    assert staff.staff_code and staff.classes == ()


def test_schools_by_code(hwb, population):
    teacher = hwb.users.actor("staff.s1")
    assert hwb.users.school_by_code(teacher, " 6614001 ").name == "Ysgol Uwchradd Bryn Ŵyn"
    with pytest.raises(PermissionDenied, match="another school"):
        hwb.users.school_by_code(teacher, "6614002")
    with pytest.raises(NotFound, match="no school"):
        hwb.users.school_by_code(teacher, "0000000")
    admin = hwb.users.actor("admin.hwb")
    assert hwb.users.school_by_code(admin, "6614002").name == "Eastside Comprehensive"
    assert [s.name for s in hwb.users.schools(admin, search="bryn ŵyn")] == [
        "Ysgol Uwchradd Bryn Ŵyn"
    ]
    assert [s.name for s in hwb.users.schools(admin, search="Ysgol")] == [
        "Ysgol Gynradd Aberllyn",
        "Ysgol Gynradd Llanddewi",
        "Ysgol Uwchradd Bryn Ŵyn",
    ]


def test_a_list_of_another_school_is_refused_to_school_staff(hwb, population):
    teacher = hwb.users.actor("staff.s1")
    with pytest.raises(PermissionDenied, match="another school"):
        hwb.users.list_users(teacher, Kind.LEARNER, school_id=population.school_ids["s2"])
