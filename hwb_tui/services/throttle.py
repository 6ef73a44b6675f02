"""Sign-in throttling, kept in the database so it holds across every session and machine.

After each failed sign-in the next attempt must wait longer (1 s, 2 s, 4 s … up to 30 s by
default); after 5 failures in a row the sign-in is locked for 15 minutes. All configurable
(HWB_SIGN_IN_* in Settings.security).

Failures are counted per typed username *and origin* (the SSH client's address, or the local
terminal). Counting per username alone would let anyone lock a colleague out by typing their
name with wrong passwords; keyed by origin too, a stranger's failures lock only the stranger's
own origin, and the real user still signs in from theirs. Locks are short, and a Digital
Champion or administrator can lift one early. Unknown usernames are counted exactly like real
ones, so the throttle never tells whether a user exists.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from hwb_tui.domain import rights
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import PermissionDenied, SignInThrottled
from hwb_tui.domain.i18n import _
from hwb_tui.domain.model import Actor
from hwb_tui.services.context import Context
from hwb_tui.store import db as store_db
from hwb_tui.store.models import SignInThrottle, utc_now


@dataclass(frozen=True, slots=True)
class SignInLock:
    """Failed sign-ins in a row for one user from one origin."""

    username: str
    origin: str
    failures: int
    locked_until: dt.datetime | None  # UTC, naive as stored


class Throttle:
    def __init__(self, context: Context) -> None:
        self._ctx = context
        self._params = context.settings.security

    @property
    def _origin(self) -> str:
        return self._ctx.settings.origin

    def _row(self, username: str):
        return SignInThrottle.get_or_none(
            (SignInThrottle.username == username) & (SignInThrottle.origin == self._origin)
        )

    def wait_seconds(self, username: str) -> int:
        """How long this origin must wait before it may try this username again."""
        return self._wait(self._row(username))

    def _wait(self, row: SignInThrottle | None) -> int:
        if row is None:
            return 0
        now = utc_now()
        if row.locked_until is not None:
            until = row.locked_until
        elif self._is_stale(row, now):
            return 0
        else:
            delay = min(
                self._params.first_delay_seconds * 2 ** (row.failures - 1),
                self._params.max_delay_seconds,
            )
            until = row.last_failure_at + dt.timedelta(seconds=delay)
        return max(0, math.ceil((until - now).total_seconds()))

    def refuse_if_throttled(self, username: str, school_id: int | None) -> None:
        """Raise SignInThrottled, recorded in the audit trail, when this origin must wait."""
        row = self._row(username)
        wait = self._wait(row)
        if wait <= 0:
            return
        self._ctx.write_transaction(
            lambda: self._ctx.audit(
                None,
                AuditAction.SIGN_IN_REFUSED,
                target=username,
                school_id=school_id,
                detail=f"must wait {wait} s",
            )
        )
        if row.locked_until is not None:
            message = _(
                "Sign-in from here is locked for {minutes} more minutes after too many failed "
                "attempts. A Digital Champion or administrator can lift the lock."
            ).format(minutes=math.ceil(wait / 60))
        else:
            message = _(
                "Too many failed sign-ins from here: wait {seconds} seconds and try again."
            ).format(seconds=wait)
        raise SignInThrottled(message, wait)

    def record_failure(self, username: str, school_id: int | None) -> None:
        """Count a failed sign-in; call inside the transaction that audits it."""
        now = utc_now()
        SignInThrottle.insert(
            username=username, origin=self._origin, failures=0, last_failure_at=now
        ).on_conflict_ignore().execute()
        query = SignInThrottle.select().where(
            (SignInThrottle.username == username) & (SignInThrottle.origin == self._origin)
        )
        if store_db.is_postgres():
            query = query.for_update()  # two failures at once both count
        row = query.get()
        failures = 1 if self._is_stale(row, now) else row.failures + 1
        locked_until = None
        if failures >= self._params.max_failures:
            locked_until = now + dt.timedelta(seconds=self._params.lock_seconds)
        SignInThrottle.update(
            failures=failures, last_failure_at=now, locked_until=locked_until
        ).where(SignInThrottle.id == row.id).execute()
        if locked_until is not None:
            self._ctx.audit(
                None,
                AuditAction.SIGN_IN_LOCKED,
                target=username,
                school_id=school_id,
                detail=f"{failures} failed sign-ins; locked for {self._params.lock_seconds} s",
            )

    def record_success(self, username: str) -> None:
        """Forget this origin's failures; call inside the transaction that audits the sign-in."""
        SignInThrottle.delete().where(
            (SignInThrottle.username == username) & (SignInThrottle.origin == self._origin)
        ).execute()

    def _is_stale(self, row: SignInThrottle, now: dt.datetime) -> bool:
        """An ended lock, or failures older than a lock lasts, start the count afresh."""
        if row.locked_until is not None:
            return row.locked_until <= now
        return row.last_failure_at <= now - dt.timedelta(seconds=self._params.lock_seconds)

    # -- for Digital Champions and administrators --------------------------------------------------

    def locks(self, actor: Actor, username: str) -> tuple[SignInLock, ...]:
        """The user's failed sign-ins by origin, for whoever may lift them."""
        row = self._permitted_account(actor, username)
        return tuple(
            SignInLock(
                username=lock.username,
                origin=lock.origin,
                failures=lock.failures,
                locked_until=lock.locked_until,
            )
            for lock in SignInThrottle.select()
            .where(SignInThrottle.username == row.username)
            .order_by(SignInThrottle.origin)
        )

    def unlock(self, actor: Actor, username: str) -> int:
        """Lift the user's sign-in locks and delays from every origin; how many were lifted."""
        row = self._permitted_account(actor, username)

        def lift() -> int:
            lifted = (
                SignInThrottle.delete().where(SignInThrottle.username == row.username).execute()
            )
            self._ctx.audit(
                actor,
                AuditAction.SIGN_IN_UNLOCKED,
                target=row.username,
                school_id=row.school_id,
                detail=f"{lifted} origins",
            )
            return lifted

        return self._ctx.write_transaction(lift)

    def _permitted_account(self, actor: Actor, username: str):
        row = self._ctx.account(username)
        if not rights.may_lift_sign_in_lock(actor, row.school_id):
            raise PermissionDenied(
                _(
                    "Only the user's Digital Champion or a Hwb administrator may lift a "
                    "sign-in lock."
                )
            )
        return row
