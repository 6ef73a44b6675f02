"""Failed sign-ins per username and origin, kept in the database so every session sees them;
and a guard that every stored copy is sealed under the database's current key."""

from peewee import CharField, DateTimeField, IntegerField, PostgresqlDatabase

# A sealed copy starts with a format byte and the 8-byte id of its key (services/crypto.py);
# the key check setting is sealed the same way, under the current key. A copy sealed under a
# retired key (by a session that has not yet noticed a key rotation) is refused rather than
# stored where no key would open it. Where no key check exists yet, nothing is refused.
_SQLITE_GUARD = """
CREATE TRIGGER account_sealed_under_current_key_{name} BEFORE {event} ON account
WHEN NEW.sealed_password IS NOT NULL
 AND EXISTS (SELECT 1 FROM setting WHERE key = 'key_check')
 AND substr(NEW.sealed_password, 2, 8)
     IS NOT (SELECT substr(value, 2, 8) FROM setting WHERE key = 'key_check')
BEGIN SELECT RAISE(ABORT, 'a password copy sealed with a retired key'); END
"""
_POSTGRES_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION account_sealed_under_current_key() RETURNS trigger AS $$
DECLARE current_key bytea;
BEGIN
  SELECT substring(value from 2 for 8) INTO current_key FROM setting WHERE key = 'key_check';
  IF NEW.sealed_password IS NOT NULL AND current_key IS NOT NULL
     AND substring(NEW.sealed_password from 2 for 8) <> current_key THEN
    RAISE EXCEPTION 'a password copy sealed with a retired key';
  END IF;
  RETURN NEW;
END; $$ LANGUAGE plpgsql
"""


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
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(_POSTGRES_GUARD_FUNCTION)
        db.execute_sql(
            "CREATE TRIGGER account_sealed_under_current_key "
            "BEFORE INSERT OR UPDATE OF sealed_password ON account "
            "FOR EACH ROW EXECUTE FUNCTION account_sealed_under_current_key()"
        )
    else:
        db.execute_sql(_SQLITE_GUARD.format(name="insert", event="INSERT"))
        db.execute_sql(_SQLITE_GUARD.format(name="update", event="UPDATE OF sealed_password"))


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS account_sealed_under_current_key ON account")
        db.execute_sql("DROP FUNCTION IF EXISTS account_sealed_under_current_key()")
    else:
        for name in ("insert", "update"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS account_sealed_under_current_key_{name}")
    db.execute_sql("DROP TABLE IF EXISTS sign_in_throttle")
