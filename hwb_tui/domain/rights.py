"""Who may do what: the guide's rules, in one table.

Each row reads as the guide does: "<action> on <kind> may be done by <who>".
"Same school" is part of every school role; only Hwb administrators act across schools.
"""

from __future__ import annotations

from enum import StrEnum

from hwb_tui.domain.errors import PermissionDenied
from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.model import Actor, Kind, Target, kind_name


class Action(StrEnum):
    LIST_USERS = "list users"
    RESET_PASSWORD = "reset the password of"
    SEE_PASSWORD = "see, copy or print the password of"
    PRINT_DETAILS = "print the details of"


class Who(StrEnum):
    SCHOOL_STAFF = "any staff user of the same school"  # Digital Champions are staff too
    DIGITAL_CHAMPION = "a Digital Champion of the same school"
    HWB_ADMIN = "a Hwb administrator"


class Download(StrEnum):
    """The portal's button names (message ids: show them with `_()`; the audit keeps English)."""

    ALL_PUPILS = N_("All Pupils")
    ALL_STAFF = N_("All Staff")


# A refusal as a whole sentence per action, so each language can order its words.
REFUSALS = {
    Action.LIST_USERS: N_("You may not view this {kind} account."),
    Action.RESET_PASSWORD: N_("You may not reset the password of this {kind} account."),
    Action.SEE_PASSWORD: N_("You may not see, copy or print the password of this {kind} account."),
    Action.PRINT_DETAILS: N_("You may not print the details of this {kind} account."),
}


_STAFF_OR_ADMIN = frozenset({Who.SCHOOL_STAFF, Who.HWB_ADMIN})
_CHAMPION_OR_ADMIN = frozenset({Who.DIGITAL_CHAMPION, Who.HWB_ADMIN})
_CHAMPION_ONLY = frozenset({Who.DIGITAL_CHAMPION})

RULES: dict[tuple[Action, Kind], frozenset[Who]] = {
    # "Learner passwords may be reset by ANY school staff user and Hwb administrators."
    (Action.RESET_PASSWORD, Kind.LEARNER): _STAFF_OR_ADMIN,
    # "School staff passwords may be reset by a school's Digital Champion and Hwb administrators."
    (Action.RESET_PASSWORD, Kind.STAFF): _CHAMPION_OR_ADMIN,
    # "Governor passwords may be reset by a Digital Champion."
    (Action.RESET_PASSWORD, Kind.GOVERNOR): _CHAMPION_ONLY,
    # "School Non-MIS passwords may be reset by a Digital Champion."
    (Action.RESET_PASSWORD, Kind.NON_MIS): _CHAMPION_ONLY,
    # Printing or downloading: learners "available to all school staff and Hwb administrators";
    # staff, governors and non-MIS "available to school Digital Champions and Hwb administrators".
    (Action.SEE_PASSWORD, Kind.LEARNER): _STAFF_OR_ADMIN,
    (Action.SEE_PASSWORD, Kind.STAFF): _CHAMPION_OR_ADMIN,
    (Action.SEE_PASSWORD, Kind.GOVERNOR): _CHAMPION_OR_ADMIN,
    (Action.SEE_PASSWORD, Kind.NON_MIS): _CHAMPION_OR_ADMIN,
    (Action.PRINT_DETAILS, Kind.LEARNER): _STAFF_OR_ADMIN,
    (Action.PRINT_DETAILS, Kind.STAFF): _CHAMPION_OR_ADMIN,
    (Action.PRINT_DETAILS, Kind.GOVERNOR): _CHAMPION_OR_ADMIN,
    (Action.PRINT_DETAILS, Kind.NON_MIS): _CHAMPION_OR_ADMIN,
    # Lists follow the print rights: you see the users whose details you may print.
    (Action.LIST_USERS, Kind.LEARNER): _STAFF_OR_ADMIN,
    (Action.LIST_USERS, Kind.STAFF): _CHAMPION_OR_ADMIN,
    (Action.LIST_USERS, Kind.GOVERNOR): _CHAMPION_OR_ADMIN,
    (Action.LIST_USERS, Kind.NON_MIS): _CHAMPION_OR_ADMIN,
}

DOWNLOAD_RULES: dict[Download, frozenset[Who]] = {
    Download.ALL_PUPILS: _STAFF_OR_ADMIN,  # "Available to all school staff and Hwb administrators."
    # "Available to school Digital Champions and Hwb administrators."
    Download.ALL_STAFF: _CHAMPION_OR_ADMIN,
}


def roles_of(actor: Actor, school_id: int | None) -> frozenset[Who]:
    """The roles the actor holds towards users of the given school."""
    if actor.is_hwb_admin:
        return frozenset({Who.HWB_ADMIN})
    if actor.kind is not Kind.STAFF or school_id is None or actor.school_id != school_id:
        return frozenset()
    if actor.is_digital_champion:
        return frozenset({Who.SCHOOL_STAFF, Who.DIGITAL_CHAMPION})
    return frozenset({Who.SCHOOL_STAFF})


def may(actor: Actor, action: Action, target_kind: Kind, school_id: int | None) -> bool:
    allowed = RULES.get((action, target_kind), frozenset())
    return bool(allowed & roles_of(actor, school_id))


def may_act_on(actor: Actor, action: Action, target: Target) -> bool:
    return may(actor, action, target.kind, target.school_id)


def require(actor: Actor, action: Action, target: Target) -> None:
    if not may_act_on(actor, action, target):
        raise PermissionDenied(_(REFUSALS[action]).format(kind=kind_name(target.kind)))


def may_change_own_password(actor: Actor) -> bool:
    """ "All users, except primary school learners, can reset their own passwords." """
    return not actor.is_primary_learner


def may_download(actor: Actor, download: Download, school_id: int | None) -> bool:
    return bool(DOWNLOAD_RULES[download] & roles_of(actor, school_id))


def may_read_audit(actor: Actor, school_id: int | None) -> bool:
    """Administrators read the whole audit trail; Digital Champions their own school's."""
    return bool(roles_of(actor, school_id) & {Who.HWB_ADMIN, Who.DIGITAL_CHAMPION})


def may_lift_sign_in_lock(actor: Actor, school_id: int | None) -> bool:
    """A locked-out user asks their Digital Champion (or a Hwb administrator), as for a reset."""
    return bool(roles_of(actor, school_id) & {Who.HWB_ADMIN, Who.DIGITAL_CHAMPION})


def may_maintain(actor: Actor) -> bool:
    """Key rotation and backups cover every school, so they are Hwb administrators' work."""
    return actor.is_hwb_admin


def may_import_from_mis(actor: Actor, school_id: int | None) -> bool:
    """A school's learners and staff follow its MIS: its Digital Champion or an administrator."""
    return bool(roles_of(actor, school_id) & _CHAMPION_OR_ADMIN)


def may_manage_non_mis(actor: Actor, school_id: int | None) -> bool:
    """A Digital Champion adds, edits, extends and removes non-MIS users (only they reset them)."""
    return bool(roles_of(actor, school_id) & _CHAMPION_ONLY)


def visible_kinds(actor: Actor, school_id: int | None) -> tuple[Kind, ...]:
    """The user lists this actor may open for a school, in the portal's order."""
    return tuple(
        kind
        for kind in (Kind.LEARNER, Kind.STAFF, Kind.GOVERNOR, Kind.NON_MIS)
        if may(actor, Action.LIST_USERS, kind, school_id)
    )
