"""A small school population built straight into the store, for the rights and password tests.

Two primary and two secondary schools, each with a learner, a member of staff, a Digital
Champion, a governor and a non-MIS user, plus two Hwb administrators. Every account has a known
password with a sealed copy ("Show password"), and names that need more than ASCII.
"""

from __future__ import annotations

from dataclasses import dataclass

from hwb_tui.domain.model import Kind, PasswordStatus, Phase
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.models import Account, School

# (label, school code, phase): the label is what usernames and test messages use.
SCHOOLS = (
    ("p1", "6610001", Phase.PRIMARY),
    ("p2", "6610002", Phase.PRIMARY),
    ("s1", "6614001", Phase.SECONDARY),
    ("s2", "6614002", Phase.SECONDARY),
)
SCHOOL_NAMES = {
    "p1": "Ysgol Gynradd Llanddewi",
    "p2": "Ysgol Gynradd Aberllyn",
    "s1": "Ysgol Uwchradd Bryn Ŵyn",
    "s2": "Eastside Comprehensive",
}

# (role, kind, Digital Champion): one of each per school.
SCHOOL_ROLES = (
    ("learner", Kind.LEARNER, False),
    ("staff", Kind.STAFF, False),
    ("champion", Kind.STAFF, True),
    ("governor", Kind.GOVERNOR, False),
    ("nonmis", Kind.NON_MIS, False),
)
ADMINS = ("admin.hwb", "admin2.hwb")

NAMES = (
    ("Siôn", "Ó Briain"),
    ("Gwenllïan", "ap Llŷr"),
    ("Llŷr", "Huws"),
    ("Zoë", "Prys"),
    ("Ffîon", "O'Connor"),
    ("Dafydd", "Ŵyn"),
)


@dataclass(frozen=True)
class Person:
    username: str
    kind: Kind
    school: str | None  # the school's label, None for a Hwb administrator
    is_digital_champion: bool
    password: str
    forename: str
    surname: str

    @property
    def role(self) -> str:
        return "admin" if self.school is None else self.username.split(".")[0]


@dataclass(frozen=True)
class Population:
    people: dict[str, Person]
    school_ids: dict[str, int]

    def password(self, username: str) -> str:
        return self.people[username].password

    def in_school(self, label: str, kind: Kind) -> list[Person]:
        return [p for p in self.people.values() if p.school == label and p.kind is kind]


def username(role: str, school: str) -> str:
    return f"{role}.{school}"


def build_population(hwb: Hwb) -> Population:
    """Write the population through the store, with hashes and sealed copies from the services."""
    context = hwb.context
    sealer, hasher = context.sealer, context.hasher
    people: dict[str, Person] = {}
    school_ids: dict[str, int] = {}
    with context.db.atomic():
        for label, code, phase in SCHOOLS:
            school_ids[label] = School.create(
                code=code, name=SCHOOL_NAMES[label], phase=str(phase)
            ).id
        plan = [(name, Kind.HWB_ADMIN, None, False) for name in ADMINS]
        plan += [
            (username(role, label), kind, label, champion)
            for label, _, _ in SCHOOLS
            for role, kind, champion in SCHOOL_ROLES
        ]
        for index, (name, kind, label, champion) in enumerate(plan):
            forename, surname = NAMES[index % len(NAMES)]
            primary = label is not None and label.startswith("p")
            password = f"Cyfrinair{index:02d}Xq"
            row = Account.create(
                username=name,
                forename=forename,
                surname=surname,
                kind=str(kind),
                school=school_ids[label] if label else None,
                is_digital_champion=champion,
                year=("4" if primary else "9") if kind is Kind.LEARNER else None,
                reg_group=("4A" if primary else "9A") if kind is Kind.LEARNER else None,
                admission_number=f"A{index:05d}" if kind is Kind.LEARNER else None,
                staff_code=f"SC{index:03d}" if kind is Kind.STAFF else None,
                consent=(index % 2 == 0) if kind is Kind.LEARNER else None,
                password_hash=hasher.hash(password),
                password_status=str(PasswordStatus.AVAILABLE),
            )
            Account.update(sealed_password=sealer.seal_password(row.id, password)).where(
                Account.id == row.id
            ).execute()
            people[name] = Person(name, kind, label, champion, password, forename, surname)
    return Population(people, school_ids)
