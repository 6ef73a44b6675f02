"""Group password resets as durable jobs: a registration group, class, year, or a selection.

A job is recorded, with one row per learner, before any password changes. Running it hashes
new passwords on every core outside the write transaction, then writes batch after batch:
each batch sets hash, sealed copy and status, marks its learners done and audits each reset,
all in one short transaction. A job cut short (process killed, SSH dropped) resumes with the
learners still pending, so nobody is ever half-changed and nobody is reset twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from hwb_tui.domain import rights
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import InvalidInput, NotFound, PermissionDenied
from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.model import Actor, Kind, PasswordStatus, School, parse_year
from hwb_tui.domain.ordering import natural_order, year_order
from hwb_tui.domain.policy import generate_password
from hwb_tui.domain.rights import Action
from hwb_tui.domain.text import has_unsafe, safe_text
from hwb_tui.services.context import Context
from hwb_tui.services.membership import is_open, still_listed
from hwb_tui.services.users import to_school
from hwb_tui.store import db as store_db
from hwb_tui.store.models import (
    Account,
    ClassMembership,
    GroupJob,
    GroupJobLearner,
    SchoolClass,
    fn,
    utc_now,
)
from hwb_tui.store.models import School as SchoolRow

# Learners written per transaction: short enough that other sessions barely wait for the lock.
BATCH_SIZE = 50
MAX_GROUP_NAME_LENGTH = 100


class GroupType(StrEnum):
    REG_GROUP = "reg-group"
    CLASS = "class"
    YEAR = "year"
    SELECTED = "selected"


GROUP_TYPE_LABELS = {
    GroupType.REG_GROUP: N_("Registration Group"),
    GroupType.CLASS: N_("Class"),
    GroupType.YEAR: N_("Year"),
    GroupType.SELECTED: N_("Selected Users"),
}


class JobState(StrEnum):
    PENDING = "pending"  # some learners are still to be reset
    FINISHED = "finished"


class LearnerState(StrEnum):
    PENDING = "pending"
    RESET = "reset"
    # Left alone: their password changed after the job started (they chose their own, or
    # someone reset it), or the operator may no longer reset it.
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class GroupChoice:
    """One group offered for a reset, with how many learners it holds."""

    name: str
    learners: int


def group_title(group_type: GroupType, name: str, count: int) -> str:
    """What is reset, as a person says it: "Registration Group 9A", "12 Selected Users"."""
    if group_type is GroupType.SELECTED:
        return _("{count} Selected Users").format(count=count)
    return f"{_(GROUP_TYPE_LABELS[group_type])} {name}"


@dataclass(frozen=True, slots=True)
class GroupPreview:
    group_type: GroupType
    name: str
    school: School
    learners: int

    @property
    def title(self) -> str:
        return group_title(self.group_type, self.name, self.learners)


@dataclass(frozen=True, slots=True)
class JobSummary:
    id: int
    operator: str
    school: School
    group_type: GroupType
    group_name: str
    created_at: dt.datetime
    updated_at: dt.datetime
    state: JobState
    total: int
    reset: int
    skipped: int

    @property
    def done(self) -> int:
        return self.reset + self.skipped

    @property
    def is_finished(self) -> bool:
        return self.state is JobState.FINISHED

    @property
    def title(self) -> str:
        return group_title(self.group_type, self.group_name, self.total)


ProgressCallback = Callable[[JobSummary], None]


class Jobs:
    def __init__(self, context: Context, batch_size: int = BATCH_SIZE) -> None:
        self._ctx = context
        self._batch_size = batch_size

    # -- choosing a group ------------------------------------------------------------------------

    def groups(
        self, actor: Actor, group_type: GroupType, school_id: int | None = None, search: str = ""
    ) -> tuple[GroupChoice, ...]:
        """The school's groups of one type that hold learners, in school order."""
        school = self._school_row(actor, school_id)
        if group_type is GroupType.CLASS:
            query = (
                SchoolClass.select(SchoolClass.name.alias("name"), fn.COUNT(Account.id).alias("n"))
                .join(ClassMembership)
                .join(Account)
                .where(SchoolClass.school == school.id, _is_learner())
                .group_by(SchoolClass.name)
            )
        else:
            column = _group_column(group_type)
            query = (
                Account.select(column.alias("name"), fn.COUNT(Account.id).alias("n"))
                .where(Account.school == school.id, _is_learner(), column.is_null(False))
                .group_by(column)
            )
        term = _group_name(search).casefold() if search.strip() else ""
        choices = [
            GroupChoice(name=row["name"], learners=row["n"])
            for row in query.dicts()
            if term in row["name"].casefold()
        ]
        sort_key = year_order if group_type is GroupType.YEAR else natural_order
        return tuple(sorted(choices, key=lambda choice: sort_key(choice.name)))

    def preview(
        self, actor: Actor, group_type: GroupType, name: str, school_id: int | None = None
    ) -> GroupPreview:
        """How many learners a reset of the group would give new passwords; changes nothing."""
        school = self._school_row(actor, school_id)
        name = _canonical_name(group_type, name)
        count = _members(school.id, group_type, name).count()
        if not count:
            raise _no_learners(group_type, name, school)
        return GroupPreview(group_type, name, to_school(school), count)

    # -- starting a job --------------------------------------------------------------------------

    def start(
        self, actor: Actor, group_type: GroupType, name: str, school_id: int | None = None
    ) -> JobSummary:
        """Record a reset of the group's learners; nothing changes until the job is run.

        An unfinished job for the same group is returned instead of a second one, so asking
        again finishes what was cut short.
        """
        school = self._school_row(actor, school_id)
        name = _canonical_name(group_type, name)
        with self._ctx.db.atomic():
            unfinished = (
                GroupJob.select(GroupJob.id)
                .where(
                    GroupJob.school == school.id,
                    GroupJob.group_type == str(group_type),
                    GroupJob.group_name == name,
                    GroupJob.state == str(JobState.PENDING),
                )
                .order_by(GroupJob.id)
                .first()
            )
            if unfinished is not None:
                job_id = unfinished.id
            else:
                account_ids = [row.id for row in _members(school.id, group_type, name)]
                if not account_ids:
                    raise _no_learners(group_type, name, school)
                job_id = self._create(actor, school.id, group_type, name, account_ids)
        return self.job(actor, job_id)

    def start_selected(self, actor: Actor, usernames: Sequence[str]) -> JobSummary:
        """Record a reset of the selected users: all of one school, all ones the actor may reset."""
        wanted = set(usernames)
        if not wanted:
            raise InvalidInput(_("No users are selected."))
        rows = list(Account.select().where(Account.username.in_(wanted)))
        missing = wanted - {row.username for row in rows}
        if missing:
            raise NotFound(
                _("There is no user {names}.").format(
                    names=", ".join(repr(safe_text(name)) for name in sorted(missing))
                )
            )
        school_ids = {row.school_id for row in rows}
        if len(school_ids) != 1 or None in school_ids:
            raise InvalidInput(_("The selected users must all belong to one school."))
        refused = [row.username for row in rows if not _may_reset(actor, row)]
        if refused:
            raise PermissionDenied(
                _("You may not reset the password of {names}.").format(
                    names=", ".join(safe_text(name) for name in sorted(refused))
                )
            )
        (school_id,) = school_ids
        with self._ctx.db.atomic():
            job_id = self._create(
                actor, school_id, GroupType.SELECTED, "", sorted(row.id for row in rows)
            )
        return self.job(actor, job_id)

    def _create(
        self,
        actor: Actor,
        school_id: int,
        group_type: GroupType,
        name: str,
        account_ids: Sequence[int],
    ) -> int:
        job = GroupJob.create(
            operator=actor.id,
            school=school_id,
            group_type=str(group_type),
            group_name=name,
            state=str(JobState.PENDING),
            total=len(account_ids),
        )
        pending = str(LearnerState.PENDING)
        for chunk in _chunks(account_ids, 500):  # well under every driver's parameter limit
            GroupJobLearner.insert_many(
                [(job.id, account_id, pending) for account_id in chunk],
                fields=[GroupJobLearner.job, GroupJobLearner.account, GroupJobLearner.state],
            ).execute()
        return job.id

    # -- running a job ---------------------------------------------------------------------------

    def run(
        self,
        actor: Actor,
        job_id: int,
        on_progress: ProgressCallback | None = None,
        stop_requested: Callable[[], bool] | None = None,
    ) -> JobSummary:
        """Reset the job's pending learners; safe to call again after any interruption.

        on_progress hears the job's state before the first batch and after each one;
        stop_requested is asked between batches (the job stays resumable).
        Runs in any thread: the thread's own database connection is closed at the end.
        """
        with self._ctx.db.connection_context():
            summary = self.job(actor, job_id)
            if summary.is_finished:
                return summary
            sealer = self._ctx.sealer  # a missing or wrong key stops the job before any hashing
            pending = [
                item.account_id
                for item in GroupJobLearner.select(GroupJobLearner.account)
                .where(
                    GroupJobLearner.job == job_id,
                    GroupJobLearner.state == str(LearnerState.PENDING),
                )
                .order_by(GroupJobLearner.account)
            ]
            batches = _chunks(pending, self._batch_size)
            passwords = [[generate_password() for _ in batch] for batch in batches]
            if on_progress:
                on_progress(summary)
            hashed_batches = self._ctx.hasher.hash_batches(passwords)
            try:
                for account_ids, batch_passwords, hashes in zip(
                    batches, passwords, hashed_batches, strict=False
                ):
                    sealed = [
                        sealer.seal_password(account_id, password)
                        for account_id, password in zip(account_ids, batch_passwords, strict=True)
                    ]
                    self._write_batch(actor, job_id, account_ids, hashes, sealed)
                    summary = self.job(actor, job_id)
                    if on_progress:
                        on_progress(summary)
                    if stop_requested and stop_requested():
                        break
            finally:
                hashed_batches.close()  # stops the worker processes, even when cut short
            return self.job(actor, job_id)

    def _write_batch(
        self,
        actor: Actor,
        job_id: int,
        account_ids: Sequence[int],
        hashes: Sequence[str],
        sealed_copies: Sequence[bytes],
    ) -> None:
        """One transaction: the batch's passwords, its learners' states, the counts, the audit."""
        with self._ctx.db.atomic():
            job = _locked(GroupJob.select().where(GroupJob.id == job_id)).get()
            still_pending = {
                item.account_id
                for item in _locked(
                    GroupJobLearner.select(GroupJobLearner.account).where(
                        GroupJobLearner.job == job_id,
                        GroupJobLearner.account.in_(account_ids),
                        GroupJobLearner.state == str(LearnerState.PENDING),
                    )
                )
            }
            accounts = {
                row.id: row
                for row in _locked(
                    Account.select().where(Account.id.in_(still_pending)).order_by(Account.id)
                )
            }
            now = utc_now()
            reset, skipped = [], []
            for account_id, encoded, sealed in zip(account_ids, hashes, sealed_copies, strict=True):
                if account_id not in still_pending:
                    continue  # another session running this job got there first
                row = accounts.get(account_id)
                if (
                    row is None
                    or not _may_reset(actor, row)
                    or row.school_id != job.school_id
                    or not is_open(row)  # left the school, or expired, since the job started
                ):
                    skipped.append(account_id)
                    continue
                if row.password_changed_at is not None and row.password_changed_at > job.created_at:
                    skipped.append(account_id)  # their own (or a newer) password stays
                    continue
                Account.update(
                    password_hash=encoded,
                    sealed_password=sealed,
                    password_status=str(PasswordStatus.AVAILABLE),
                    password_changed_at=now,
                ).where(Account.id == account_id).execute()
                # One record per learner, like a single reset: the trail answers "who reset
                # this learner's password, when, from where" without knowing about jobs.
                self._ctx.audit(
                    actor,
                    AuditAction.RESET,
                    target=row.username,
                    school_id=row.school_id,
                    detail=f"generated, group job {job_id}",
                )
                reset.append(account_id)
            for state, ids in ((LearnerState.RESET, reset), (LearnerState.SKIPPED, skipped)):
                if ids:
                    GroupJobLearner.update(state=str(state)).where(
                        GroupJobLearner.job == job_id, GroupJobLearner.account.in_(ids)
                    ).execute()
            remaining = (
                GroupJobLearner.select()
                .where(
                    GroupJobLearner.job == job_id,
                    GroupJobLearner.state == str(LearnerState.PENDING),
                )
                .exists()
            )
            GroupJob.update(
                reset_count=GroupJob.reset_count + len(reset),
                skipped_count=GroupJob.skipped_count + len(skipped),
                updated_at=now,
                state=str(JobState.PENDING if remaining else JobState.FINISHED),
                finished_at=None if remaining else now,
            ).where(GroupJob.id == job_id).execute()

    # -- reading jobs ----------------------------------------------------------------------------

    def job(self, actor: Actor, job_id: int) -> JobSummary:
        row = (
            GroupJob.select(GroupJob, SchoolRow, Account)
            .join(SchoolRow)
            .switch(GroupJob)
            .join(Account)
            .where(GroupJob.id == job_id)
            .first()
        )
        if row is None or not _may_see(actor, row):
            raise NotFound(_("There is no group reset {id}.").format(id=job_id))
        return _to_summary(row)

    def jobs(
        self, actor: Actor, *, unfinished_only: bool = False, limit: int = 50
    ) -> tuple[JobSummary, ...]:
        """The group resets the actor may see and resume, newest first."""
        query = (
            GroupJob.select(GroupJob, SchoolRow, Account)
            .join(SchoolRow)
            .switch(GroupJob)
            .join(Account)
            .order_by(GroupJob.id.desc())
        )
        if unfinished_only:
            query = query.where(GroupJob.state == str(JobState.PENDING))
        if not actor.is_hwb_admin:
            query = query.where(GroupJob.school == actor.school_id)
        return tuple(_to_summary(row) for row in query.limit(limit) if _may_see(actor, row))

    def reset_usernames(self, actor: Actor, job_id: int) -> tuple[str, ...]:
        """The users the job gave new passwords, in slip order: to print their slips."""
        self.job(actor, job_id)
        query = (
            Account.select(Account.username)
            .join(GroupJobLearner, on=(GroupJobLearner.account == Account.id))
            .where(
                GroupJobLearner.job == job_id,
                GroupJobLearner.state == str(LearnerState.RESET),
            )
            .order_by(Account.reg_group, Account.surname, Account.forename, Account.username)
        )
        return tuple(row.username for row in query)

    # -- rights ----------------------------------------------------------------------------------

    def _school_row(self, actor: Actor, school_id: int | None) -> SchoolRow:
        """The school acted on: the actor's own, or the one a Hwb administrator names."""
        if school_id is None:
            if actor.school_id is None:
                raise InvalidInput(_("Choose the school whose learners are reset."))
            school_id = actor.school_id
        row = SchoolRow.get_or_none(SchoolRow.id == school_id)
        if row is None:
            raise NotFound(_("That school does not exist."))
        if not rights.may(actor, Action.RESET_PASSWORD, Kind.LEARNER, row.id):
            raise PermissionDenied(_("You may not reset the passwords of this school's learners."))
        return row


