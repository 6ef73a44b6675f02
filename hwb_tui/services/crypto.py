"""Sealed copies of passwords (AES-GCM) and their verification hashes (argon2id).

The heavy libraries are imported only when first needed, so the app starts quickly.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from hwb_tui.domain.errors import KeyProblem
from hwb_tui.services.config import Argon2Params

_KEY_HEADER = "hwb-tui key v1"
_FORMAT_VERSION = b"\x01"
_KEY_ID_BYTES = 8
_NONCE_BYTES = 12
KEY_CHECK_PLAINTEXT = b"hwb-tui key check"
KEY_CHECK_CONTEXT = b"hwb-tui/key-check"


def account_context(account_id: int) -> bytes:
    """Associated data binding a sealed copy to its account: moved to another row, it fails."""
    return b"hwb-tui/account/%d" % account_id


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"hwb-tui key id" + key).digest()[:_KEY_ID_BYTES]


def read_key_file(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise KeyProblem(
            f"The key file {path} is missing: stored passwords cannot be opened without it. "
            "Restore it from its backup, or give its path with --key-file / HWB_KEY_FILE."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise KeyProblem(
            f"The key file {path} cannot be read: {error.__class__.__name__}."
        ) from None
    lines = text.split()
    try:
        if " ".join(lines[:3]) != _KEY_HEADER:
            raise ValueError
        key = base64.b64decode(lines[3], validate=True)
        if len(key) != 32:
            raise ValueError
    except (ValueError, IndexError):
        raise KeyProblem(f"The key file {path} is not a hwb-tui key file.") from None
    return key


def write_new_key_file(path: Path) -> bytes:
    """A fresh random key, written readable by its owner only; never overwrites a file."""
    key = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyProblem(f"The key file {path} already exists; it was not replaced.") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(f"{_KEY_HEADER}\n{base64.b64encode(key).decode('ascii')}\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key


class Sealer:
    """Seals and opens password copies with one key."""

    def __init__(self, key: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead = AESGCM(key)
        self.key_id = key_id(key)

    def seal(self, plaintext: bytes, context: bytes) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return _FORMAT_VERSION + self.key_id + nonce + self._aead.encrypt(nonce, plaintext, context)

    def open(self, sealed: bytes, context: bytes) -> bytes:
        """The plaintext, or KeyProblem when the copy is not ours, was moved, or was altered."""
        from cryptography.exceptions import InvalidTag

        header = len(_FORMAT_VERSION) + _KEY_ID_BYTES
        if len(sealed) < header + _NONCE_BYTES + 16 or sealed[:1] != _FORMAT_VERSION:
            raise KeyProblem("A stored password copy is damaged; the password must be reset.")
        if sealed[1:header] != self.key_id:
            raise KeyProblem("A stored password copy was sealed with another key.")
        nonce = sealed[header : header + _NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, sealed[header + _NONCE_BYTES :], context)
        except InvalidTag:
            raise KeyProblem(
                "A stored password copy does not open: it was altered or moved from another "
                "account. The password must be reset."
            ) from None

    def seal_password(self, account_id: int, password: str) -> bytes:
        return self.seal(password.encode("utf-8"), account_context(account_id))

    def open_password(self, account_id: int, sealed: bytes) -> str:
        return self.open(sealed, account_context(account_id)).decode("utf-8")


def _hasher(params: Argon2Params):  # -> argon2.PasswordHasher, imported lazily
    from argon2 import PasswordHasher, Type

    return PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_cost,
        parallelism=params.parallelism,
        type=Type.ID,
    )


def _hash_in_worker(params: Argon2Params, password: str) -> str:
    return _hasher(params).hash(password)


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
        """Hash on every core: argon2 holds the GIL-free C code, but processes scale cleanly."""
        workers = workers or os.cpu_count() or 1
        if workers == 1 or len(passwords) < 8:
            results = []
            for password in passwords:
                results.append(self.hash(password))
                if on_done:
                    on_done(len(results))
            return results
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = []
            chunk = max(1, len(passwords) // (workers * 8))
            for encoded in pool.map(
                _hash_in_worker, [self.params] * len(passwords), passwords, chunksize=chunk
            ):
                results.append(encoded)
                if on_done:
                    on_done(len(results))
            return results
