"""Group resets as durable jobs, on SQLite and PostgreSQL, through the services and the CLI."""

from __future__ import annotations

import pytest

from hwb_tui.cli import main
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import InvalidInput, NotFound, PermissionDenied
from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.services.hwb import Hwb
from hwb_tui.services.jobs import GroupType, Jobs, JobState
from hwb_tui.store.models import (
    Account,
    AuditRecord,
    ClassMembership,
    GroupJob,
    GroupJobLearner,
    SchoolClass,
    utc_now,
)
from hwb_tui.store.models import School as SchoolRow
from tests.stored import password_is

SECONDARY = "6614050"
PRIMARY = "6612001"


# -- helpers shared with test_group_jobs_kill.py ------------------------------------------------


def add_learners(reg_group: str, count: int, school_code: str = SECONDARY) -> list[int]:
    """Learners with no password yet ("-"), in a registration group of their own."""
    school = SchoolRow.get(SchoolRow.code == school_code)
    year = reg_group.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return [
        Account.create(
            username=f"{reg_group.lower()}.{number}",
            forename="Llŷr",
            surname=f"Learner {number:03d}",
            kind=str(Kind.LEARNER),
            school=school.id,
            year=year,
            reg_group=reg_group,
            password_status=str(PasswordStatus.UNAVAILABLE),
        ).id
        for number in range(count)
    ]


def group_ids(school_code: str, reg_group: str) -> list[int]:
    school = SchoolRow.get(SchoolRow.code == school_code)
    query = Account.select(Account.id).where(
        Account.school == school.id,
        Account.reg_group == reg_group,
        Account.kind == str(Kind.LEARNER),
    )
    return sorted(row.id for row in query)


def account_state() -> dict[int, tuple]:
    """Every account's password columns: to show that something changed nothing."""
    return {
        row.id: (row.password_hash, row.sealed_password, row.password_status)
        for row in Account.select()
    }


def assert_consistent(hwb: Hwb, account_ids) -> None:
    """Each account with a stored copy: the copy opens and verifies against the hash."""
    sealer, hasher = hwb.context.sealer, hwb.context.hasher
    for row in Account.select().where(Account.id.in_(list(account_ids))):
        if row.password_status != PasswordStatus.AVAILABLE:
            assert row.sealed_password is None or row.password_status == PasswordStatus.UNAVAILABLE
            continue
        password = sealer.open_password(row.id, bytes(row.sealed_password))
        assert hasher.verify(row.password_hash, password), row.username


def group_audits(job_id: int) -> list[str]:
    query = AuditRecord.select().where(
        AuditRecord.action == str(AuditAction.RESET),
        AuditRecord.detail == f"generated, group job {job_id}",
    )
    return [row.target for row in query]


# -- a group reset ---------------------------------------------------------------------------------


def test_reset_of_a_registration_group_gives_every_learner_a_working_password(demo):
    teacher = demo.users.actor("teacher.demo")
    members = group_ids(SECONDARY, "9A")
    before = account_state()

    preview = demo.jobs.preview(teacher, GroupType.REG_GROUP, "9A")
    assert preview.learners == len(members) == 11
    assert preview.school.code == SECONDARY
    assert account_state() == before

    job = demo.jobs.start(teacher, GroupType.REG_GROUP, "9A")
    assert (job.state, job.total, job.reset) == (JobState.PENDING, 11, 0)
    assert account_state() == before  # recording the job changes no password

    seen = []
    done = demo.jobs.run(teacher, job.id, on_progress=seen.append)
    assert (done.state, done.reset, done.skipped) == (JobState.FINISHED, 11, 0)
    assert seen[0].done == 0 and seen[-1].done == 11

    after = account_state()
    for account_id in members:
        assert after[account_id][0] != before[account_id][0]
        assert after[account_id][2] == PasswordStatus.AVAILABLE
    assert {k: v for k, v in after.items() if k not in members} == {
        k: v for k, v in before.items() if k not in members
    }
    assert_consistent(demo, members)
    # One audit record per learner, like a single reset, naming the job.
    usernames = set(demo.jobs.reset_usernames(teacher, job.id))
    assert sorted(group_audits(job.id)) == sorted(usernames)
    assert len(usernames) == 11
    # Another member of staff can print the new passwords: they are the sealed copies.
    champion = demo.users.actor("champion.demo")
    for username in usernames:
        assert password_is(demo, username, demo.passwords.reveal(champion, username))


def test_learners_who_left_are_in_no_group_and_are_left_alone(demo):
    teacher = demo.users.actor("teacher.demo")
    members = group_ids(SECONDARY, "9A")
    job = demo.jobs.start(teacher, GroupType.REG_GROUP, "9A")
    Account.update(left_at=utc_now()).where(Account.id == members[0]).execute()
    assert demo.jobs.preview(teacher, GroupType.REG_GROUP, "9A").learners == 10
    assert [c.learners for c in demo.jobs.groups(teacher, GroupType.REG_GROUP, search="9A")] == [10]
    before = account_state()[members[0]]
    done = demo.jobs.run(teacher, job.id)
    assert (done.reset, done.skipped) == (10, 1)
    assert account_state()[members[0]] == before


