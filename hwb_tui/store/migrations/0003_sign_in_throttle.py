"""Failed sign-ins per username and origin, kept in the database so every session sees them."""

from peewee import CharField, DateTimeField, IntegerField


def up(migrator, db):
    # A frozen copy of the model as it was when this migration was written.
    class SignInThrottle(db.Model):
        username = CharField()
        origin = CharField()
        failures = IntegerField(default=0)
        last_failure_at = DateTimeField()
        locked_until = DateTimeField(null=True)

        class Meta:
            table_name = "sign_in_throttle"
            indexes = ((("username", "origin"), True),)

    db.create_tables([SignInThrottle])


def down(migrator, db):
    db.execute_sql("DROP TABLE IF EXISTS sign_in_throttle")
