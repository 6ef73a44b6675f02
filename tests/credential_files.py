"""Helpers for the printing and download tests: extra accounts, a broken audit trail, files."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.services.csv_export import csv_writer, disarmed_rows
from hwb_tui.services.hwb import Hwb
from hwb_tui.store import db as store_db
from hwb_tui.store.models import Account, AuditRecord, School

SECONDARY_CODE = "6614050"  # the demo's Riverside High School


def secondary_school_id() -> int:
    return School.get(School.code == SECONDARY_CODE).id


def add_account(
    forename: str,
    surname: str,
    username: str,
    *,
    kind: Kind = Kind.LEARNER,
    reg_group: str | None = "9A",
    status: PasswordStatus = PasswordStatus.UNAVAILABLE,
    **fields,
) -> None:
    """An account written straight into the store, as an MIS import could leave one."""
    Account.create(
        username=username,
        forename=forename,
        surname=surname,
        kind=str(kind),
        school=secondary_school_id(),
        year="9" if kind is Kind.LEARNER else None,
        reg_group=reg_group if kind is Kind.LEARNER else None,
        password_status=str(status),
        **fields,
    )


def break_audit_trail(hwb: Hwb) -> None:
    """Make every new audit record fail in the database itself, as a full disk would."""
    db = hwb.context.db
    if store_db.is_postgres():
        db.execute_sql(
            "CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'the audit trail is unavailable'; END $$ LANGUAGE plpgsql"
        )
        db.execute_sql(
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_record "
            "FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
        )
    else:
        db.execute_sql(
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_record "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is unavailable'); END"
        )


def audit_count(action: str) -> int:
    return AuditRecord.select().where(AuditRecord.action == action).count()


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def render_csv(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A whole CSV in memory, written as a download writes its file: every cell disarmed."""
    buffer = io.BytesIO()
    with csv_writer(buffer, columns) as writer:
        writer.writerows(disarmed_rows(list(rows)))
    return buffer.getvalue()
