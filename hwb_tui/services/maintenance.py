"""Backups of a live SQLite database, for Hwb administrators."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hwb_tui.domain import rights
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import PermissionDenied
from hwb_tui.domain.i18n import _
from hwb_tui.domain.model import Actor
from hwb_tui.services.context import Context
from hwb_tui.services.files import write_private_file
from hwb_tui.store import db as store_db


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size: int  # bytes


class Maintenance:
    def __init__(self, context: Context) -> None:
        self._ctx = context

    def backup(self, actor: Actor, path: Path) -> BackupResult:
        """A consistent copy of the live database, owner-only (0600), checked before it is kept.

        The copy holds every sealed password but not the key: the key file is backed up
        separately, so one stolen backup opens nothing.
        """
        if not rights.may_maintain(actor):
            raise PermissionDenied(_("Only Hwb administrators make backups."))
        image = store_db.backup_sqlite()

        def record() -> None:
            self._ctx.write_transaction(
                lambda: self._ctx.audit(
                    actor, AuditAction.BACKUP, detail=f"{len(image)} bytes to {path.name}"
                )
            )

        written = write_private_file(path, image, record)
        return BackupResult(path=written, size=len(image))
