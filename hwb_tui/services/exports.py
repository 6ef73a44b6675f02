"""Download Passwords: the All Pupils and All Staff CSV files, behind the guide's warning."""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hwb_tui.domain import rights
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import InvalidInput, KeyProblem, PermissionDenied
from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.model import Actor, Kind, PasswordStatus, status_label
from hwb_tui.domain.rights import Download
from hwb_tui.domain.text import safe_text
from hwb_tui.services.context import Context
from hwb_tui.services.crypto import Sealer
from hwb_tui.services.csv_export import PUPIL_COLUMNS, STAFF_COLUMNS, render_csv
from hwb_tui.services.files import deliver_private
from hwb_tui.services.membership import still_listed
from hwb_tui.store.models import Account

# The guide's words, word for word; show it with _(DOWNLOAD_WARNING).
DOWNLOAD_WARNING = N_(
    "Please note: If you download user credentials, it is your responsibility to then ensure "
    "these are handled appropriately"
)
DATE_FORMAT = "%d/%m/%Y"
EXPORT_FIELDS = (
    Account.id,
    Account.forename,
    Account.surname,
    Account.username,
    Account.password_status,
    Account.sealed_password,
    Account.created_at,
    Account.year,
    Account.reg_group,
    Account.consent,
    Account.admission_number,
    Account.staff_code,
)
ExportRow = namedtuple("ExportRow", [field.name for field in EXPORT_FIELDS])


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path | None  # None when written to a stream (standard output)
    rows: int
    with_passwords: int


class Exports:
    def __init__(self, context: Context) -> None:
        self._ctx = context

    def may_download(self, actor: Actor, download: Download, school_id: int | None = None) -> bool:
        return rights.may_download(actor, download, school_id or actor.school_id)

    def require_download(
        self, actor: Actor, download: Download, school_id: int | None = None
    ) -> int:
        """The school the download covers, or the refusal: callers ask before they show the
        warning, so someone who may not download is not asked to proceed."""
        school_id = school_in_scope(actor, school_id)
        if not rights.may_download(actor, download, school_id):
            raise PermissionDenied(
                _("You may not download {download}.").format(download=_(download))
            )
        return school_id

    def download(
        self,
        actor: Actor,
        download: Download,
        target: Path | BinaryIO,
        school_id: int | None = None,
    ) -> ExportResult:
        school_id = self.require_download(actor, download, school_id)
        kind = Kind.LEARNER if download is Download.ALL_PUPILS else Kind.STAFF
        query = (
            Account.select(*EXPORT_FIELDS)
            .where((Account.school == school_id) & (Account.kind == str(kind)) & still_listed())
            .order_by(Account.surname, Account.forename, Account.username)
        )
        sealer = self._ctx.sealer  # a missing or wrong key stops the download here, clearly
        if kind is Kind.LEARNER:
            consent_labels = (_("No"), _("Yes"))
            columns = PUPIL_COLUMNS

            def cells_of(row: ExportRow) -> list[str]:
                return _pupil_cells(row, shown_password(sealer, row), consent_labels)
        else:
            columns = STAFF_COLUMNS

            def cells_of(row: ExportRow) -> list[str]:
                return _staff_cells(row, shown_password(sealer, row))

        # The driver's rows as they come, no model or field conversion per row: building a
        # model per row was three quarters of the time for a large school.
        rows = [ExportRow._make(values) for values in self._ctx.db.execute(query)]
        cells = [cells_of(row) for row in rows]
        with_passwords = sum(
            1 for row in rows if row.password_status == PasswordStatus.AVAILABLE.value
        )

        def record() -> None:
            with self._ctx.db.atomic():
                self._ctx.audit(
                    actor,
                    AuditAction.DOWNLOAD,
                    school_id=school_id,
                    detail=f"{download}: {len(rows)} users, {with_passwords} with passwords",
                )

        written = deliver_private(target, render_csv(columns, cells), record)
        return ExportResult(path=written, rows=len(rows), with_passwords=with_passwords)


def school_in_scope(actor: Actor, school_id: int | None) -> int:
    """The school a bulk action covers: the actor's own, or the one an administrator names."""
    if actor.is_hwb_admin:
        if school_id is None:
            raise InvalidInput(_("Name the school (for example --school CODE)."))
        return school_id
    if school_id is not None and school_id != actor.school_id:
        raise PermissionDenied(_("Only Hwb administrators act on another school's users."))
    if actor.school_id is None:
        raise PermissionDenied(_("This is for school staff and Hwb administrators."))
    return actor.school_id


def shown_password(sealer: Sealer, row: Account) -> str:
    """The Password field as the portal shows it: the password, "-" or "User changed password"."""
    if row.password_status != PasswordStatus.AVAILABLE or row.sealed_password is None:
        status = PasswordStatus(row.password_status)
        return status_label(status) if status is not PasswordStatus.AVAILABLE else "-"
    try:
        return sealer.open_password(row.id, bytes(row.sealed_password))
    except KeyProblem:
        # Fail closed and say whose copy is bad: a silent "-" would hide tampering.
        raise KeyProblem(
            _(
                "The stored password of {username} does not open: it was altered or moved "
                "from another account. Reset that password, then try again."
            ).format(username=safe_text(row.username))
        ) from None


def day_created(value: dt.datetime | str) -> str:
    """dd/mm/yyyy from a datetime, or from SQLite's stored 'YYYY-MM-DD HH:MM:SS' text as is."""
    if isinstance(value, str):
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    return value.strftime(DATE_FORMAT)


def _pupil_cells(row: ExportRow, password: str, consent_labels: tuple[str, str]) -> list[str]:
    return [
        row.forename,
        row.surname,
        row.username,
        password,
        day_created(row.created_at),
        row.year or "",
        row.reg_group or "",
        "" if row.consent is None else consent_labels[bool(row.consent)],
        row.admission_number or "",
    ]


def _staff_cells(row: ExportRow, password: str) -> list[str]:
    return [
        row.forename,
        row.surname,
        row.username,
        password,
        day_created(row.created_at),
        row.staff_code or "",
    ]