def _may_reset(actor: Actor, row: Account) -> bool:
    return rights.may(actor, Action.RESET_PASSWORD, Kind(row.kind), row.school_id)


def _may_see(actor: Actor, job: GroupJob) -> bool:
    """Whoever may reset the school's learners may see and resume its group resets."""
    return rights.may(actor, Action.RESET_PASSWORD, Kind.LEARNER, job.school_id)


def _to_summary(row: GroupJob) -> JobSummary:
    return JobSummary(
        id=row.id,
        operator=row.operator.username,
        school=to_school(row.school),
        group_type=GroupType(row.group_type),
        group_name=row.group_name,
        created_at=row.created_at,
        updated_at=row.updated_at,
        state=JobState(row.state),
        total=row.total,
        reset=row.reset_count,
        skipped=row.skipped_count,
    )


def _locked(query):
    """The query, locking its rows until the transaction ends (PostgreSQL).

    SQLite needs nothing more: its write transactions start IMMEDIATE and hold the database.
    """
    return query.for_update() if store_db.is_postgres() else query


def _is_learner():
    """Learners still on the school's roll: those who left are in no group."""
    return (Account.kind == str(Kind.LEARNER)) & still_listed()


def _group_column(group_type: GroupType):
    return {GroupType.REG_GROUP: Account.reg_group, GroupType.YEAR: Account.year}[group_type]


