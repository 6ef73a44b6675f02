"""MIS import: a school's learners or staff brought in step with its MIS's CSV file.

Learners are matched by admission number and staff by staff code, within the school. New
people get an account (status "-", or a generated password); names, year, registration
group, consent, classes and Digital Champion flags follow the file; people the file no longer
lists are marked as having left (nothing is deleted) and return if they reappear. Governors,
non-MIS users and administrators are never touched. All of it happens in one transaction,
audited as one event, or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from hwb_tui.domain import rights
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import InvalidInput, NotFound, PermissionDenied
from hwb_tui.domain.i18n import _
from hwb_tui.domain.mis_file import (
    CHAMPION_COLUMN,
    CLASSES_COLUMN,
    LAYOUTS,
    MisFile,
    MisPerson,
    read_mis_file,
)
from hwb_tui.domain.model import Actor, Kind, PasswordStatus
from hwb_tui.domain.policy import generate_password
from hwb_tui.domain.text import safe_text
from hwb_tui.domain.usernames import unique_usernames
from hwb_tui.services.context import Context
from hwb_tui.store import search_ranks
from hwb_tui.store.bulk import insert_rows
from hwb_tui.store.db import database
from hwb_tui.store.models import Account, ClassMembership, SchoolClass, utc_now
from hwb_tui.store.models import School as SchoolRow

ID_BATCH = 900  # ids per IN (…): well inside every SQLite build's limit on bound values


class ChangeKind(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    LEFT = "left"
    RETURNED = "returned"


@dataclass(frozen=True, slots=True)
class Change:
    """One person the import adds, changes, marks as left or brings back."""

    kind: ChangeKind
    key: str
    name: str
    username: str  # "" for a new person in a dry run: usernames are given when applied
    fields: tuple[str, ...] = ()  # what changed, as "Year: 8 → 9"


@dataclass(frozen=True, slots=True)
class ImportResult:
    kind: Kind
    school_name: str
    dry_run: bool
    changes: tuple[Change, ...]
    unchanged: int
    # (username, password) of each new account, when passwords were generated: shown once.
    passwords: tuple[tuple[str, str], ...] = ()

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for change in self.changes if change.kind is kind)

    @property
    def summary(self) -> str:
        return _(
            "{new} new, {changed} changed, {left} left, {returned} returned, {unchanged} unchanged"
        ).format(
            new=self.count(ChangeKind.NEW),
            changed=self.count(ChangeKind.CHANGED),
            left=self.count(ChangeKind.LEFT),
            returned=self.count(ChangeKind.RETURNED),
            unchanged=self.unchanged,
        )


@dataclass
class _Plan:
    """What applying the file would do to the rows as they are now."""

    new: list[MisPerson] = field(default_factory=list)
    updates: list[tuple[int, dict]] = field(default_factory=list)  # (account id, new values)
    left: list[int] = field(default_factory=list)
    returned: list[int] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    account_of_key: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    # account id -> {class name: membership id}, when the file has a Classes column
    memberships: dict[int, dict[str, int]] | None = None


class MisImport:
    def __init__(self, context: Context) -> None:
        self._ctx = context

    def import_file(
        self,
        actor: Actor,
        kind: Kind,
        path: Path,
        *,
        school_id: int | None = None,
        dry_run: bool = False,
        generate_passwords: bool = False,
    ) -> ImportResult:
        """Apply the file (refused whole if a row is bad), or with dry_run say what it would do."""
        try:
            data = path.expanduser().read_bytes()
        except OSError as error:
            raise InvalidInput(
                _("Cannot read {path}: {reason}.").format(path=path, reason=error.strerror)
            ) from None
        return self.import_data(
            actor,
            kind,
            data,
            source=path.name,
            school_id=school_id,
            dry_run=dry_run,
            generate_passwords=generate_passwords,
        )

    def import_data(
        self,
        actor: Actor,
        kind: Kind,
        data: bytes,
        *,
        source: str,
        school_id: int | None = None,
        dry_run: bool = False,
        generate_passwords: bool = False,
    ) -> ImportResult:
        if kind not in LAYOUTS:
            raise InvalidInput(_("Only learners and staff come from the MIS."))
        if school_id is None:
            if actor.is_hwb_admin:
                raise InvalidInput(_("Name the school to import into (for example --school CODE)."))
            school_id = actor.school_id  # a Digital Champion's own school
        if not rights.may_import_from_mis(actor, school_id):
            raise PermissionDenied(
                _("Only the school's Digital Champion or a Hwb administrator imports from the MIS.")
            )
        school = SchoolRow.get_or_none(SchoolRow.id == school_id)
        if school is None:
            raise NotFound(_("That school no longer exists."))
        mis_file = read_mis_file(data, kind)
        if dry_run:
            return _result(kind, school.name, True, _current_plan(mis_file, school_id))
        prepared = {}
        if generate_passwords:
            # Hash before the write transaction (argon2 is slow); the plan is made again in it.
            new_people = _current_plan(mis_file, school_id).new
            prepared = _prepare_passwords(self._ctx, new_people)
        with self._ctx.db.atomic():
            plan = _current_plan(mis_file, school_id)
            if generate_passwords and any(person.key not in prepared for person in plan.new):
                raise InvalidInput(_("The school's users changed during the import; run it again."))
            passwords = self._apply(mis_file, plan, school_id, prepared)
            result = _result(kind, school.name, False, plan, passwords)
            self._ctx.audit(
                actor,
                AuditAction.MIS_IMPORT,
                school_id=school_id,
                detail=f"{kind} from {safe_text(source)}: {result.summary}",
            )
            search_ranks.tidy(self._ctx.db)
        search_ranks.settle(self._ctx.db)
        return result

    def _apply(
        self,
        mis_file: MisFile,
        plan: _Plan,
        school_id: int,
        prepared: dict[str, tuple[str, str]],
    ) -> tuple[tuple[str, str], ...]:
        layout = mis_file.layout
        now = utc_now()
        for account_id, values in plan.updates:
            Account.update(**values).where(Account.id == account_id).execute()
        for ids in _batches(plan.left, ID_BATCH):
            Account.update(left_at=now).where(Account.id.in_(ids)).execute()
        for ids in _batches(plan.returned, ID_BATCH):
            Account.update(left_at=None).where(Account.id.in_(ids)).execute()
        usernames = _insert_new(plan, layout.kind, school_id, prepared)
        if plan.memberships is not None:
            _set_classes(school_id, mis_file.people, plan)
        passwords = []
        for person in plan.new:
            if person.key in prepared:
                account_id = plan.account_of_key[person.key]
                password = prepared[person.key][0]
                Account.update(
                    sealed_password=self._ctx.sealer.seal_password(account_id, password)
                ).where(Account.id == account_id).execute()
                passwords.append((usernames[person.key], password))
        return tuple(passwords)


def _current_plan(mis_file: MisFile, school_id: int) -> _Plan:
    kind = mis_file.layout.kind
    memberships = _stored_memberships(school_id, kind) if mis_file.says(CLASSES_COLUMN) else None
    return _plan(mis_file, _stored(school_id, kind), memberships)


def _stored(school_id: int, kind: Kind) -> list:
    """The school's accounts of the kind, as light named tuples (no model instances)."""
    return list(
        Account.select(
            Account.id,
            Account.username,
            Account.forename,
            Account.surname,
            Account.year,
            Account.reg_group,
            Account.consent,
            Account.is_digital_champion,
            Account.admission_number,
            Account.staff_code,
            Account.left_at,
        )
        .where((Account.school == school_id) & (Account.kind == str(kind)))
        .order_by(Account.id)
        .namedtuples()
    )