def test_class_and_year_groups_and_their_lists(demo):
    teacher = demo.users.actor("teacher.demo")
    years = demo.jobs.groups(teacher, GroupType.YEAR)
    assert [choice.name for choice in years] == ["7", "8", "9", "10", "11", "12", "13"]
    reg_groups = [choice.name for choice in demo.jobs.groups(teacher, GroupType.REG_GROUP)]
    assert reg_groups[:3] == ["7A", "7B", "8A"] and reg_groups[-1] == "13B"
    assert [c.name for c in demo.jobs.groups(teacher, GroupType.REG_GROUP, search="9")] == [
        "9A",
        "9B",
    ]
    class_choice = demo.jobs.groups(teacher, GroupType.CLASS, search="9ma1")[0]
    job = demo.jobs.start(teacher, GroupType.CLASS, class_choice.name)
    assert job.total == class_choice.learners
    members = [
        row.account_id
        for row in ClassMembership.select()
        .join(SchoolClass)
        .where(SchoolClass.name == class_choice.name)
    ]
    demo.jobs.run(teacher, job.id)
    assert_consistent(demo, members)
    year_job = demo.jobs.start(teacher, GroupType.YEAR, " 9 ")
    assert year_job.group_name == "9" and year_job.total == 21
    assert demo.jobs.run(teacher, year_job.id).reset == 21


def test_a_hwb_administrator_names_the_school(demo):
    admin = demo.users.actor("admin.demo")
    primary = demo.users.school_by_code(admin, PRIMARY)
    with pytest.raises(InvalidInput):
        demo.jobs.preview(admin, GroupType.REG_GROUP, "4A")
    job = demo.jobs.start(admin, GroupType.REG_GROUP, "4A", school_id=primary.id)
    assert demo.jobs.run(admin, job.id).reset == 11  # primary.demo is in 4A too
    # The primary school's staff see the job; the secondary school's do not.
    primary_staff = Account.get(
        Account.kind == str(Kind.STAFF), Account.school == primary.id
    ).username
    assert demo.jobs.job(demo.users.actor(primary_staff), job.id).id == job.id
    with pytest.raises(NotFound):
        demo.jobs.job(demo.users.actor("teacher.demo"), job.id)
    assert demo.jobs.jobs(demo.users.actor("teacher.demo")) == ()


BAD_REQUESTS = [
    ("teacher.demo", GroupType.REG_GROUP, "9Z", None, NotFound),
    ("teacher.demo", GroupType.CLASS, "No Such Class", None, NotFound),
    ("teacher.demo", GroupType.YEAR, "14", None, InvalidInput),
    ("teacher.demo", GroupType.YEAR, "3", None, NotFound),  # a primary year, another school
    ("teacher.demo", GroupType.REG_GROUP, "  ", None, InvalidInput),
    ("teacher.demo", GroupType.REG_GROUP, "9A\x1b[2J", None, InvalidInput),
    ("teacher.demo", GroupType.REG_GROUP, "x" * 101, None, InvalidInput),
    ("teacher.demo", GroupType.REG_GROUP, "4A", PRIMARY, PermissionDenied),
    ("learner.demo", GroupType.REG_GROUP, "9A", None, PermissionDenied),
    ("governor.demo", GroupType.REG_GROUP, "9A", None, PermissionDenied),
    ("nonmis.demo", GroupType.REG_GROUP, "9A", None, PermissionDenied),
]


def test_bad_requests_are_refused_and_change_nothing(demo):
    before = (account_state(), AuditRecord.select().count(), GroupJob.select().count())
    for who, group_type, name, school, error in BAD_REQUESTS:
        actor = demo.users.actor(who)
        school_id = SchoolRow.get(SchoolRow.code == school).id if school else None
        with pytest.raises(error):
            demo.jobs.preview(actor, group_type, name, school_id)
        with pytest.raises(error):
            demo.jobs.start(actor, group_type, name, school_id)
    after = (account_state(), AuditRecord.select().count(), GroupJob.select().count())
    assert after == before


def test_a_learner_who_changes_their_own_password_during_the_job_keeps_it(demo):
    teacher = demo.users.actor("teacher.demo")
    learner = demo.users.actor("learner.demo")  # in 9A
    job = demo.jobs.start(teacher, GroupType.REG_GROUP, "9A")

    def learner_changes_password(progress):
        if progress.done == 0:  # the job has started; no batch is written yet
            demo.passwords.change_own(learner, "MyOwnPassword9")

    small_batches = Jobs(demo.context, batch_size=3)
    done = small_batches.run(teacher, job.id, on_progress=learner_changes_password)
    assert (done.reset, done.skipped, done.state) == (10, 1, JobState.FINISHED)
    assert password_is(demo, "learner.demo", "MyOwnPassword9")
    assert Account.get(Account.username == "learner.demo").password_status == (
        PasswordStatus.USER_CHANGED
    )
    assert "learner.demo" not in demo.jobs.reset_usernames(teacher, job.id)
    assert "learner.demo" not in group_audits(job.id)


