"""Group password resets as durable jobs: one row per job, one row per learner in it."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField


def up(migrator, db):
    # Frozen copies of the models as they were when this migration was written.
    class Account(db.Model):
        class Meta:
            table_name = "account"

    class School(db.Model):
        class Meta:
            table_name = "school"

    class GroupJob(db.Model):
        operator = ForeignKeyField(Account, on_delete="RESTRICT")
        school = ForeignKeyField(School, on_delete="CASCADE")
        group_type = CharField()
        group_name = CharField()
        created_at = DateTimeField()
        updated_at = DateTimeField()
        state = CharField(index=True)
        total = IntegerField()
        reset_count = IntegerField(default=0)
        skipped_count = IntegerField(default=0)
        finished_at = DateTimeField(null=True)

        class Meta:
            table_name = "group_job"

    class GroupJobLearner(db.Model):
        job = ForeignKeyField(GroupJob, on_delete="CASCADE")
        account = ForeignKeyField(Account, on_delete="CASCADE")
        state = CharField()

        class Meta:
            table_name = "group_job_learner"
            indexes = (
                (("job", "account"), True),
                (("job", "state"), False),
            )

    db.create_tables([GroupJob, GroupJobLearner])


def down(migrator, db):
    for table in ("group_job_learner", "group_job"):
        db.execute_sql(f"DROP TABLE IF EXISTS {table}")
