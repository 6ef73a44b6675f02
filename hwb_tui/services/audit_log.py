"""Reading the audit trail: administrators everything, Digital Champions their own school."""

from __future__ import annotations

from hwb_tui.domain import rights
from hwb_tui.domain.errors import InvalidInput, PermissionDenied
from hwb_tui.domain.i18n import _
from hwb_tui.domain.model import Actor, AuditEntry
from hwb_tui.services.context import Context
from hwb_tui.store.models import AuditRecord


def to_entry(row: AuditRecord) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        target=row.target,
        school_id=row.school_id,
        origin=row.origin,
        detail=row.detail,
    )


class AuditLog:
    def __init__(self, context: Context) -> None:
        self._ctx = context

    def entries(self, actor: Actor, limit: int | None = None) -> tuple[AuditEntry, ...]:
        if not rights.may_read_audit(actor, actor.school_id):
            raise PermissionDenied(
                _("Only Digital Champions and Hwb administrators read the audit trail.")
            )
        if limit is not None and limit < 1:
            raise InvalidInput(_("The limit must be a whole number of at least 1."))
        query = AuditRecord.select()
        if not actor.is_hwb_admin:
            query = query.where(AuditRecord.school_id == actor.school_id)
        if limit is None:
            return tuple(to_entry(row) for row in query.order_by(AuditRecord.id))
        # The latest records, still shown oldest first.
        latest = query.order_by(AuditRecord.id.desc()).limit(limit)
        return tuple(reversed([to_entry(row) for row in latest]))