def _key_of(row, kind: Kind) -> str | None:
    return row.admission_number if kind is Kind.LEARNER else row.staff_code


# (label, column that must be in the file, MisPerson attribute = Account field)
_COMPARED = (
    ("Forename", None, "forename"),
    ("Surname", None, "surname"),
    ("Year", "Year", "year"),
    ("Reg group", "Reg group", "reg_group"),
    ("Consent", "Consent", "consent"),
    ("Digital Champion", CHAMPION_COLUMN, "is_digital_champion"),
)


def _plan(
    mis_file: MisFile, stored: Sequence, memberships: dict[int, dict[str, int]] | None
) -> _Plan:
    """What the file changes; memberships are the stored classes when the file has classes."""
    kind = mis_file.layout.kind
    plan = _Plan(memberships=memberships)
    by_key: dict[str, object] = {}
    for row in stored:
        key = _key_of(row, kind)
        if key is not None:
            by_key.setdefault(key, row)
    in_file = set()
    for person in mis_file.people:
        row = by_key.get(person.key)
        if row is None:
            plan.new.append(person)
            plan.changes.append(
                Change(ChangeKind.NEW, person.key, f"{person.forename} {person.surname}", "")
            )
            continue
        in_file.add(row.id)
        plan.account_of_key[person.key] = row.id
        values, described = {}, []
        for label, column, name in _COMPARED:
            if column is not None and not mis_file.says(column):
                continue
            wanted, stored_value = getattr(person, name), getattr(row, name)
            if name == "is_digital_champion":
                stored_value = bool(stored_value)
            if wanted != stored_value:
                values[name] = wanted
                described.append(f"{label}: {_shown(stored_value)} → {_shown(wanted)}")
        if memberships is not None:
            stored_classes = memberships.get(row.id, {}).keys()
            if set(person.classes or ()) != stored_classes:
                described.append(
                    f"{CLASSES_COLUMN}: {_shown_classes(stored_classes)} → "
                    f"{_shown_classes(person.classes)}"
                )
        name = f"{person.forename} {person.surname}"
        if row.left_at is not None:
            plan.returned.append(row.id)
            plan.changes.append(
                Change(ChangeKind.RETURNED, person.key, name, row.username, tuple(described))
            )
        elif described:
            plan.changes.append(
                Change(ChangeKind.CHANGED, person.key, name, row.username, tuple(described))
            )
        else:
            plan.unchanged += 1
        if values:
            plan.updates.append((row.id, values))
    for row in stored:
        if row.id not in in_file and row.left_at is None:
            plan.left.append(row.id)
            plan.changes.append(
                Change(
                    ChangeKind.LEFT,
                    _key_of(row, kind) or "",
                    f"{row.forename} {row.surname}",
                    row.username,
                )
            )
    return plan


