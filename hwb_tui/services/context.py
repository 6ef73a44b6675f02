"""What every service shares: the database, the key, the hasher and the audit trail."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import KeyProblem, NotFound, StoreProblem
from hwb_tui.domain.i18n import _
from hwb_tui.domain.membership import is_expired
from hwb_tui.domain.model import (
    Actor,
    Kind,
    PasswordStatus,
    UserSummary,
)
from hwb_tui.domain.text import safe_text
from hwb_tui.services.config import Settings
from hwb_tui.services.crypto import (
    KEY_CHECK_CONTEXT,
    KEY_CHECK_PLAINTEXT,
    Hasher,
    Sealer,
    read_key_file,
    write_new_key_file,
)
from hwb_tui.services.key_files import finish_interrupted_rotation
from hwb_tui.services.membership import today
from hwb_tui.store import db as store_db
from hwb_tui.store.models import JOIN, Account, AuditRecord, School, Setting

KEY_CHECK_SETTING = "key_check"
# A busy database is tried again this many times, waiting a little longer each time.
WRITE_ATTEMPTS = 8
FIRST_RETRY_WAIT_SECONDS = 0.05

T = TypeVar("T")


class Context:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = store_db.open_database(settings.database_url)
        self._sealer: Sealer | None = None
        self._sealer_check: bytes | None = None
        self._hasher: Hasher | None = None

    def close(self) -> None:
        store_db.close_database()

    # -- the key and the hasher, loaded when first needed ---------------------------------------

    @property
    def sealer(self) -> Sealer:
        # Another session may have rotated the key; the key check says so for one small read.
        check = self.key_check()
        if self._sealer is None or check != self._sealer_check:
            self._sealer = self._load_sealer()
            self._sealer_check = self.key_check()
        return self._sealer

    def key_check(self) -> bytes | None:
        row = Setting.get_or_none(Setting.key == KEY_CHECK_SETTING)
        return bytes(row.value) if row else None

    def use_sealer(self, sealer: Sealer) -> None:
        """Adopt the key a rotation in this session has just committed."""
        self._sealer = sealer
        self._sealer_check = self.key_check()

    @property
    def hasher(self) -> Hasher:
        if self._hasher is None:
            self._hasher = Hasher(self.settings.argon2)
        return self._hasher

    def _load_sealer(self) -> Sealer:
        path = self.settings.key_file
        check = Setting.get_or_none(Setting.key == KEY_CHECK_SETTING)
        if check is None:
            # A database that has never sealed anything adopts (or creates) its key now.
            key = read_key_file(path) if path.exists() else write_new_key_file(path)
            sealer = Sealer(key)
            with self.db.atomic():
                if Setting.get_or_none(Setting.key == KEY_CHECK_SETTING) is None:
                    Setting.create(
                        key=KEY_CHECK_SETTING,
                        value=sealer.seal(KEY_CHECK_PLAINTEXT, KEY_CHECK_CONTEXT),
                    )
                    return sealer
            check = Setting.get(Setting.key == KEY_CHECK_SETTING)
        finish_interrupted_rotation(path, bytes(check.value))
        sealer = Sealer(read_key_file(path))
        try:
            sealer.open(bytes(check.value), KEY_CHECK_CONTEXT)
        except KeyProblem:
            raise KeyProblem(
                _(
                    "The key file {path} does not belong to this database: no stored password "
                    "can be opened with it."
                ).format(path=path)
            ) from None
        return sealer

    # -- write transactions ------------------------------------------------------------------------

    def write_transaction(self, work: Callable[[], T]) -> T:
        """Run `work` in one write transaction, tried again while another session holds the
        database; the user never sees "database is locked", only a clear refusal at the end."""
        if self.db.in_transaction():
            return work()  # the outer transaction is the one that is retried
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self.db.atomic():
                    return work()
            except Exception as error:  # the driver's own classes differ; is_busy_error knows
                if not store_db.is_busy_error(error):
                    raise
            if attempt < WRITE_ATTEMPTS:
                # Growing waits with jitter, so sessions that clashed do not clash again in step.
                time.sleep(FIRST_RETRY_WAIT_SECONDS * 2**attempt * random.uniform(0.5, 1.5))
        raise StoreProblem(_("The database is too busy just now; nothing was changed. Try again."))

    # -- shared queries ----------------------------------------------------------------------------

    def account(self, username: str) -> Account:
        row = (
            Account.select(Account, School)
            .join(School, JOIN.LEFT_OUTER, on=(Account.school == School.id))
            .where(Account.username == username)
            .first()
        )
        if row is None:
            raise NotFound(_("There is no user {username!r}.").format(username=safe_text(username)))
        return row

    def lock_account(self, account_id: int) -> Account:
        """Re-read an account inside a write transaction, locking its row on PostgreSQL."""
        query = Account.select().where(Account.id == account_id)
        if store_db.is_postgres():
            query = query.for_update()
        row = query.first()
        if row is None:
            raise NotFound(_("That user no longer exists."))
        return row

    def audit(
        self,
        actor: Actor | None,
        action: AuditAction,
        target: str | None = None,
        school_id: int | None = None,
        detail: str = "",
    ) -> None:
        """Append one audit record. Callers write it inside the action's own transaction, so
        when it cannot be written the error rolls the action back."""
        try:
            AuditRecord.create(
                actor=actor.username if actor else None,
                action=str(action),
                target=target,
                school_id=(
                    school_id if school_id is not None else (actor.school_id if actor else None)
                ),
                origin=self.settings.origin,
                detail=detail,
            )
        except Exception as error:  # the driver's own classes differ
            if store_db.is_busy_error(error):
                raise  # write_transaction tries a busy database again
            raise StoreProblem(
                _("The audit record could not be written, so nothing was done: {error}").format(
                    error=safe_text(str(error))
                )
            ) from None


def school_name(row: Account) -> str | None:
    """The school's name; queries select the school with the account, so this reads no row."""
    return row.school.name if row.school_id is not None else None


def to_actor(row: Account) -> Actor:
    return Actor(
        id=row.id,
        username=row.username,
        forename=row.forename,
        surname=row.surname,
        kind=Kind(row.kind),
        school_id=row.school_id,
        school_name=school_name(row),
        is_digital_champion=bool(row.is_digital_champion),
        year=row.year,
    )


def to_summary(row: Account) -> UserSummary:
    return UserSummary(
        id=row.id,
        username=row.username,
        forename=row.forename,
        surname=row.surname,
        kind=Kind(row.kind),
        school_id=row.school_id,
        school_name=school_name(row),
        year=row.year,
        reg_group=row.reg_group,
        status=PasswordStatus(row.password_status),
        is_digital_champion=bool(row.is_digital_champion),
        ends_on=row.expires_on,
        expired=is_expired(row.expires_on, today()),
    )