def _members(school_id: int, group_type: GroupType, name: str):
    """The learners of one group in one school, by account id."""
    query = Account.select(Account.id).where(Account.school == school_id, _is_learner())
    if group_type is GroupType.CLASS:
        query = (
            query.join(ClassMembership, on=(ClassMembership.account == Account.id))
            .join(SchoolClass)
            .where(SchoolClass.school == school_id, SchoolClass.name == name)
        )
    else:
        query = query.where(_group_column(group_type) == name)
    return query.order_by(Account.id)


def _group_name(text: str) -> str:
    name = text.strip()
    if not name:
        raise InvalidInput(_("Name the group."))
    if len(name) > MAX_GROUP_NAME_LENGTH:
        raise InvalidInput(
            _("A group name is at most {n} characters.").format(n=MAX_GROUP_NAME_LENGTH)
        )
    if has_unsafe(name):
        raise InvalidInput(_("A group name cannot contain control characters."))
    return name


def _canonical_name(group_type: GroupType, text: str) -> str:
    if group_type is GroupType.SELECTED:
        raise InvalidInput(_("Selected users are reset with start_selected."))
    name = _group_name(text)
    if group_type is GroupType.YEAR:
        try:
            return parse_year(name)
        except ValueError as error:
            raise InvalidInput(str(error)) from None
    return name


def _no_learners(group_type: GroupType, name: str, school: SchoolRow) -> NotFound:
    return NotFound(
        _("There are no learners in {group} at {school}.").format(
            group=safe_text(group_title(group_type, name, 0)), school=safe_text(school.name)
        )
    )


def _chunks(items: Sequence[int], size: int) -> list[list[int]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]
