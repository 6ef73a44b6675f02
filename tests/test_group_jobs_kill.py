"""A group reset killed (SIGKILL) part-way, and two processes resetting overlapping groups.

The job runs in a child process that leads its own process group, so one SIGKILL takes it and
its hashing workers down together, as a dropped SSH session or a dead machine would.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time

import pytest

from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.model import PasswordStatus
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.services.jobs import GroupType, Jobs, JobState
from hwb_tui.store import db as store_db
from hwb_tui.store.models import Account, AuditRecord, GroupJob, GroupJobLearner
from tests.test_group_jobs import (
    SECONDARY,
    account_state,
    add_learners,
    assert_consistent,
    group_audits,
    group_ids,
)

LEARNERS = 40
BATCH = 10
CHILD_TIMEOUT_SECONDS = 120


def run_job_in_child(
    database_url: str, key_file: str, job_id: int, batch_size: int, kill_after: int | None
) -> None:
    """Run a job; with kill_after, SIGKILL the whole process group once that many are written."""
    os.setpgrp()
    with Hwb.open(Settings.resolve(database_url, key_file)) as hwb:
        teacher = hwb.users.actor("teacher.demo")

        def die_after_enough(progress) -> None:
            if kill_after is not None and progress.done >= kill_after:
                os.killpg(0, signal.SIGKILL)

        Jobs(hwb.context, batch_size=batch_size).run(teacher, job_id, on_progress=die_after_enough)


def start_child(hwb: Hwb, job_id: int, batch_size: int, kill_after: int | None):
    child = multiprocessing.get_context("spawn").Process(
        target=run_job_in_child,
        args=(
            hwb.settings.database_url,
            str(hwb.settings.key_file),
            job_id,
            batch_size,
            kill_after,
        ),
    )
    child.start()
    return child


def join(child) -> int | None:
    """The child's exit code; one still running after the time-out is killed with its group."""
    child.join(CHILD_TIMEOUT_SECONDS)
    if child.is_alive():
        os.killpg(child.pid, signal.SIGKILL)  # the child leads its own process group
        child.join()
    return child.exitcode


def assert_database_intact(hwb: Hwb) -> None:
    if not store_db.is_postgres():
        assert hwb.context.db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]


def assert_resumes_and_finishes(hwb: Hwb, job_id: int, members: list[int]) -> None:
    teacher = hwb.users.actor("teacher.demo")
    done = hwb.jobs.run(teacher, job_id)
    assert (done.state, done.reset, done.skipped) == (JobState.FINISHED, len(members), 0)
    assert_consistent(hwb, members)
    audits = group_audits(job_id)
    assert len(audits) == len(set(audits)) == len(members)  # nobody reset twice
    assert_database_intact(hwb)


@pytest.mark.parametrize("batches_written", [0, 1, 3])
def test_killed_job_leaves_everyone_whole_and_resumes(demo, batches_written):
    members = add_learners("9K", LEARNERS)
    before = account_state()
    job = demo.jobs.start(demo.users.actor("teacher.demo"), GroupType.REG_GROUP, "9K")

    child = start_child(demo, job.id, BATCH, kill_after=batches_written * BATCH)
    assert join(child) == -signal.SIGKILL

    row = GroupJob.get_by_id(job.id)
    assert (row.state, row.reset_count) == (JobState.PENDING, batches_written * BATCH)
    after = account_state()
    changed = [i for i in members if after[i] != before[i]]
    assert len(changed) == batches_written * BATCH  # whole batches, nothing half-written
    assert_consistent(demo, members)
    pending = {
        item.account_id
        for item in GroupJobLearner.select().where(
            GroupJobLearner.job == job.id, GroupJobLearner.state == "pending"
        )
    }
    assert pending == set(members) - set(changed)
    assert_database_intact(demo)
    assert_resumes_and_finishes(demo, job.id, members)


def test_killed_command_at_an_unplanned_moment_resumes_from_the_command_line(demo, tmp_path):
    """The real CLI, killed from outside as soon as its first batch is in."""
    members = add_learners("9K", 150)
    settings = demo.settings
    command = [
        sys.executable,
        "-m",
        "hwb_tui",
        "--db",
        settings.database_url,
        "--key-file",
        str(settings.key_file),
        "reset-group",
        "--as",
        "teacher.demo",
        "--reg-group",
        "9K",
        "--yes",
    ]
    # Dearer hashing than the other tests, so the kill lands while the job is still running.
    env = {**os.environ, "HWB_ARGON2_MEMORY_COST": "8192"}
    child = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + CHILD_TIMEOUT_SECONDS
        while time.monotonic() < deadline and child.poll() is None:
            job = GroupJob.select().first()
            if job is not None and job.reset_count > 0:
                break
            time.sleep(0.002)
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
    job = GroupJob.select().get()
    assert job.state == JobState.PENDING and 0 < job.reset_count < len(members)
    assert_consistent(demo, members)
    assert_database_intact(demo)

    finish = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert finish.returncode == 0, finish.stderr
    assert "Finishing group reset 1, cut short earlier" in finish.stderr
    job = GroupJob.get_by_id(job.id)
    assert (job.state, job.reset_count) == (JobState.FINISHED, len(members))
    assert_consistent(demo, members)
    audits = group_audits(job.id)
    assert len(audits) == len(set(audits)) == len(members)


def test_two_processes_resetting_overlapping_groups_lose_nothing(demo):
    add_learners("9K", LEARNERS)
    teacher = demo.users.actor("teacher.demo")
    year = demo.jobs.start(teacher, GroupType.YEAR, "9")  # 9A, 9B and 9K
    group = demo.jobs.start(teacher, GroupType.REG_GROUP, "9K")
    year_members = {
        i.account_id for i in GroupJobLearner.select().where(GroupJobLearner.job == year.id)
    }
    group_members = set(group_ids(SECONDARY, "9K"))
    assert group_members < year_members

    children = [start_child(demo, job.id, 5, kill_after=None) for job in (year, group)]
    assert [join(child) for child in children] == [0, 0]

    year, group = demo.jobs.job(teacher, year.id), demo.jobs.job(teacher, group.id)
    assert year.is_finished and group.is_finished
    # Every learner of both groups was reset exactly once, by one job or the other; the job
    # that came second left the overlap alone, as the password had changed since it started.
    assert year.reset + group.reset == len(year_members)
    assert year.skipped + group.skipped == len(group_members)
    resets = [
        row.target
        for row in AuditRecord.select().where(AuditRecord.action == str(AuditAction.RESET))
    ]
    assert len(resets) == len(set(resets)) == len(year_members)
    assert_consistent(demo, year_members)
    statuses = {
        row.password_status for row in Account.select().where(Account.id.in_(list(year_members)))
    }
    assert statuses == {PasswordStatus.AVAILABLE}
    assert_database_intact(demo)
