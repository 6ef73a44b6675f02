"""The tables. Services query them; nothing above services sees a row."""

from __future__ import annotations

import datetime as dt

# Peewee's query helpers, for services: they take Peewee's names through the store, so that
# the store's own import of Peewee comes first (see hwb_tui/store/__init__.py).
from peewee import JOIN as JOIN
from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)
from peewee import fn as fn

from hwb_tui.store.db import database


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class School(BaseModel):
    code = CharField(unique=True)
    name = CharField()
    phase = CharField()


class Account(BaseModel):
    username = CharField(unique=True)
    forename = CharField()
    surname = CharField()
    kind = CharField()
    school = ForeignKeyField(School, null=True, backref="accounts", on_delete="RESTRICT")
    is_digital_champion = BooleanField(default=False)
    year = CharField(null=True)
    reg_group = CharField(null=True)
    admission_number = CharField(null=True)
    staff_code = CharField(null=True)
    consent = BooleanField(null=True)
    created_at = DateTimeField(default=utc_now)
    password_hash = TextField(null=True)
    sealed_password = BlobField(null=True)
    password_status = CharField()
    password_changed_at = DateTimeField(null=True)
    # Set when the MIS stops listing someone (or a non-MIS user is removed); nothing is deleted.
    left_at = DateTimeField(null=True)
    expires_on = DateField(null=True)  # a non-MIS account's last day

    class Meta:
        indexes = (
            # Every list's order, per school and nationally (migration 0007).
            (("school", "kind", "surname", "forename", "username"), False),
            (("kind", "surname", "forename", "username"), False),
            (("school", "kind", "admission_number"), False),
            (("school", "kind", "staff_code"), False),
        )


class SchoolClass(BaseModel):
    school = ForeignKeyField(School, backref="classes", on_delete="CASCADE")
    name = CharField()

    class Meta:
        indexes = ((("school", "name"), True),)


class ClassMembership(BaseModel):
    account = ForeignKeyField(Account, backref="memberships", on_delete="CASCADE")
    school_class = ForeignKeyField(SchoolClass, backref="members", on_delete="CASCADE")

    class Meta:
        indexes = ((("account", "school_class"), True),)


class AuditRecord(BaseModel):
    """Append-only: triggers in the migration refuse UPDATE and DELETE."""

    at = DateTimeField(default=utc_now, index=True)
    actor = CharField(null=True)
    action = CharField()
    target = CharField(null=True)
    school_id = IntegerField(null=True, index=True)
    origin = CharField()
    detail = TextField(default="")


class Setting(BaseModel):
    key = CharField(primary_key=True)
    value = BlobField()


class GroupJob(BaseModel):
    """A group password reset, recorded so that it outlives the process that runs it."""

    operator = ForeignKeyField(Account, backref="group_jobs", on_delete="RESTRICT")
    school = ForeignKeyField(School, backref="group_jobs", on_delete="CASCADE")
    group_type = CharField()
    group_name = CharField()
    created_at = DateTimeField(default=utc_now)
    updated_at = DateTimeField(default=utc_now)  # the last batch written: shows it is alive
    state = CharField(index=True)
    total = IntegerField()
    reset_count = IntegerField(default=0)
    skipped_count = IntegerField(default=0)
    finished_at = DateTimeField(null=True)


class GroupJobLearner(BaseModel):
    """One learner of a group job: pending until reset or skipped, in the same transaction."""

    job = ForeignKeyField(GroupJob, backref="learners", on_delete="CASCADE")
    account = ForeignKeyField(Account, on_delete="CASCADE")
    state = CharField()

    class Meta:
        indexes = (
            (("job", "account"), True),
            (("job", "state"), False),
        )


class SignInThrottle(BaseModel):
    """Failed sign-ins in a row for one typed username from one origin (any typed name)."""

    username = CharField()
    origin = CharField()
    failures = IntegerField(default=0)
    last_failure_at = DateTimeField()
    locked_until = DateTimeField(null=True)

    class Meta:
        indexes = ((("username", "origin"), True),)


MODELS = (
    School,
    Account,
    SchoolClass,
    ClassMembership,
    AuditRecord,
    Setting,
    SignInThrottle,
    GroupJob,
    GroupJobLearner,
)
