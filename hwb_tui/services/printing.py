"""Print: credential slips for one user, a registration group or a selection, as a PDF.

The guide's "Printing or downloading usernames and passwords": learners' details for all
school staff and Hwb administrators; staff, governors and non-MIS users' details for Digital
Champions and administrators. A slip carries a password only for "Print With Password", and
only when the actor may see that user's password. Every print is audited before the file
appears; if the record cannot be written no file is left behind and nothing is printed.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hwb_tui.domain import rights
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import InvalidInput, NotFound, PermissionDenied
from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.model import Actor, Kind
from hwb_tui.domain.ordering import natural_order
from hwb_tui.domain.rights import Action
from hwb_tui.domain.text import safe_text
from hwb_tui.services.context import Context, to_summary
from hwb_tui.services.exports import school_in_scope, shown_password
from hwb_tui.services.files import deliver_private
from hwb_tui.services.membership import require_open, still_listed
from hwb_tui.services.slip_pdf import Slip, render_slips
from hwb_tui.services.users import with_school
from hwb_tui.store.models import Account, School

MAX_GROUP_NAME_LENGTH = 50
LP_TIMEOUT_SECONDS = 30

# What a slip names under "Role" for anyone who is not a learner.
ROLE_NAMES = {
    Kind.STAFF: N_("Staff"),
    Kind.GOVERNOR: N_("Governor"),
    Kind.NON_MIS: N_("Non-MIS"),
    Kind.HWB_ADMIN: N_("Hwb administrator"),
}


@dataclass(frozen=True, slots=True)
class PrintResult:
    path: Path | None  # None when written to a stream (standard output)
    users: int
    with_password: bool
    printer: str | None = None  # the printer the slips were also sent to
    printer_problem: str | None = None  # why sending them to the printer failed


class Printing:
    def __init__(self, context: Context) -> None:
        self._ctx = context

    # -- what may be printed -------------------------------------------------------------------

    def reg_groups(self, actor: Actor, school_id: int | None = None) -> tuple[str, ...]:
        """The registration groups of a school's learners, for "Print Registration Group"."""
        school_id = school_in_scope(actor, school_id)
        _require_learner_rights(actor, school_id)
        query = (
            Account.select(Account.reg_group)
            .where(
                (Account.school == school_id)
                & (Account.kind == str(Kind.LEARNER))
                & Account.reg_group.is_null(False)
                & still_listed()
            )
            .distinct()
        )
        return tuple(sorted((row.reg_group for row in query), key=natural_order))

    # -- printing --------------------------------------------------------------------------------

    def print_users(
        self,
        actor: Actor,
        usernames: Sequence[str],
        target: Path | BinaryIO,
        *,
        with_password: bool = False,
    ) -> PrintResult:
        """Slips for the named users (Print Details, Print With Password, Print Selected).

        All or nothing: one unknown user, one who has left or expired, or one the actor may
        not print, prints nobody.
        """
        wanted = list(dict.fromkeys(name.strip() for name in usernames if name.strip()))
        if not wanted:
            raise InvalidInput(_("Name at least one user to print."))
        rows = list(with_school(Account.select(Account, School)).where(Account.username << wanted))
        found = {row.username for row in rows}
        missing = [name for name in wanted if name not in found]
        if missing:
            raise NotFound(
                _("There is no user {names}.").format(
                    names=", ".join(repr(safe_text(name)) for name in missing)
                )
            )
        schools = {row.school_id for row in rows}
        return self._print(
            actor,
            rows,
            target,
            with_password=with_password,
            subject=rows[0].username if len(rows) == 1 else None,
            school_id=schools.pop() if len(schools) == 1 else None,
        )

    def print_reg_group(
        self,
        actor: Actor,
        reg_group: str,
        target: Path | BinaryIO,
        *,
        with_password: bool = False,
        school_id: int | None = None,
    ) -> PrintResult:
        """Slips for every learner of one registration group of a school."""
        name = reg_group.strip()
        if not name or len(name) > MAX_GROUP_NAME_LENGTH:
            raise InvalidInput(_("Give the name of a registration group, such as 9A."))
        school_id = school_in_scope(actor, school_id)
        _require_learner_rights(actor, school_id)
        rows = list(
            with_school(Account.select(Account, School)).where(
                (Account.school == school_id)
                & (Account.kind == str(Kind.LEARNER))
                & (Account.reg_group == name)
                & still_listed()
            )
        )
        if not rows:
            raise NotFound(
                _("There are no learners in registration group {name!r}.").format(
                    name=safe_text(name)
                )
            )
        return self._print(
            actor,
            rows,
            target,
            with_password=with_password,
            subject=f"registration group {name}",  # the audit trail is kept in English
            school_id=school_id,
        )

    def _print(
        self,
        actor: Actor,
        rows: list[Account],
        target: Path | BinaryIO,
        *,
        with_password: bool,
        subject: str | None,
        school_id: int | None,
    ) -> PrintResult:
        for row in rows:
            summary = to_summary(row)
            rights.require(actor, Action.PRINT_DETAILS, summary.target)
            if with_password:
                rights.require(actor, Action.SEE_PASSWORD, summary.target)
        for row in rows:  # only once rights allow, so a refusal tells nothing about others
            require_open(row)  # a slip for an account that cannot sign in helps nobody
        rows.sort(key=_reading_order)
        # A missing or wrong key stops here, before anything is recorded or written.
        passwords: Iterable[str | None] = (
            [shown_password(self._ctx.sealer, row) for row in rows]
            if with_password
            else [None] * len(rows)
        )
        slips = [_slip(row, password) for row, password in zip(rows, passwords, strict=True)]
        pdf = render_slips(slips)
        # Slips sent down a stream (standard output over SSH) are for the user's own printer.
        printer = self._printer() if isinstance(target, Path) else None
        usernames = ", ".join(row.username for row in rows)
        detail = (
            ("Print With Password" if with_password else "Print Details")
            + f": {len(rows)} users ({usernames})"
            + (f"; sent to printer {printer}" if printer else "")
        )

        def record() -> None:
            # An audit record that cannot be written raises StoreProblem: the file is not kept.
            self._ctx.write_transaction(
                lambda: self._ctx.audit(
                    actor, AuditAction.PRINT, target=subject, school_id=school_id, detail=detail
                )
            )

        written = deliver_private(target, pdf, record)
        problem = _send_to_printer(printer, written) if printer and written else None
        return PrintResult(
            path=written,
            users=len(rows),
            with_password=with_password,
            printer=printer,
            printer_problem=problem,
        )

    def _printer(self) -> str | None:
        """The configured printer, if `lp` is there to reach it."""
        printer = self._ctx.settings.printer
        return printer if printer and shutil.which("lp") else None