def _stored_memberships(school_id: int, kind: Kind) -> dict[int, dict[str, int]]:
    """account id -> {class name: membership id} for the school's accounts of the kind."""
    memberships: dict[int, dict[str, int]] = {}
    query = (
        ClassMembership.select(ClassMembership.account, SchoolClass.name, ClassMembership.id)
        .join(SchoolClass)
        .switch(ClassMembership)
        .join(Account)
        .where((Account.school == school_id) & (Account.kind == str(kind)))
    )
    # The driver's own rows (ids and names need no conversion): a school has many memberships.
    for account_id, name, membership_id in database.execute(query):
        memberships.setdefault(account_id, {})[name] = membership_id
    return memberships


def _shown_classes(names: Iterable[str] | None) -> str:
    return "; ".join(sorted(names)) if names else "-"


def _shown(value: object) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _prepare_passwords(context: Context, people: Sequence[MisPerson]) -> dict[str, tuple[str, str]]:
    """key -> (password, argon2 hash) for each new person, hashed on every core."""
    passwords = [generate_password() for _person in people]
    hashes = context.hasher.hash_many(passwords)
    return {
        person.key: (password, encoded)
        for person, password, encoded in zip(people, passwords, hashes, strict=True)
    }


# The columns a new account is inserted with, in the order _new_account_row gives them.
_NEW_ACCOUNT_COLUMNS = (
    "username",
    "forename",
    "surname",
    "kind",
    "school",
    "is_digital_champion",
    "year",
    "reg_group",
    "admission_number",
    "staff_code",
    "consent",
    "created_at",
    "password_hash",
    "password_status",
    "password_changed_at",
)


