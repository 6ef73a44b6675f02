"""The key file's life during a rotation: the new key waits beside the old until the database
has committed to it, then takes its place, and the old key is kept as a retired file.

The database decides which key is current: its key check opens only with that key. So a
rotation cut short at any point is finished or undone by looking at the key check.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from hwb_tui.domain.errors import KeyProblem
from hwb_tui.services.crypto import KEY_CHECK_CONTEXT, Sealer, read_key_file


def pending_key_path(path: Path) -> Path:
    return path.with_name(path.name + ".new")


def retired_key_path(path: Path, when: dt.datetime) -> Path:
    return path.with_name(f"{path.name}.retired-{when:%Y%m%dT%H%M%S%fZ}")


def opens_key_check(sealer: Sealer, key_check: bytes) -> bool:
    try:
        sealer.open(key_check, KEY_CHECK_CONTEXT)
    except KeyProblem:
        return False
    return True


@contextlib.contextmanager
def rotation_lock(path: Path) -> Iterator[None]:
    """Held for a whole rotation, so no session undoes a rotation that is still running.

    flock is released by the kernel when its holder dies, even by SIGKILL.
    """
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def finish_interrupted_rotation(path: Path, key_check: bytes) -> None:
    """Complete or undo a rotation that stopped before its file swap was done."""
    if not pending_key_path(path).exists():
        return
    with rotation_lock(path):
        recover_while_locked(path, key_check)


def recover_while_locked(path: Path, key_check: bytes) -> None:
    pending = pending_key_path(path)
    try:
        committed = opens_key_check(Sealer(read_key_file(pending)), key_check)
    except KeyProblem:
        # Gone (another session finished it while this one waited), or cut short while being
        # written: either way the database never committed to it.
        committed = False
    if committed:
        swap_key_files(path, pending)
    else:
        pending.unlink(missing_ok=True)
        _sync_folder(path.parent)


def swap_key_files(path: Path, pending: Path) -> Path | None:
    """Retire the old key (kept, owner-only) and put the new one in its place."""
    retired = None
    if path.exists():
        retired = retired_key_path(path, dt.datetime.now(dt.UTC))
        os.rename(path, retired)
        os.chmod(retired, 0o600)
    os.replace(pending, path)
    _sync_folder(path.parent)
    return retired


def _sync_folder(folder: Path) -> None:
    """Make renames durable before the caller goes on."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
