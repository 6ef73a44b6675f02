"""Sealed copies of passwords (AES-GCM) and their verification hashes (argon2id).

The heavy libraries are imported only when first needed, so the app starts quickly.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import signal
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from hwb_tui.domain.errors import KeyProblem
from hwb_tui.domain.i18n import _
from hwb_tui.services.config import Argon2Params

_KEY_HEADER = "hwb-tui key v1"
_FORMAT_VERSION = b"\x01"
_KEY_ID_BYTES = 8
_NONCE_BYTES = 12
KEY_CHECK_PLAINTEXT = b"hwb-tui key check"
KEY_CHECK_CONTEXT = b"hwb-tui/key-check"
_ACCOUNT_CONTEXT = b"hwb-tui/account/%d"


def account_context(account_id: int) -> bytes:
    """Associated data binding a sealed copy to its account: moved to another row, it fails."""
    return _ACCOUNT_CONTEXT % account_id


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"hwb-tui key id" + key).digest()[:_KEY_ID_BYTES]


def read_key_file(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise KeyProblem(
            _(
                "The key file {path} is missing: stored passwords cannot be opened without it. "
                "Restore it from its backup, or give its path with --key-file / HWB_KEY_FILE."
            ).format(path=path)
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise KeyProblem(
            _("The key file {path} cannot be read: {kind}.").format(
                path=path, kind=error.__class__.__name__
            )
        ) from None
    lines = text.split()
    try:
        if " ".join(lines[:3]) != _KEY_HEADER:
            raise ValueError
        key = base64.b64decode(lines[3], validate=True)
        if len(key) != 32:
            raise ValueError
    except (ValueError, IndexError):
        raise KeyProblem(
            _("The key file {path} is not a hwb-tui key file.").format(path=path)
        ) from None
    return key


def write_new_key_file(path: Path) -> bytes:
    """A fresh random key, written readable by its owner only; never overwrites a file."""
    key = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyProblem(
            _("The key file {path} already exists; it was not replaced.").format(path=path)
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(f"{_KEY_HEADER}\n{base64.b64encode(key).decode('ascii')}\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key


class Sealer:
    """Seals and opens password copies with one key."""

    _HEADER = len(_FORMAT_VERSION) + _KEY_ID_BYTES

    def __init__(self, key: bytes) -> None:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead = AESGCM(key)
        self._invalid_tag = InvalidTag  # kept here: open() runs once per row of a download
        self.key_id = key_id(key)

    def seal(self, plaintext: bytes, context: bytes) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return _FORMAT_VERSION + self.key_id + nonce + self._aead.encrypt(nonce, plaintext, context)

    def open(self, sealed: bytes, context: bytes) -> bytes:
        """The plaintext, or KeyProblem when the copy is not ours, was moved, or was altered."""
        header = self._HEADER
        if len(sealed) < header + _NONCE_BYTES + 16 or sealed[:1] != _FORMAT_VERSION:
            raise KeyProblem(_("A stored password copy is damaged; the password must be reset."))
        if sealed[1:header] != self.key_id:
            raise KeyProblem(_("A stored password copy was sealed with another key."))
        nonce = sealed[header : header + _NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, sealed[header + _NONCE_BYTES :], context)
        except self._invalid_tag:
            raise KeyProblem(
                _(
                    "A stored password copy does not open: it was altered or moved from another "
                    "account. The password must be reset."
                )
            ) from None

    def seal_password(self, account_id: int, password: str) -> bytes:
        return self.seal(password.encode("utf-8"), account_context(account_id))

    def open_password(self, account_id: int, sealed: bytes) -> str:
        return self.open(sealed, account_context(account_id)).decode("utf-8")

    def password_opener(self) -> Callable[[int, bytes], str]:
        """open_password for many rows in a loop (a download), with the same checks.

        A copy that does not open at once goes through open_password, which raises the
        KeyProblem that says why. (Too short a copy cannot open here: the tag alone is 16
        bytes.)
        """
        prefix = _FORMAT_VERSION + self.key_id
        header = self._HEADER
        body = header + _NONCE_BYTES
        decrypt = self._aead.decrypt
        failures = (self._invalid_tag, ValueError)
        slow = self.open_password
        context = _ACCOUNT_CONTEXT

        def open_password(account_id: int, sealed: bytes) -> str:
            if sealed[:header] == prefix:
                try:
                    return decrypt(sealed[header:body], sealed[body:], context % account_id).decode(
                        "utf-8"
                    )
                except failures:
                    pass
            return slow(account_id, bytes(sealed))

        return open_password


def _hasher(params: Argon2Params):  # -> argon2.PasswordHasher, imported lazily
    from argon2 import PasswordHasher, Type

    return PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_cost,
        parallelism=params.parallelism,
        type=Type.ID,
    )


# Passwords per task sent to a worker: few, so the last tasks of a run still share the cores.
_PASSWORDS_PER_TASK = 4
# Below this many passwords, starting worker processes costs more than it saves.
_MIN_PASSWORDS_FOR_POOL = 8
# hash_many reports progress after each this many passwords.
_PROGRESS_STEP = 16


def _hash_in_worker(params: Argon2Params, passwords: Sequence[str]) -> list[str]:
    hasher = _hasher(params)
    return [hasher.hash(password) for password in passwords]


def _ignore_interrupts() -> None:
    # Ctrl+C reaches the whole process group: the parent decides what stops, not its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Hasher:
    """argon2id verification hashes."""

    def __init__(self, params: Argon2Params) -> None:
        self.params = params
        self._impl = _hasher(params)
        # Verified against when the username is unknown, so timing does not tell.
        self._decoy = self._impl.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._impl.hash(password)

    def verify(self, encoded: str | None, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return self._impl.verify(encoded or self._decoy, password) and encoded is not None
        except (VerificationError, InvalidHashError):
            return False

    def hash_many(
        self,
        passwords: Sequence[str],
        workers: int | None = None,
        on_done: Callable[[int], None] | None = None,
    ) -> list[str]:
        """Hash on every core; on_done is told how many are hashed so far."""
        if len(passwords) < _MIN_PASSWORDS_FOR_POOL:
            workers = 1
        batches = [
            passwords[i : i + _PROGRESS_STEP] for i in range(0, len(passwords), _PROGRESS_STEP)
        ]
        results: list[str] = []
        for hashed in self.hash_batches(batches, workers):
            results.extend(hashed)
            if on_done:
                on_done(len(results))
        return results

    def hash_batches(
        self, batches: Sequence[Sequence[str]], workers: int | None = None
    ) -> Iterator[list[str]]:
        """Each batch's hashes, in order, as soon as that batch is hashed.

        Every batch is queued at once on a pool of one process per core, so the cores keep
        hashing while the caller uses a finished batch (writes it to the database). Workers
        come from a fork server: forking a process that runs threads (the app) is not safe.
        Closing the iterator early cancels what is still queued.
        """
        workers = workers or os.cpu_count() or 1
        if workers == 1:
            for batch in batches:
                yield [self.hash(password) for password in batch]
            return
        # Imported here, when a group reset or the demo first needs them: about 14 ms of start-up.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=_ignore_interrupts,
        ) as pool:
            try:
                queued = [
                    [
                        pool.submit(
                            _hash_in_worker, self.params, batch[i : i + _PASSWORDS_PER_TASK]
                        )
                        for i in range(0, len(batch), _PASSWORDS_PER_TASK)
                    ]
                    for batch in batches
                ]
                for tasks in queued:
                    yield [encoded for task in tasks for encoded in task.result()]
            finally:
                pool.shutdown(cancel_futures=True)
