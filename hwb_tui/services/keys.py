"""Key rotation: every stored copy re-sealed under a new key in one transaction.

The order makes a crash at any point harmless (see key_files.py): the new key is written to
`<key>.new` first; the database then commits the re-sealed copies and the new key check; only
then is the old key file retired (`<key>.retired-<UTC time>`) and the new one moved into place.
Until the commit the old key opens everything; after it, whoever starts next finishes the swap.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hwb_tui.domain import rights
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import KeyProblem, PermissionDenied
from hwb_tui.domain.i18n import _
from hwb_tui.domain.model import Actor
from hwb_tui.services.context import KEY_CHECK_SETTING, Context
from hwb_tui.services.crypto import (
    KEY_CHECK_CONTEXT,
    KEY_CHECK_PLAINTEXT,
    Sealer,
    read_key_file,
    write_new_key_file,
)
from hwb_tui.services.key_files import (
    opens_key_check,
    pending_key_path,
    recover_while_locked,
    rotation_lock,
    swap_key_files,
)
from hwb_tui.store import db as store_db
from hwb_tui.store.models import Account, Setting


@dataclass(frozen=True, slots=True)
class RotationResult:
    resealed: int
    damaged: int  # copies that did not open with the old key either; they still need a reset
    retired_key: Path | None


class Keys:
    def __init__(self, context: Context) -> None:
        self._ctx = context

    def rotate(self, actor: Actor) -> RotationResult:
        if not rights.may_maintain(actor):
            raise PermissionDenied(_("Only Hwb administrators rotate the key."))
        path = self._ctx.settings.key_file
        self._ctx.sealer  # noqa: B018 - makes sure the database has a key check to rotate
        with rotation_lock(path):
            check = self._ctx.key_check()
            recover_while_locked(path, check)
            old = Sealer(read_key_file(path))
            if not opens_key_check(old, check):
                raise KeyProblem(
                    _("The key file {path} does not belong to this database.").format(path=path)
                )
            pending = pending_key_path(path)
            new = Sealer(write_new_key_file(pending))
            try:
                resealed, damaged = self._ctx.write_transaction(
                    lambda: self._reseal(actor, old, new)
                )
            except BaseException:
                pending.unlink(missing_ok=True)
                raise
            retired = swap_key_files(path, pending)
        self._ctx.use_sealer(new)
        return RotationResult(resealed=resealed, damaged=damaged, retired_key=retired)

    def _reseal(self, actor: Actor, old: Sealer, new: Sealer) -> tuple[int, int]:
        # The key check first: the store refuses a copy sealed under any other key.
        Setting.update(value=new.seal(KEY_CHECK_PLAINTEXT, KEY_CHECK_CONTEXT)).where(
            Setting.key == KEY_CHECK_SETTING
        ).execute()
        query = Account.select(Account.id, Account.sealed_password).order_by(Account.id)
        if store_db.is_postgres():
            # Every row, copy or not: a reset that holds a row is waited for and re-sealed,
            # and one that comes after sees the new key check.
            query = query.for_update()
        resealed = damaged = 0
        for row in list(query):  # read whole before writing to the same table
            if row.sealed_password is None:
                continue
            try:
                password = old.open_password(row.id, bytes(row.sealed_password))
            except KeyProblem:
                damaged += 1  # left as it is: it opened with no key before either
                continue
            Account.update(sealed_password=new.seal_password(row.id, password)).where(
                Account.id == row.id
            ).execute()
            resealed += 1
        self._ctx.audit(
            actor,
            AuditAction.ROTATE_KEY,
            detail=f"{resealed} stored copies re-sealed, {damaged} damaged",
        )
        return resealed, damaged
