"""Download Passwords: the All Pupils and All Staff CSV files, behind the guide's warning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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
from hwb_tui.services.csv_export import PUPIL_COLUMNS, STAFF_COLUMNS, csv_writer, disarmed_rows
from hwb_tui.services.files import deliver_private_writing
from hwb_tui.services.membership import still_listed
from hwb_tui.store.models import Account

# The guide's words, word for word; show it with _(DOWNLOAD_WARNING).
DOWNLOAD_WARNING = N_(
    "Please note: If you download user credentials, it is your responsibility to then ensure "
    "these are handled appropriately"
)
DATE_FORMAT = "%d/%m/%Y"
_COMMON_FIELDS = (
    Account.id,
    Account.forename,
    Account.surname,
    Account.username,
    Account.password_status,
    Account.sealed_password,
    Account.created_at,
)
PUPIL_FIELDS = (
    *_COMMON_FIELDS,
    Account.year,
    Account.reg_group,
    Account.consent,
    Account.admission_number,
)
STAFF_FIELDS = (*_COMMON_FIELDS, Account.staff_code)
_AVAILABLE = PasswordStatus.AVAILABLE.value


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
        sealer = self._ctx.sealer  # a missing or wrong key stops the download here, clearly
        if kind is Kind.LEARNER:
            fields, columns, cells_of = PUPIL_FIELDS, PUPIL_COLUMNS, _pupil_cells()
        else:
            fields, columns, cells_of = STAFF_FIELDS, STAFF_COLUMNS, _staff_cells()
        query = (
            Account.select(*fields)
            .where((Account.school == school_id) & (Account.kind == str(kind)) & still_listed())
            .order_by(Account.surname, Account.forename, Account.username)
        )
        counts = [0, 0]  # rows, with passwords: known once the rows are written

        def write(handle: BinaryIO) -> None:
            with csv_writer(handle, columns) as writer:
                # The driver's rows as they come, no model or field conversion per row:
                # building a model per row was three quarters of the time for a large school.
                counts[:] = _write_rows(
                    writer.writerows,
                    self._ctx.db.execute(query),
                    sealer.password_opener(),
                    cells_of,
                )

        def record() -> None:
            rows, with_passwords = counts
            with self._ctx.db.atomic():
                self._ctx.audit(
                    actor,
                    AuditAction.DOWNLOAD,
                    school_id=school_id,
                    detail=f"{download}: {rows} users, {with_passwords} with passwords",
                )

        # Streamed into the hidden 0600 file; the record is written before it is renamed
        # into place (or, for standard output, before the first byte is sent).
        written = deliver_private_writing(target, write, record)
        return ExportResult(path=written, rows=counts[0], with_passwords=counts[1])


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
        raise _unopened(row.username) from None


def day_created(value: dt.datetime | str) -> str:
    """dd/mm/yyyy from a datetime, or from SQLite's stored 'YYYY-MM-DD HH:MM:SS' text as is."""
    if isinstance(value, str):
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    return value.strftime(DATE_FORMAT)


# The rows of a download, written as they come from the driver. The loop runs once per user of
# a school (100,000 and more), so it stays flat: no object per row but its cells, and the
# rows are disarmed and written a batch at a time (one search for the whole batch, not a call
# per cell; csv_export.disarmed_rows).
_BATCH_ROWS = 512


def _status_cells() -> dict[str, str]:
    """The Password cell of each status whose password is not shown, in this language."""
    return {
        status.value: status_label(status)
        for status in PasswordStatus
        if status is not PasswordStatus.AVAILABLE
    }


def _unknown_status(status: str) -> str:
    return status_label(PasswordStatus(status))  # ValueError, as for any row with a bad status


def _write_rows(writerows, rows, open_password, cells_of) -> tuple[int, int]:
    """Each user's row, as `cells_of(row, password)` makes its cells from the driver's row
    (id, forename, surname, username, status, sealed copy, created, then the download's own
    columns); how many rows, and how many with a password."""
    status_cells = _status_cells()
    available, size = _AVAILABLE, _BATCH_ROWS
    batch: list[tuple[str, ...]] = []
    add = batch.append
    count = with_passwords = 0
    username = ""
    try:
        for row in rows:
            id_, _forename, _surname, username, status, sealed = row[:6]
            if status == available:
                with_passwords += 1
                password = "-" if sealed is None else open_password(id_, sealed)  # "-": no copy
            else:
                password = status_cells.get(status) or _unknown_status(status)
            add(cells_of(row, password))
            count += 1
            if not count % size:
                writerows(disarmed_rows(batch))
                batch.clear()
    except KeyProblem:
        raise _unopened(username) from None
    writerows(disarmed_rows(batch))
    return count, with_passwords


def _pupil_cells() -> Callable[[tuple, str], tuple[str, ...]]:
    no, yes = _("No"), _("Yes")

    def cells(row: tuple, password: str) -> tuple[str, ...]:
        forename, surname, username = row[1:4]
        created, year, group, consent, number = row[6:]
        return (
            forename,
            surname,
            username,
            password,
            day_created(created),
            year or "",
            group or "",
            "" if consent is None else (yes if consent else no),
            number or "",
        )

    return cells


def _staff_cells() -> Callable[[tuple, str], tuple[str, ...]]:
    def cells(row: tuple, password: str) -> tuple[str, ...]:
        forename, surname, username = row[1:4]
        created, staff_code = row[6:]
        return (forename, surname, username, password, day_created(created), staff_code or "")

    return cells


def _unopened(username: str) -> KeyProblem:
    # Fail closed and say whose copy is bad: a silent "-" would hide tampering.
    return KeyProblem(
        _(
            "The stored password of {username} does not open: it was altered or moved "
            "from another account. Reset that password, then try again."
        ).format(username=safe_text(username))
    )
