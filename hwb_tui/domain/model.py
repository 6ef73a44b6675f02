"""The things the portal talks about, as plain frozen dataclasses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from hwb_tui.domain.i18n import N_, _


class Kind(StrEnum):
    """The kind of an account, as the portal's "View Users" menu splits them."""

    LEARNER = "learner"
    STAFF = "staff"
    GOVERNOR = "governor"
    NON_MIS = "non-mis"
    HWB_ADMIN = "hwb-admin"


# The kinds that appear in a school's user lists, in the portal's order.
SCHOOL_KINDS = (Kind.LEARNER, Kind.STAFF, Kind.GOVERNOR, Kind.NON_MIS)

# A kind as a sentence names it ("this learner account"); translate with kind_name().
KIND_NAMES = {
    Kind.LEARNER: N_("learner"),
    Kind.STAFF: N_("staff"),
    Kind.GOVERNOR: N_("governor"),
    Kind.NON_MIS: N_("non-MIS"),
    Kind.HWB_ADMIN: N_("Hwb administrator"),
}


def kind_name(kind: Kind) -> str:
    return _(KIND_NAMES[kind])


class PasswordStatus(StrEnum):
    AVAILABLE = "available"  # "Show password": a sealed copy can be opened
    UNAVAILABLE = "unavailable"  # "-": it must be reset before anyone can see it
    USER_CHANGED = "user_changed"  # "User changed password": nobody can see it


# The portal's own words (message ids); show them with status_label().
STATUS_LABELS = {
    PasswordStatus.AVAILABLE: N_("Show password"),
    PasswordStatus.UNAVAILABLE: "-",
    PasswordStatus.USER_CHANGED: N_("User changed password"),
}


def status_label(status: PasswordStatus) -> str:
    return _(STATUS_LABELS[status])  # "-" has no catalog entry and stays as it is


class Phase(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


# Year groups in school order: Nursery, Reception, then Years 1 to 13.
YEARS = ("N", "R", *(str(n) for n in range(1, 14)))
PRIMARY_YEARS = frozenset(("N", "R", *(str(n) for n in range(1, 7))))


def parse_year(text: str) -> str:
    """The canonical year code for what a user typed ("n", " 9 ", "Year 9" are not all fine)."""
    code = text.strip().upper()
    if code in YEARS:
        return code
    raise ValueError(_("not a year group: {text!r} (use N, R or 1 to 13)").format(text=text))


def is_primary_year(year: str | None) -> bool:
    return year in PRIMARY_YEARS


@dataclass(frozen=True, slots=True)
class School:
    id: int
    code: str
    name: str
    phase: Phase


@dataclass(frozen=True, slots=True)
class Actor:
    """The signed-in user on whose behalf a service acts."""

    id: int
    username: str
    forename: str
    surname: str
    kind: Kind
    school_id: int | None
    school_name: str | None
    is_digital_champion: bool
    year: str | None

    @property
    def is_hwb_admin(self) -> bool:
        return self.kind is Kind.HWB_ADMIN

    @property
    def is_primary_learner(self) -> bool:
        return self.kind is Kind.LEARNER and is_primary_year(self.year)

    @property
    def display_name(self) -> str:
        return f"{self.forename} {self.surname}"


@dataclass(frozen=True, slots=True)
class Target:
    """What a rule needs to know about the account acted on."""

    id: int
    kind: Kind
    school_id: int | None


@dataclass(frozen=True, slots=True)
class UserSummary:
    """One row of a user list."""

    id: int
    username: str
    forename: str
    surname: str
    kind: Kind
    school_id: int | None
    school_name: str | None
    year: str | None
    reg_group: str | None
    status: PasswordStatus
    is_digital_champion: bool = False
    ends_on: dt.date | None = None  # a non-MIS account's last day
    expired: bool = False  # past that day: it can no longer sign in

    @property
    def target(self) -> Target:
        return Target(self.id, self.kind, self.school_id)


@dataclass(frozen=True, slots=True)
class UserDetails:
    """Everything about one account that the details screen shows."""

    summary: UserSummary
    admission_number: str | None
    staff_code: str | None
    classes: tuple[str, ...]
    consent: bool | None
    created_at: dt.datetime

    @property
    def username(self) -> str:
        return self.summary.username


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str | None
    action: str
    target: str | None
    school_id: int | None
    origin: str
    detail: str
