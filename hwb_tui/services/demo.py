"""The demo database: two schools, every kind of user, and every password status."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import InvalidInput
from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.model import Kind, PasswordStatus, Phase
from hwb_tui.domain.policy import generate_password
from hwb_tui.domain.usernames import unique_username
from hwb_tui.services.context import Context
from hwb_tui.store import db as store_db
from hwb_tui.store.models import Account, ClassMembership, School, SchoolClass, Setting

DEMO_SETTING = "demo"
DEMO_PASSWORD = "Croeso2026"  # the same for every demo sign-in, so the README can name it

# (username, kind, school index or None, year, reg group, Digital Champion, forename, surname)
DEMO_SIGN_INS = (
    ("admin.demo", Kind.HWB_ADMIN, None, None, None, False, "Eleri", "Gweinyddwr"),
    ("champion.demo", Kind.STAFF, 1, None, None, True, "Gareth", "Pencampwr"),
    ("teacher.demo", Kind.STAFF, 1, None, None, False, "Sarah", "Teacher"),
    ("learner.demo", Kind.LEARNER, 1, "9", "9A", False, "Zoë", "Ó Briain"),
    ("primary.demo", Kind.LEARNER, 0, "4", "4A", False, "Llŷr", "ap Siôn"),
    ("governor.demo", Kind.GOVERNOR, 1, None, None, False, "Margaret", "Llywodraethwr"),
    ("nonmis.demo", Kind.NON_MIS, 1, None, None, False, "Tom", "Visitor"),
)

WELSH_FORENAMES = (
    "Siôn",
    "Gwenllïan",
    "Llŷr",
    "Catrin",
    "Dafydd",
    "Elin",
    "Osian",
    "Cerys",
    "Rhys",
    "Efa",
    "Gruffudd",
    "Mali",
    "Ifan",
    "Nia",
    "Tomos",
    "Lowri",
    "Aled",
    "Seren",
    "Iwan",
    "Alaw",
    "Macsen",
    "Heledd",
    "Cai",
    "Megan",
    "Guto",
    "Ffion",
    "Morgan",
    "Non",
    "Deio",
    "Anwen",
)
WELSH_SURNAMES = (
    "Jones",
    "Williams",
    "Davies",
    "Evans",
    "Thomas",
    "Roberts",
    "Lewis",
    "Hughes",
    "Morgan",
    "Griffiths",
    "ap Dafydd",
    "Llwyd",
    "Prys",
    "Rhys",
    "Huws",
    "Pritchard",
    "Owen",
    "Parry",
    "Vaughan",
    "Bowen",
    "Ellis",
    "Gwynedd",
)
ENGLISH_FORENAMES = (
    "Oliver",
    "Amelia",
    "Zoë",
    "Harry",
    "Isla",
    "Jack",
    "Ava",
    "Noah",
    "Mia",
    "Leo",
    "Chloé",
    "Mohammed",
    "Aisha",
    "Kacper",
    "Zuzanna",
    "Jamie",
    "Ellie",
    "Ethan",
    "Freya",
    "Liam",
    "Seren",
    "Rhys",
    "Bethan",
    "Dylan",
)
ENGLISH_SURNAMES = (
    "Smith",
    "Brown",
    "Taylor",
    "Wilson",
    "Walker",
    "Khan",
    "Patel",
    "Nowak",
    "O'Connor",
    "Edwards",
    "Price",
    "Phillips",
    "Harris",
    "Clarke",
    "Ó Briain",
    "Jones",
    "Davies",
    "Evans",
    "Mitchell",
    "Kowalski",
)


@dataclass(frozen=True, slots=True)
class SchoolPlan:
    code: str
    name: str
    phase: Phase
    years: tuple[str, ...]
    groups_per_year: int
    learners_per_group: int
    forenames: tuple[str, ...]
    surnames: tuple[str, ...]
    staff: int
    governors: int
    non_mis: int


SCHOOLS = (
    SchoolPlan(
        "6612001",
        "Ysgol Gynradd Cwm Derwen",
        Phase.PRIMARY,
        ("N", "R", "1", "2", "3", "4", "5", "6"),
        1,
        10,
        WELSH_FORENAMES,
        WELSH_SURNAMES,
        6,
        3,
        2,
    ),
    SchoolPlan(
        "6614050",
        "Riverside High School",
        Phase.SECONDARY,
        tuple(str(y) for y in range(7, 14)),
        2,
        10,
        ENGLISH_FORENAMES,
        ENGLISH_SURNAMES,
        12,
        4,
        3,
    ),
)
PRIMARY_CLASSES = {
    "N": "Dosbarth Derwen",
    "R": "Dosbarth Derwen",
    "1": "Dosbarth Celyn",
    "2": "Dosbarth Celyn",
    "3": "Dosbarth Onnen",
    "4": "Dosbarth Onnen",
    "5": "Dosbarth Bedwen",
    "6": "Dosbarth Bedwen",
}
SECONDARY_SUBJECTS = ("Ma", "En", "Cy", "Sc")


@dataclass(frozen=True, slots=True)
class DemoSignIn:
    username: str
    role: str
    password: str


@dataclass
class _Person:
    kind: Kind
    school: int | None
    forename: str
    surname: str
    status: PasswordStatus
    username: str = ""
    year: str | None = None
    reg_group: str | None = None
    champion: bool = False
    classes: tuple[str, ...] = ()
    password: str | None = None


class Demo:
    def __init__(self, context: Context) -> None:
        self._ctx = context

    def is_demo(self) -> bool:
        return Setting.get_or_none(Setting.key == DEMO_SETTING) is not None

    def sign_ins(self) -> tuple[DemoSignIn, ...]:
        """The demo sign-ins (on a demo database only), for the sign-in screen's hint."""
        if not self.is_demo():
            return ()
        return tuple(
            DemoSignIn(u, _role(k, c), DEMO_PASSWORD) for u, k, _, _, _, c, _, _ in DEMO_SIGN_INS
        )

    def build(self, force: bool = False, seed: int = 2026) -> tuple[DemoSignIn, ...]:
        # Schools alone (an MIS import before its users) are real data too.
        has_data = Account.select().exists() or School.select().exists()
        if has_data and not self.is_demo():
            raise InvalidInput(_("This database holds real users; the demo never overwrites it."))
        if has_data and not force:
            raise InvalidInput(_("This is already a demo database; add --force to build it again."))
        people = _plan_people(random.Random(seed))
        to_hash = [p for p in people if p.status is not PasswordStatus.UNAVAILABLE]
        for person in to_hash:
            person.password = person.password or generate_password()
        # Hashing is the slow part: do it on every core, before the write transaction.
        hashes = self._ctx.hasher.hash_many([p.password for p in to_hash])
        hash_of = {id(p): h for p, h in zip(to_hash, hashes, strict=True)}
        if has_data:
            store_db.recreate_schema()
        sealer = self._ctx.sealer
        with self._ctx.db.atomic():
            school_ids = [
                School.create(code=plan.code, name=plan.name, phase=str(plan.phase)).id
                for plan in SCHOOLS
            ]
            class_ids: dict[tuple[int, str], int] = {}
            taken: set[str] = {username for username, *_ in DEMO_SIGN_INS}
            for serial, person in enumerate(people, start=1):
                if not person.username:
                    person.username = unique_username(
                        person.forename, person.surname, taken.__contains__
                    )
                    taken.add(person.username)
                school_id = school_ids[person.school] if person.school is not None else None
                row = Account.create(
                    username=person.username,
                    forename=person.forename,
                    surname=person.surname,
                    kind=str(person.kind),
                    school=school_id,
                    is_digital_champion=person.champion,
                    year=person.year,
                    reg_group=person.reg_group,
                    admission_number=_admission_number(person, serial),
                    staff_code=_staff_code(person, serial),
                    consent=(serial % 7 != 0) if person.kind is Kind.LEARNER else None,
                    password_hash=hash_of.get(id(person)),
                    password_status=str(person.status),
                )
                if person.status is PasswordStatus.AVAILABLE:
                    row.sealed_password = sealer.seal_password(row.id, person.password)
                    row.save()
                for name in person.classes:
                    key = (school_id, name)
                    if key not in class_ids:
                        class_ids[key] = SchoolClass.create(school=school_id, name=name).id
                    ClassMembership.create(account=row.id, school_class=class_ids[key])
            Setting.create(key=DEMO_SETTING, value=b"1")
            self._ctx.audit(None, AuditAction.CREATE_DEMO, detail=f"{len(people)} users")
        return self.sign_ins()


