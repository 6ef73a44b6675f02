"""Non-MIS users (supply staff, volunteers, visitors): a Digital Champion looks after them by hand.

Each has an end date — 1, 3 or 6 months, or the end of the school year. After it the account
cannot sign in and is shown as expired until the Digital Champion extends it. Removing one
marks it as having left; nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hwb_tui.domain import rights
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import InvalidInput, PermissionDenied
from hwb_tui.domain.i18n import _
from hwb_tui.domain.membership import EndChoice, end_date, is_expired
from hwb_tui.domain.model import Actor, Kind, PasswordStatus
from hwb_tui.domain.policy import generate_password
from hwb_tui.domain.text import clean_field, safe_text
from hwb_tui.domain.usernames import unique_username
from hwb_tui.services.context import Context
from hwb_tui.services.membership import today
from hwb_tui.store import search_ranks
from hwb_tui.store.models import Account, utc_now


@dataclass(frozen=True, slots=True)
class NonMisUser:
    username: str
    forename: str
    surname: str
    expires_on: dt.date | None
    expired: bool
    left: bool
    status: PasswordStatus


@dataclass(frozen=True, slots=True)
class NonMisAdded:
    user: NonMisUser
    password: str | None  # the generated password, shown once; None when its status is "-"


class NonMis:
    def __init__(self, context: Context) -> None:
        self._ctx = context

    def list_users(self, actor: Actor, *, include_left: bool = False) -> tuple[NonMisUser, ...]:
        """The Digital Champion's school's non-MIS users, expired ones included and marked."""
        school_id = self._school(actor)
        query = Account.select().where(
            (Account.school == school_id) & (Account.kind == str(Kind.NON_MIS))
        )
        if not include_left:
            query = query.where(Account.left_at.is_null())
        return tuple(
            _to_user(row) for row in query.order_by(Account.surname, Account.forename, Account.id)
        )

    def add(
        self,
        actor: Actor,
        forename: str,
        surname: str,
        end: EndChoice,
        *,
        generate: bool = False,
    ) -> NonMisAdded:
        school_id = self._school(actor)
        forename = clean_field(forename, _("Forename"))
        surname = clean_field(surname, _("Surname"))
        expires_on = end_date(end, today())
        password = generate_password() if generate else None
        # Hash before the write transaction: argon2 is slow and must not hold the lock.
        encoded = self._ctx.hasher.hash(password) if password else None
        with self._ctx.db.atomic():
            username = unique_username(
                forename,
                surname,
                lambda name: Account.select().where(Account.username == name).exists(),
            )
            row = Account.create(
                username=username,
                forename=forename,
                surname=surname,
                kind=str(Kind.NON_MIS),
                school=school_id,
                expires_on=expires_on,
                password_hash=encoded,
                password_status=str(
                    PasswordStatus.AVAILABLE if password else PasswordStatus.UNAVAILABLE
                ),
                password_changed_at=utc_now() if password else None,
            )
            if password:
                row.sealed_password = self._ctx.sealer.seal_password(row.id, password)
                row.save()
            self._ctx.audit(
                actor,
                AuditAction.NON_MIS_ADD,
                target=username,
                school_id=school_id,
                detail=f"ends {expires_on.isoformat()}",
            )
            search_ranks.tidy(self._ctx.db)
        search_ranks.settle(self._ctx.db)
        return NonMisAdded(_to_user(row), password)

    def edit(
        self, actor: Actor, username: str, *, forename: str | None, surname: str | None
    ) -> NonMisUser:
        """Correct a name; the username stays, so nobody's sign-in changes."""
        row = self._own(actor, username)
        values = {}
        if forename is not None:
            values["forename"] = clean_field(forename, _("Forename"))
        if surname is not None:
            values["surname"] = clean_field(surname, _("Surname"))
        if not values:
            raise InvalidInput(_("Give a new forename or surname."))
        with self._ctx.db.atomic():
            self._ctx.lock_account(row.id)
            Account.update(**values).where(Account.id == row.id).execute()
            self._ctx.audit(
                actor,
                AuditAction.NON_MIS_EDIT,
                target=row.username,
                school_id=row.school_id,
                detail=", ".join(sorted(values)),
            )
            search_ranks.tidy(self._ctx.db)
        search_ranks.settle(self._ctx.db)
        return _to_user(Account.get_by_id(row.id))

    def extend(self, actor: Actor, username: str, end: EndChoice) -> NonMisUser:
        """A later end date, counted from today or from the current end if that is later."""
        row = self._own(actor, username)
        if row.left_at is not None:
            raise InvalidInput(
                _("{user} was removed; add them again instead.").format(user=row.username)
            )
        start = max(today(), row.expires_on or today())
        expires_on = end_date(end, start)
        if row.expires_on is not None and expires_on <= row.expires_on:
            raise InvalidInput(
                _("{user} already runs to {day}.").format(
                    user=row.username, day=row.expires_on.isoformat()
                )
            )
        with self._ctx.db.atomic():
            self._ctx.lock_account(row.id)
            Account.update(expires_on=expires_on).where(Account.id == row.id).execute()
            self._ctx.audit(
                actor,
                AuditAction.NON_MIS_EXTEND,
                target=row.username,
                school_id=row.school_id,
                detail=f"ends {expires_on.isoformat()}",
            )
        return _to_user(Account.get_by_id(row.id))

    def remove(self, actor: Actor, username: str) -> NonMisUser:
        """Mark as having left: the account stops signing in and leaves the lists."""
        row = self._own(actor, username)
        if row.left_at is not None:
            raise InvalidInput(_("{user} was already removed.").format(user=row.username))
        with self._ctx.db.atomic():
            self._ctx.lock_account(row.id)
            Account.update(left_at=utc_now()).where(Account.id == row.id).execute()
            self._ctx.audit(
                actor, AuditAction.NON_MIS_REMOVE, target=row.username, school_id=row.school_id
            )
        return _to_user(Account.get_by_id(row.id))

    def _school(self, actor: Actor) -> int:
        if actor.school_id is None or not rights.may_manage_non_mis(actor, actor.school_id):
            raise PermissionDenied(_("Only a school's Digital Champion manages its non-MIS users."))
        return actor.school_id

    def _own(self, actor: Actor, username: str) -> Account:
        school_id = self._school(actor)
        row = self._ctx.account(username)
        if row.kind != str(Kind.NON_MIS):
            raise InvalidInput(
                _("{user} is not a non-MIS user; the MIS import looks after them.").format(
                    user=safe_text(row.username)
                )
            )
        if row.school_id != school_id:
            raise PermissionDenied(_("Only a school's Digital Champion manages its non-MIS users."))
        return row


def _to_user(row: Account) -> NonMisUser:
    return NonMisUser(
        username=row.username,
        forename=row.forename,
        surname=row.surname,
        expires_on=row.expires_on,
        expired=is_expired(row.expires_on, today()),
        left=row.left_at is not None,
        status=PasswordStatus(row.password_status),
    )
