"""MIS import and non-MIS users: when someone left, when a non-MIS account ends, and lookups.

Nothing is deleted when a person leaves the MIS: `left_at` is set, and cleared if they return.
"""

from peewee import DateField, DateTimeField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("account", "left_at", DateTimeField(null=True)),
        migrator.add_column("account", "expires_on", DateField(null=True)),
        # An import matches learners by admission number and staff by staff code, per school.
        migrator.add_index("account", ("school_id", "kind", "admission_number"), False),
        migrator.add_index("account", ("school_id", "kind", "staff_code"), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("account", "account_school_id_kind_staff_code"),
        migrator.drop_index("account", "account_school_id_kind_admission_number"),
        migrator.drop_column("account", "expires_on"),
        migrator.drop_column("account", "left_at"),
    )