def _role(kind: Kind, champion: bool) -> str:
    """The role as a message id: whoever shows it translates it, so it follows a switch."""
    if champion:
        return N_("Digital Champion")
    return {
        Kind.HWB_ADMIN: N_("Hwb administrator"),
        Kind.STAFF: N_("staff"),
        Kind.LEARNER: N_("learner"),
        Kind.GOVERNOR: N_("governor"),
        Kind.NON_MIS: N_("non-MIS user"),
    }[kind]


def _plan_people(rng: random.Random) -> list[_Person]:
    people = [
        _Person(
            kind,
            school,
            forename,
            surname,
            PasswordStatus.AVAILABLE,
            username=username,
            year=year,
            reg_group=group,
            champion=champion,
            password=DEMO_PASSWORD,
            classes=_classes_for(school, year, rng) if kind is Kind.LEARNER else (),
        )
        for username, kind, school, year, group, champion, forename, surname in DEMO_SIGN_INS
    ]
    for index, plan in enumerate(SCHOOLS):
        primary = plan.phase is Phase.PRIMARY
        for year in plan.years:
            for group in "ABCD"[: plan.groups_per_year]:
                for _place in range(plan.learners_per_group):
                    people.append(
                        _Person(
                            Kind.LEARNER,
                            index,
                            rng.choice(plan.forenames),
                            rng.choice(plan.surnames),
                            _status(rng, primary_learner=primary),
                            year=year,
                            reg_group=f"{year}{group}",
                            classes=_classes_for(index, year, rng),
                        )
                    )
        for kind, count in (
            (Kind.STAFF, plan.staff),
            (Kind.GOVERNOR, plan.governors),
            (Kind.NON_MIS, plan.non_mis),
        ):
            for number in range(count):
                people.append(
                    _Person(
                        kind,
                        index,
                        rng.choice(plan.forenames),
                        rng.choice(plan.surnames),
                        _status(rng, primary_learner=False),
                        champion=kind is Kind.STAFF and number == 0 and primary,
                    )
                )
    return people


def _status(rng: random.Random, primary_learner: bool) -> PasswordStatus:
    """A mix of all three statuses; primary learners cannot change their own password."""
    roll = rng.random()
    if roll < 0.55:
        return PasswordStatus.AVAILABLE
    if roll < 0.8 or primary_learner:
        return PasswordStatus.UNAVAILABLE
    return PasswordStatus.USER_CHANGED


def _classes_for(school: int | None, year: str | None, rng: random.Random) -> tuple[str, ...]:
    if school is None or year is None:
        return ()
    if SCHOOLS[school].phase is Phase.PRIMARY:
        return (PRIMARY_CLASSES[year],)
    return tuple(f"{year}{subject}{rng.randint(1, 2)}" for subject in SECONDARY_SUBJECTS)


def _admission_number(person: _Person, serial: int) -> str | None:
    if person.kind is not Kind.LEARNER:
        return None
    return f"{2000 + serial:06d}"


def _staff_code(person: _Person, serial: int) -> str | None:
    if person.kind is not Kind.STAFF:
        return None
    return f"{person.forename[:1]}{person.surname[:1]}{serial:03d}".upper()
