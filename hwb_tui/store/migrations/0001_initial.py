"""Schools, accounts, classes, the append-only audit trail and settings."""

import datetime

from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    PostgresqlDatabase,
    TextField,
)


def up(migrator, db):
    # Frozen copies of the models as they were when this migration was written.
    class Base(db.Model):
        class Meta:
            legacy_table_names = False

    class School(Base):
        code = CharField(unique=True)
        name = CharField()
        phase = CharField()

    class Account(Base):
        username = CharField(unique=True)
        forename = CharField()
        surname = CharField()
        kind = CharField()
        school = ForeignKeyField(School, null=True, on_delete="RESTRICT")
        is_digital_champion = BooleanField(default=False)
        year = CharField(null=True)
        reg_group = CharField(null=True)
        admission_number = CharField(null=True)
        staff_code = CharField(null=True)
        consent = BooleanField(null=True)
        created_at = DateTimeField(default=datetime.datetime.now)
        password_hash = TextField(null=True)
        sealed_password = BlobField(null=True)
        password_status = CharField()
        password_changed_at = DateTimeField(null=True)

        class Meta:
            indexes = ((("school", "kind", "surname", "forename"), False),)

    class SchoolClass(Base):
        school = ForeignKeyField(School, on_delete="CASCADE")
        name = CharField()

        class Meta:
            indexes = ((("school", "name"), True),)

    class ClassMembership(Base):
        account = ForeignKeyField(Account, on_delete="CASCADE")
        school_class = ForeignKeyField(SchoolClass, on_delete="CASCADE")

        class Meta:
            indexes = ((("account", "school_class"), True),)

    class AuditRecord(Base):
        at = DateTimeField(index=True)
        actor = CharField(null=True)
        action = CharField()
        target = CharField(null=True)
        school_id = IntegerField(null=True, index=True)
        origin = CharField()
        detail = TextField(default="")

    class Setting(Base):
        key = CharField(primary_key=True)
        value = BlobField()

    db.create_tables([School, Account, SchoolClass, ClassMembership, AuditRecord, Setting])

    # The audit trail is append-only, whoever writes to the database.
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            "CREATE FUNCTION audit_record_is_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END; $$ LANGUAGE plpgsql"
        )
        db.execute_sql(
            "CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record "
            "FOR EACH ROW EXECUTE FUNCTION audit_record_is_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER audit_record_no_{event.lower()} BEFORE {event} ON audit_record "
                "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
            )


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS audit_record_append_only ON audit_record")
        db.execute_sql("DROP FUNCTION IF EXISTS audit_record_is_append_only()")
    for table in (
        "setting",
        "audit_record",
        "class_membership",
        "school_class",
        "account",
        "school",
    ):
        db.execute_sql(f"DROP TABLE IF EXISTS {table}")