def test_asking_again_finishes_an_interrupted_job_and_resets_nobody_twice(demo):
    teacher = demo.users.actor("teacher.demo")
    job = demo.jobs.start(teacher, GroupType.REG_GROUP, "9A")
    batches = Jobs(demo.context, batch_size=4)
    cut_short = batches.run(teacher, job.id, stop_requested=lambda: True)
    assert (cut_short.state, cut_short.reset) == (JobState.PENDING, 4)
    assert [j.id for j in demo.jobs.jobs(teacher, unfinished_only=True)] == [job.id]

    again = demo.jobs.start(teacher, GroupType.REG_GROUP, "9A")
    assert again.id == job.id and again.reset == 4
    done = batches.run(teacher, job.id)
    assert (done.state, done.reset) == (JobState.FINISHED, 11)
    audits = group_audits(job.id)
    assert len(audits) == len(set(audits)) == 11
    assert demo.jobs.run(teacher, job.id) == done  # a finished job is left as it is
    assert_consistent(demo, group_ids(SECONDARY, "9A"))
    # A new request after it finished is a new job.
    assert demo.jobs.start(teacher, GroupType.REG_GROUP, "9A").id != job.id


def test_reset_selected_users(demo):
    teacher = demo.users.actor("teacher.demo")
    champion = demo.users.actor("champion.demo")
    learners = [row.username for row in demo.users.list_users(teacher, Kind.LEARNER)][:5]
    job = demo.jobs.start_selected(teacher, learners)
    assert (job.group_type, job.total, job.title) == (GroupType.SELECTED, 5, "5 Selected Users")
    assert demo.jobs.run(teacher, job.id).reset == 5
    assert set(demo.jobs.reset_usernames(teacher, job.id)) == set(learners)

    before = (account_state(), GroupJob.select().count())
    staff = [row.username for row in demo.users.list_users(champion, Kind.STAFF)][:2]
    with pytest.raises(PermissionDenied):  # a teacher may not reset staff
        demo.jobs.start_selected(teacher, [*learners[:2], *staff])
    with pytest.raises(InvalidInput):  # one school at a time
        demo.jobs.start_selected(demo.users.actor("admin.demo"), ["learner.demo", "primary.demo"])
    with pytest.raises(NotFound):
        demo.jobs.start_selected(teacher, ["learner.demo", "nobody.here"])
    with pytest.raises(InvalidInput):
        demo.jobs.start_selected(teacher, [])
    assert (account_state(), GroupJob.select().count()) == before
    # A Digital Champion may reset staff, so a selection of staff is theirs to reset.
    assert demo.jobs.run(champion, demo.jobs.start_selected(champion, staff).id).reset == 2


def test_large_group_is_written_in_batches(demo):
    teacher = demo.users.actor("teacher.demo")
    members = add_learners("9K", 120)
    job = demo.jobs.start(teacher, GroupType.REG_GROUP, "9K")
    seen = []
    done = demo.jobs.run(teacher, job.id, on_progress=seen.append)
    assert [p.done for p in seen] == [0, 50, 100, 120]
    assert done.reset == 120
    assert_consistent(demo, members)
    assert GroupJobLearner.select().where(GroupJobLearner.job == job.id).count() == 120


# -- the command line ------------------------------------------------------------------------------


def cli(demo, *args: str) -> int:
    settings = demo.settings
    return main(["--db", settings.database_url, "--key-file", str(settings.key_file), *args])


def test_cli_reset_group(demo, capsys):
    assert cli(demo, "reset-group", "--as", "teacher.demo", "--reg-group", "9A", "--yes") == 0
    captured = capsys.readouterr()
    assert "11 learners will get new passwords: Registration Group 9A" in captured.err
    assert "Reset 11 passwords: Registration Group 9A at Riverside High School" in captured.out
    assert cli(demo, "jobs", "--as", "teacher.demo", "--all") == 0
    assert "Registration Group 9A\tfinished\t11 reset" in capsys.readouterr().out
    assert cli(demo, "resume", "1", "--as", "teacher.demo") == 0
    assert "already finished" in capsys.readouterr().err


BAD_COMMANDS = [
    (("--reg-group", "9A"), 5),  # no terminal to confirm on, and no --yes
    (("--reg-group", "9Z", "--yes"), 4),
    (("--year", "fourteen", "--yes"), 5),
    (("--reg-group", "4A", "--school", PRIMARY, "--yes"), 3),
    (("--reg-group", "9A", "--year", "9", "--yes"), 2),
    (("--yes",), 2),
]


def test_cli_refuses_bad_commands_and_changes_nothing(demo, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    before = (account_state(), GroupJob.select().count())
    for args, exit_code in BAD_COMMANDS:
        assert cli(demo, "reset-group", "--as", "teacher.demo", *args) == exit_code, args
        assert "hwb-tui: " in capsys.readouterr().err
    assert (account_state(), GroupJob.select().count()) == before
