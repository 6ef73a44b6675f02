"""The demo database: what issue 2 promises it holds, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest

from hwb_tui.domain.errors import InvalidInput
from hwb_tui.domain.model import SCHOOL_KINDS, Kind, PasswordStatus, Phase, is_primary_year
from hwb_tui.services.demo import DEMO_PASSWORD
from hwb_tui.store.models import School

# The sign-ins the issue names, with what each must be.
SIGN_INS = {
    "admin.demo": (Kind.HWB_ADMIN, None, False),
    "champion.demo": (Kind.STAFF, Phase.SECONDARY, True),
    "teacher.demo": (Kind.STAFF, Phase.SECONDARY, False),
    "learner.demo": (Kind.LEARNER, Phase.SECONDARY, False),
    "primary.demo": (Kind.LEARNER, Phase.PRIMARY, False),
    "governor.demo": (Kind.GOVERNOR, Phase.SECONDARY, False),
    "nonmis.demo": (Kind.NON_MIS, Phase.SECONDARY, False),
}


def everyone(hwb):
    admin = hwb.users.actor("admin.demo")
    return [row for kind in SCHOOL_KINDS for row in hwb.users.list_users(admin, kind)]


def test_the_demo_holds_what_issue_2_promises(demo):
    """One build per database (building is the slow part), checked from several sides."""
    the_named_sign_ins_exist_and_work(demo)
    two_schools_one_of_each_phase_with_every_kind_of_user(demo)
    registration_groups_years_and_statuses(demo)


def the_named_sign_ins_exist_and_work(demo):
    schools = {school.id: school for school in demo.users.schools(demo.users.actor("admin.demo"))}
    for username, (kind, phase, champion) in SIGN_INS.items():
        actor = demo.passwords.sign_in(username, DEMO_PASSWORD)
        assert actor.kind is kind, username
        assert actor.is_digital_champion is champion, username
        assert (schools[actor.school_id].phase if actor.school_id else None) == phase, username
    learner = demo.users.details(demo.users.actor("learner.demo"), "learner.demo")
    assert learner.summary.reg_group == "9A"
    assert [sign_in.username for sign_in in demo.demo.sign_ins()] == list(SIGN_INS)


def two_schools_one_of_each_phase_with_every_kind_of_user(demo):
    schools = demo.users.schools(demo.users.actor("admin.demo"))
    assert sorted((s.code, s.phase) for s in schools) == [
        ("6612001", Phase.PRIMARY),
        ("6614050", Phase.SECONDARY),
    ]
    rows = everyone(demo)
    for school in schools:
        mine = [row for row in rows if row.school_id == school.id]
        assert {row.kind for row in mine} == set(SCHOOL_KINDS), school.name
        champions = [row for row in mine if row.is_digital_champion]
        assert len(champions) == 1 and champions[0].kind is Kind.STAFF, school.name


def registration_groups_years_and_statuses(demo):
    learners = [row for row in everyone(demo) if row.kind is Kind.LEARNER]
    for row in learners:
        assert re.fullmatch(r"(N|R|[1-9]|1[0-3])[A-D]", row.reg_group), row.reg_group
        assert row.reg_group.startswith(row.year)
    assert {row.status for row in everyone(demo)} == set(PasswordStatus)
    primary = [row for row in learners if is_primary_year(row.year)]
    assert primary
    assert PasswordStatus.USER_CHANGED not in {row.status for row in primary}


def test_a_demo_needs_force_to_be_built_again(demo):
    with pytest.raises(InvalidInput, match="--force"):
        demo.demo.build()
    assert demo.demo.build(force=True)
    assert demo.demo.is_demo()
    assert demo.passwords.sign_in("teacher.demo", DEMO_PASSWORD).username == "teacher.demo"


def test_a_database_with_only_schools_is_not_overwritten(hwb):
    with hwb.context.db.atomic():
        School.create(code="6619999", name="Ysgol Newydd", phase="primary")
    with pytest.raises(InvalidInput, match="real users"):
        hwb.demo.build(force=True)
    assert [school.code for school in School.select()] == ["6619999"]
