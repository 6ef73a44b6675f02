"""Every cell of the guide's rights table, through the services, on SQLite and PostgreSQL.

The expectations are written here as the guide says them, not read from domain/rights.py, so a
wrong rule there makes these tests fail. Each test walks every acting role (Hwb administrator,
Digital Champion, staff, primary and secondary learner, governor, non-MIS user) against every
kind of account in the same school and in other schools, and lists every cell that disagrees.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import HwbError, InvalidInput, PasswordUnavailable, PermissionDenied
from hwb_tui.domain.model import SCHOOL_KINDS, Kind, PasswordStatus
from hwb_tui.domain.rights import Download
from tests.population import SCHOOLS, Person, Population, build_population
from tests.stored import password_is

SCHOOL_STAFF = "any staff user of the school"  # Digital Champions are staff too
CHAMPION = "a Digital Champion of the school"
ADMIN = "a Hwb administrator"
NOBODY: frozenset[str] = frozenset()

# "Learner passwords may be reset by ANY school staff user and Hwb administrators."
# "School staff passwords may be reset by a school's Digital Champion and Hwb administrators."
# "Governor passwords may be reset by a Digital Champion."
# "School Non-MIS passwords may be reset by a Digital Champion."
# The guide gives no school role any power over a Hwb administrator's account.
MAY_RESET = {
    Kind.LEARNER: {SCHOOL_STAFF, ADMIN},
    Kind.STAFF: {CHAMPION, ADMIN},
    Kind.GOVERNOR: {CHAMPION},
    Kind.NON_MIS: {CHAMPION},
    Kind.HWB_ADMIN: NOBODY,
}
# Showing, copying and printing with the password: learners "available to all school staff and
# Hwb administrators"; staff, governors and non-MIS users "available to school Digital Champions
# and Hwb administrators".
MAY_SEE = {
    Kind.LEARNER: {SCHOOL_STAFF, ADMIN},
    Kind.STAFF: {CHAMPION, ADMIN},
    Kind.GOVERNOR: {CHAMPION, ADMIN},
    Kind.NON_MIS: {CHAMPION, ADMIN},
    Kind.HWB_ADMIN: NOBODY,
}
# The lists and View Details are where those actions start, so they follow the same rights.
MAY_VIEW = MAY_SEE
# Download Passwords: All Pupils "available to all school staff and Hwb administrators";
# All Staff "available to school Digital Champions and Hwb administrators".
MAY_DOWNLOAD = {
    Download.ALL_PUPILS: {SCHOOL_STAFF, ADMIN},
    Download.ALL_STAFF: {CHAMPION, ADMIN},
}
# Issue 2: "administrators see everything, Digital Champions their school; anyone else is refused".
MAY_READ_WHOLE_AUDIT = {ADMIN}
MAY_READ_SCHOOL_AUDIT = {CHAMPION}


def standing(actor: Person, school: str | None) -> set[str]:
    """What the actor is towards the users of one school: nobody acts across schools but admins."""
    if actor.kind is Kind.HWB_ADMIN:
        return {ADMIN}
    if actor.kind is not Kind.STAFF or school is None or actor.school != school:
        return set()
    return {SCHOOL_STAFF, CHAMPION} if actor.is_digital_champion else {SCHOOL_STAFF}


def relation(actor: Person, target: Person) -> str:
    if target.school is None:
        return "no school"
    return "same school" if actor.school == target.school else "other school"


def describe(actor: Person, verb: str, target: Person) -> str:
    return f"{actor.username} {verb} {target.kind} {target.username} ({relation(actor, target)})"


def is_primary_learner(person: Person) -> bool:
    """ "All users, except primary school learners, can reset their own passwords." """
    return person.kind is Kind.LEARNER and person.school.startswith("p")


class Cells:
    """Runs each cell, and keeps every disagreement with the guide for one readable failure."""

    def __init__(self) -> None:
        self.checked = 0
        self.mismatches: list[str] = []

    def run(self, cell: str, expected: bool, call: Callable[[], object]) -> object:
        self.checked += 1
        try:
            result = call()
        except PermissionDenied:
            allowed, result = False, None
        except HwbError as error:
            self.mismatches.append(f"{cell}: {type(error).__name__}: {error}")
            return None
        else:
            allowed = True
        if allowed != expected:
            said = {True: "allowed", False: "refused"}
            self.mismatches.append(f"{cell}: guide says {said[expected]}, got {said[allowed]}")
        return result

    def note(self, cell: str, problem: str) -> None:
        self.mismatches.append(f"{cell}: {problem}")

    def assert_all_agree(self, at_least: int) -> None:
        if self.mismatches:
            pytest.fail("\n".join(self.mismatches), pytrace=False)
        assert self.checked >= at_least


@pytest.fixture
def population(hwb) -> Population:
    return build_population(hwb)


def pairs(population: Population):
    """Every user as the actor, against every other account as the target."""
    for actor in population.people.values():
        for target in population.people.values():
            if target.username != actor.username:
                yield actor, target


def test_the_population_has_every_role_and_relation(population):
    roles = {(p.role, p.kind) for p in population.people.values()}
    assert ("admin", Kind.HWB_ADMIN) in roles
    assert {"learner", "staff", "champion", "governor", "nonmis"} <= {r for r, _ in roles}
    assert any(is_primary_learner(p) for p in population.people.values())
    assert any(
        p.kind is Kind.LEARNER and not is_primary_learner(p) for p in population.people.values()
    )


@pytest.mark.parametrize("purpose", [AuditAction.REVEAL, AuditAction.COPY, AuditAction.PRINT])
def test_see_copy_print_follow_the_guide(hwb, population, purpose):
    cells = Cells()
    for actor, target in pairs(population):
        expected = bool(MAY_SEE[target.kind] & standing(actor, target.school))
        cell = describe(actor, purpose, target)
        shown = cells.run(
            cell,
            expected,
            partial(
                hwb.passwords.reveal, hwb.users.actor(actor.username), target.username, purpose
            ),
        )
        if shown is not None and shown != target.password:
            cells.note(cell, "the password shown is not the stored one")
    cells.assert_all_agree(at_least=len(population.people) * 20)


def test_reset_follows_the_guide(hwb, population):
    cells = Cells()
    current = {name: person.password for name, person in population.people.items()}
    for actor, target in pairs(population):
        expected = bool(MAY_RESET[target.kind] & standing(actor, target.school))
        cell = describe(actor, "reset", target)
        result = cells.run(
            cell,
            expected,
            partial(hwb.passwords.reset, hwb.users.actor(actor.username), target.username),
        )
        if result is not None:
            current[target.username] = result.password
        if not password_is(hwb, target.username, current[target.username]):
            cells.note(cell, "the password afterwards is not the one expected")
    cells.assert_all_agree(at_least=len(population.people) * 20)


def test_lists_and_details_follow_the_guide(hwb, population):
    cells = Cells()
    for actor in population.people.values():
        acting = hwb.users.actor(actor.username)
        for label, _, _ in SCHOOLS:
            school_id = population.school_ids[label]
            for kind in SCHOOL_KINDS:
                expected = bool(MAY_VIEW[kind] & standing(actor, label))
                cell = f"{actor.username} list {kind} of {label}"
                rows = cells.run(
                    cell,
                    expected,
                    partial(hwb.users.list_users, acting, kind, school_id=school_id),
                )
                wanted = {p.username for p in population.in_school(label, kind)}
                if rows is not None and {row.username for row in rows} != wanted:
                    cells.note(cell, f"listed {sorted(r.username for r in rows)}")
            visible = set(hwb.users.visible_kinds(acting, school_id))
            if visible != {k for k in SCHOOL_KINDS if MAY_VIEW[k] & standing(actor, label)}:
                cells.note(f"{actor.username} visible kinds in {label}", f"got {sorted(visible)}")
        cells.run(
            f"{actor.username} list Hwb administrators",
            False,
            partial(hwb.users.list_users, acting, Kind.HWB_ADMIN),
        )
    for actor, target in pairs(population):
        expected = bool(MAY_VIEW[target.kind] & standing(actor, target.school))
        cells.run(
            describe(actor, "details of", target),
            expected,
            partial(hwb.users.details, hwb.users.actor(actor.username), target.username),
        )
    cells.assert_all_agree(at_least=len(population.people) * 30)


def test_everyone_sees_their_own_details(hwb, population):
    for name in population.people:
        details = hwb.users.details(hwb.users.actor(name), name)
        assert details.username == name


def test_an_admin_lists_every_school_and_others_only_their_own(hwb, population):
    admin = hwb.users.actor("admin.hwb")
    everyone = {p.username for p in population.people.values() if p.kind is Kind.LEARNER}
    assert {row.username for row in hwb.users.list_users(admin, Kind.LEARNER)} == everyone
    teacher = hwb.users.actor("staff.s1")
    assert {row.username for row in hwb.users.list_users(teacher, Kind.LEARNER)} == {"learner.s1"}
    assert [s.code for s in hwb.users.schools(teacher)] == ["6614001"]
    assert len(hwb.users.schools(admin)) == len(SCHOOLS)


def test_downloads_follow_the_guide(hwb, population, tmp_path: Path):
    cells = Cells()
    for actor in population.people.values():
        acting = hwb.users.actor(actor.username)
        for label, _, _ in SCHOOLS:
            for download in Download:
                expected = bool(MAY_DOWNLOAD[download] & standing(actor, label))
                path = tmp_path / f"{actor.username}-{label}-{download.name}.csv"
                cell = f"{actor.username} download {download} of {label}"
                result = cells.run(
                    cell,
                    expected,
                    partial(
                        hwb.exports.download, acting, download, path, population.school_ids[label]
                    ),
                )
                if path.exists() != expected:
                    cells.note(cell, f"file written: {path.exists()}")
                kind = Kind.LEARNER if download is Download.ALL_PUPILS else Kind.STAFF
                if result is not None and result.rows != len(population.in_school(label, kind)):
                    cells.note(cell, f"{result.rows} rows")
    cells.assert_all_agree(at_least=len(population.people) * 8)


def test_a_download_without_a_school_is_the_actors_own_school_or_must_name_one(
    hwb, population, tmp_path
):
    teacher = hwb.users.actor("staff.p2")
    result = hwb.exports.download(teacher, Download.ALL_PUPILS, tmp_path / "own.csv")
    assert result.rows == len(population.in_school("p2", Kind.LEARNER))
    with pytest.raises(InvalidInput, match="Name the school"):
        hwb.exports.download(
            hwb.users.actor("admin.hwb"), Download.ALL_PUPILS, tmp_path / "any.csv"
        )
    assert not (tmp_path / "any.csv").exists()


def test_changing_ones_own_password_follows_the_guide(hwb, population):
    cells = Cells()
    for person in population.people.values():
        expected = not is_primary_learner(person)
        new_password = f"Newydd{person.username.replace('.', '')}9"
        cells.run(
            f"{person.username} changes own password",
            expected,
            partial(hwb.passwords.change_own, hwb.users.actor(person.username), new_password),
        )
        now_valid = new_password if expected else person.password
        if not password_is(hwb, person.username, now_valid):
            cells.note(person.username, "the password afterwards is not the one expected")
        details = hwb.users.details(hwb.users.actor(person.username), person.username)
        status = PasswordStatus.USER_CHANGED if expected else PasswordStatus.AVAILABLE
        if details.summary.status is not status:
            cells.note(person.username, f"status {details.summary.status}")
    cells.assert_all_agree(at_least=len(population.people))


def test_a_user_changed_password_cannot_be_seen_by_anyone(hwb, population):
    hwb.passwords.change_own(hwb.users.actor("learner.s1"), "MyOwnSecret77")
    for viewer in ("admin.hwb", "staff.s1", "champion.s1"):
        with pytest.raises(PasswordUnavailable, match="User changed password"):
            hwb.passwords.reveal(hwb.users.actor(viewer), "learner.s1")


def test_reading_the_audit_trail_follows_the_guide(hwb, population):
    admin = hwb.users.actor("admin.hwb")
    for label, _, _ in SCHOOLS:
        hwb.passwords.reveal(admin, f"learner.{label}")
    everything = hwb.audit.entries(admin)
    cells = Cells()
    for actor in population.people.values():
        school_id = population.school_ids.get(actor.school)
        whole = bool(MAY_READ_WHOLE_AUDIT & standing(actor, actor.school))
        own_school = bool(MAY_READ_SCHOOL_AUDIT & standing(actor, actor.school))
        cell = f"{actor.username} reads the audit trail"
        entries = cells.run(
            cell, whole or own_school, partial(hwb.audit.entries, hwb.users.actor(actor.username))
        )
        if entries is None:
            continue
        visible = everything if whole else [e for e in everything if e.school_id == school_id]
        if [e.id for e in entries] != [e.id for e in visible]:
            cells.note(cell, f"saw records of schools {sorted({e.school_id for e in entries})}")
    cells.assert_all_agree(at_least=len(population.people))
