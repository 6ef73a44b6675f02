"""Who is signed in and which school they are working on, shared by every screen."""

from __future__ import annotations

from dataclasses import dataclass

from hwb_tui.domain import rights
from hwb_tui.domain.i18n import _
from hwb_tui.domain.model import Actor, Kind, School


@dataclass
class Session:
    actor: Actor
    school: School | None = None  # chosen by a Hwb administrator; others work in their own

    @property
    def school_id(self) -> int | None:
        return self.school.id if self.school else self.actor.school_id

    @property
    def school_name(self) -> str:
        if self.school:
            return self.school.name
        return self.actor.school_name or ""

    @property
    def actor_kinds(self) -> tuple[Kind, ...]:
        """The user lists the actor may open in the current school."""
        return rights.visible_kinds(self.actor, self.school_id)

    @property
    def needs_school(self) -> bool:
        return self.actor.is_hwb_admin and self.school is None


def role_label(actor: Actor) -> str:
    """The actor's role in words, as Your Details shows it."""
    if actor.kind is Kind.STAFF:
        return _("Digital Champion") if actor.is_digital_champion else _("Staff")
    if actor.kind is Kind.LEARNER:
        return _("Learner, Year {year}").format(year=actor.year or "?")
    return {
        Kind.HWB_ADMIN: _("Hwb administrator"),
        Kind.GOVERNOR: _("Governor"),
        Kind.NON_MIS: _("Non-MIS user"),
    }[actor.kind]