def _require_learner_rights(actor: Actor, school_id: int) -> None:
    """Registration groups are learners': printing them is for the school's staff."""
    if not rights.may(actor, Action.PRINT_DETAILS, Kind.LEARNER, school_id):
        raise PermissionDenied(_("You may not print this school's learners."))


def _reading_order(row: Account) -> tuple:
    return (
        natural_order(row.reg_group or ""),
        row.surname.casefold(),
        row.forename.casefold(),
        row.username,
    )


def _slip(row: Account, password: str | None) -> Slip:
    kind = Kind(row.kind)
    if kind is Kind.LEARNER:
        label = _("Registration group")
        group = row.reg_group or _("Year {year}").format(year=row.year or "?")
    else:
        label = _("Role")
        group = _("Digital Champion") if row.is_digital_champion else _(ROLE_NAMES[kind])
    return Slip(
        school=row.school.name if row.school_id is not None else "Hwb",
        name=f"{row.forename} {row.surname}",
        username=row.username,
        group_label=label,
        group=group,
        password=password,
    )


def _send_to_printer(printer: str, path: Path) -> str | None:
    """Queue the PDF on a CUPS printer; the reason it failed, or None."""
    command = ["lp", "-d", printer, "-t", path.name, "--", str(path)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=LP_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return _("lp could not be run: {error}").format(error=type(error).__name__)
    if done.returncode == 0:
        return None
    reason = safe_text((done.stderr or done.stdout).strip())
    return reason or _("lp failed (exit {code}).").format(code=done.returncode)