def _insert_new(
    plan: _Plan, kind: Kind, school_id: int, prepared: dict[str, tuple[str, str]]
) -> dict[str, str]:
    """Insert the new people in one statement; record their ids in the plan; key -> username."""
    if not plan.new:
        return {}
    taken = {username for (username,) in Account.select(Account.username).tuples()}
    names = unique_usernames(((p.forename, p.surname) for p in plan.new), taken)
    usernames = {person.key: name for person, name in zip(plan.new, names, strict=True)}
    rows = []
    now = utc_now()
    for person, username in zip(plan.new, names, strict=True):
        password_hash = prepared[person.key][1] if person.key in prepared else None
        status = PasswordStatus.AVAILABLE if password_hash else PasswordStatus.UNAVAILABLE
        rows.append(
            (
                username,
                person.forename,
                person.surname,
                str(kind),
                school_id,
                bool(person.is_digital_champion),
                person.year,
                person.reg_group,
                person.key if kind is Kind.LEARNER else None,
                person.key if kind is Kind.STAFF else None,
                person.consent,
                now,
                password_hash,
                str(status),
                now if password_hash else None,
            )
        )
    insert_rows(Account, _NEW_ACCOUNT_COLUMNS, rows)
    key_field = Account.admission_number if kind is Kind.LEARNER else Account.staff_code
    query = Account.select(Account.id, key_field).where(
        (Account.school == school_id) & (Account.kind == str(kind))
    )
    for account_id, key in query.tuples():
        if key in usernames:  # a new person's key matched no stored account
            plan.account_of_key[key] = account_id
    return usernames


def _set_classes(school_id: int, people: Iterable[MisPerson], plan: _Plan) -> None:
    """Each listed person's classes become exactly those the file names; classes are created."""
    current = plan.memberships or {}
    wanted = {plan.account_of_key[person.key]: set(person.classes or ()) for person in people}
    class_ids = dict(
        SchoolClass.select(SchoolClass.name, SchoolClass.id)
        .where(SchoolClass.school == school_id)
        .tuples()
    )
    missing = sorted({name for names in wanted.values() for name in names} - class_ids.keys())
    if missing:
        insert_rows(SchoolClass, ("school", "name"), ((school_id, name) for name in missing))
        class_ids.update(
            SchoolClass.select(SchoolClass.name, SchoolClass.id)
            .where(SchoolClass.school == school_id)
            .tuples()
        )
    stale = [
        membership_id
        for account_id, names in wanted.items()
        for name, membership_id in current.get(account_id, {}).items()
        if name not in names
    ]
    for ids in _batches(stale, ID_BATCH):
        ClassMembership.delete().where(ClassMembership.id.in_(ids)).execute()
    insert_rows(
        ClassMembership,
        ("account", "school_class"),
        (
            (account_id, class_ids[name])
            for account_id, names in wanted.items()
            for name in sorted(names - current.get(account_id, {}).keys())
        ),
    )


def _batches(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _result(
    kind: Kind,
    school_name: str,
    dry_run: bool,
    plan: _Plan,
    passwords: tuple[tuple[str, str], ...] = (),
) -> ImportResult:
    return ImportResult(
        kind=kind,
        school_name=school_name,
        dry_run=dry_run,
        changes=tuple(plan.changes),
        unchanged=plan.unchanged,
        passwords=passwords,
    )
