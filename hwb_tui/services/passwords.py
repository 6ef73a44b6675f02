"""Seeing, resetting and changing passwords, and signing in."""

from __future__ import annotations

import time
from dataclasses import dataclass

from hwb_tui.domain import rights
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    PasswordUnavailable,
    PermissionDenied,
)
from hwb_tui.domain.i18n import _
from hwb_tui.domain.model import Actor, PasswordStatus, status_label
from hwb_tui.domain.policy import check_password, generate_password
from hwb_tui.domain.rights import Action
from hwb_tui.domain.text import safe_text
from hwb_tui.services.context import Context, to_actor, to_summary
from hwb_tui.services.membership import is_open, require_open
from hwb_tui.services.throttle import Throttle
from hwb_tui.store import db as store_db
from hwb_tui.store.models import Account, utc_now

# How a revealed password is used, as the audit trail records it.
REVEAL_PURPOSES = (AuditAction.REVEAL, AuditAction.COPY, AuditAction.PRINT)
MAX_USERNAME_LENGTH = 100


@dataclass(frozen=True, slots=True)
class ResetResult:
    username: str
    password: str  # shown once to the operator, who must pass it on securely
    generated: bool


class Passwords:
    def __init__(self, context: Context) -> None:
        self._ctx = context
        self._throttle = Throttle(context)
        # When each actor last gave their password in this session (monotonic clock).
        self._confirmed_at: dict[int, float] = {}

    # -- signing in ------------------------------------------------------------------------------

    def sign_in(self, username: str, password: str) -> Actor:
        """The actor for a correct username and password; a failure does not say which was wrong.

        Failures are throttled (services/throttle.py): growing waits, then a short lock.
        """
        actor = self._authenticate(username, password, AuditAction.SIGN_IN)
        self._confirmed_at[actor.id] = time.monotonic()
        return actor

    def _authenticate(self, username: str, password: str, action: AuditAction) -> Actor:
        typed = safe_text(username.strip()[:MAX_USERNAME_LENGTH])
        row = Account.get_or_none(Account.username == typed)
        school_id = row.school_id if row else None
        self._throttle.refuse_if_throttled(typed, school_id)
        ok = self._ctx.hasher.verify(row.password_hash if row else None, password)
        ok = ok and is_open(row)  # people who left, and expired non-MIS users, are refused

        def record() -> Actor | None:
            if not ok:
                self._ctx.audit(None, AuditAction.SIGN_IN_FAILED, target=typed, school_id=school_id)
                self._throttle.record_failure(typed, school_id)
                return None
            self._throttle.record_success(typed)
            actor = to_actor(self._ctx.account(typed))
            self._ctx.audit(actor, action, target=actor.username, detail="password")
            return actor

        actor = self._ctx.write_transaction(record)
        if actor is None:
            raise AuthenticationFailed()
        return actor

    def start_forced_session(self, username: str) -> Actor:
        """A session opened by a trusted forced command (--as), recorded as a sign-in."""
        actor = to_actor(require_open(self._ctx.account(username)))
        with self._ctx.db.atomic():
            self._ctx.audit(
                actor, AuditAction.SIGN_IN, target=actor.username, detail="forced command"
            )
        return actor

    def check(self, username: str, password: str) -> bool:
        """Whether the password is right, for scripts. Checked, recorded and throttled like a
        sign-in, so it cannot be used to guess passwords faster than the sign-in screen."""
        try:
            self._authenticate(username, password, AuditAction.PASSWORD_CHECK)
        except AuthenticationFailed:
            return False
        return True

    # -- re-authentication before sensitive actions ----------------------------------------------

    def confirm_identity(self, actor: Actor, password: str) -> None:
        """The signed-in user gives their password again (throttled and audited like a sign-in);
        raises AuthenticationFailed or SignInThrottled when it is not accepted."""
        self._authenticate(actor.username, password, AuditAction.REAUTHENTICATE)
        self._confirmed_at[actor.id] = time.monotonic()

    def requires_reauth(self, actor: Actor) -> bool:
        """True unless this session confirmed the actor's password in the last few minutes
        (Settings.security.reauth_seconds). Callers ask before a CSV download, printing with
        passwords and group resets; the trusted forced-command CLI does not."""
        confirmed = self._confirmed_at.get(actor.id)
        limit = self._ctx.settings.security.reauth_seconds
        return confirmed is None or time.monotonic() - confirmed >= limit

    # -- seeing a stored copy --------------------------------------------------------------------

    def reveal(self, actor: Actor, username: str, purpose: AuditAction = AuditAction.REVEAL) -> str:
        """The stored password, after the reveal (or copy, or print) is recorded."""
        if purpose not in REVEAL_PURPOSES:
            raise InvalidInput(_("Not a way to use a password: {purpose}.").format(purpose=purpose))
        row = self._ctx.account(username)
        summary = to_summary(row)
        rights.require(actor, Action.SEE_PASSWORD, summary.target)
        status = summary.status
        if status is PasswordStatus.AVAILABLE and row.sealed_password is None:
            status = PasswordStatus.UNAVAILABLE  # no copy to open, whatever the row claims
        if status is not PasswordStatus.AVAILABLE:
            message = (
                _("No password to show: {status} (it must be reset).")
                if status is PasswordStatus.UNAVAILABLE
                else _("No password to show: {status}.")
            )
            raise PasswordUnavailable(message.format(status=status_label(status)))
        password = self._ctx.sealer.open_password(row.id, bytes(row.sealed_password))
        self._ctx.write_transaction(
            lambda: self._ctx.audit(actor, purpose, target=row.username, school_id=row.school_id)
        )
        return password

    # -- resetting someone's password ------------------------------------------------------------

    def reset(
        self,
        actor: Actor,
        username: str,
        new_password: str | None = None,
        *,
        generated: bool = False,
    ) -> ResetResult:
        """Set a new password that staff can show again: the one given, or a generated one when
        None. `generated` says a given password came from Generate Password (for the audit)."""
        row = self._ctx.account(username)
        rights.require(actor, Action.RESET_PASSWORD, to_summary(row).target)
        generated = generated or new_password is None
        password = generate_password() if new_password is None else new_password
        check_password(password)
        # Hash before the write transaction: argon2 is slow and must not hold the lock.
        encoded = self._ctx.hasher.hash(password)
        self._ctx.sealer  # noqa: B018 - loads the key (and ends any cut-short rotation) unlocked

        def write() -> None:
            self._ctx.lock_account(row.id)
            # Sealed inside the transaction, so a key rotation committed meanwhile is honoured.
            sealed = self._ctx.sealer.seal_password(row.id, password)
            Account.update(
                password_hash=encoded,
                sealed_password=sealed,
                password_status=str(PasswordStatus.AVAILABLE),
                password_changed_at=utc_now(),
            ).where(Account.id == row.id).execute()
            self._ctx.audit(
                actor,
                AuditAction.RESET,
                target=row.username,
                school_id=row.school_id,
                detail="generated" if generated else "typed",
            )

        self._ctx.write_transaction(write)
        store_db.truncate_wal()  # the replaced copy leaves the WAL as well as the table
        return ResetResult(username=row.username, password=password, generated=generated)

    # -- changing one's own password -------------------------------------------------------------

    def change_own(self, actor: Actor, new_password: str) -> None:
        """The user's own new password: nobody can see it afterwards, and the old copy is erased."""
        if not rights.may_change_own_password(actor):
            raise PermissionDenied(
                _(
                    "Primary school learners cannot change their own password; "
                    "a member of staff can reset it."
                )
            )
        check_password(new_password)
        encoded = self._ctx.hasher.hash(new_password)

        def write() -> None:
            self._ctx.lock_account(actor.id)
            Account.update(
                password_hash=encoded,
                sealed_password=None,
                password_status=str(PasswordStatus.USER_CHANGED),
                password_changed_at=utc_now(),
            ).where(Account.id == actor.id).execute()
            self._ctx.audit(actor, AuditAction.SELF_CHANGE, target=actor.username)

        self._ctx.write_transaction(write)
        store_db.truncate_wal()  # the erased copy leaves the WAL as well as the table
