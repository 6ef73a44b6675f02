"""Writing files that hold passwords: owner-only from the first byte, never left half-written."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from hwb_tui.domain.errors import InvalidInput
from hwb_tui.domain.i18n import _

# Large writes: a 100,000-row CSV is some 7 MB.
_WRITE_BUFFER = 1 << 20


def timestamped_path(directory: Path, stem: str, suffix: str) -> Path:
    """A new file name in directory, such as hwb-slips-9A-20261128-140512.pdf."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    safe_stem = "".join(char if char.isalnum() or char in "-_" else "-" for char in stem)
    return directory.expanduser() / f"{safe_stem}-{stamp}{suffix}"


def deliver_private(
    target: Path | BinaryIO, data: bytes, commit: Callable[[], None]
) -> Path | None:
    """Credentials to a private file, or to a stream such as standard output over SSH.

    Either way `commit` (the audit record) comes first: if it fails, nothing is delivered.
    """
    return deliver_private_writing(target, lambda handle: handle.write(data), commit)


def deliver_private_writing(
    target: Path | BinaryIO, write: Callable[[BinaryIO], object], commit: Callable[[], None]
) -> Path | None:
    """As deliver_private, for content that `write` writes to the handle it is given.

    To a file, the bytes stream straight into the hidden 0600 file (nothing is held whole
    in memory); to a stream, they are gathered first, since what reaches standard output
    cannot be taken back if the audit record then fails.
    """
    if isinstance(target, Path):
        return write_private_file_writing(target, write, commit)
    buffer = io.BytesIO()
    write(buffer)
    commit()
    target.write(buffer.getbuffer())
    target.flush()
    return None


def write_private_file(path: Path, data: bytes, commit: Callable[[], None]) -> Path:
    """Write data to path with mode 0600 (see write_private_file_writing)."""
    return write_private_file_writing(path, lambda handle: handle.write(data), commit)


def write_private_file_writing(
    path: Path, write: Callable[[BinaryIO], object], commit: Callable[[], None]
) -> Path:
    """Write what `write` writes to path, with mode 0600.

    The bytes go to a hidden 0600 file beside the target; `commit` (which writes the audit
    record) runs next, and only if it succeeds is the file renamed into place. On any failure
    (in `write`, the audit record or the disk) the hidden file is removed, so no copy, whole
    or partial, is left behind.
    """
    path = path.expanduser().resolve()
    if path.is_dir():
        raise InvalidInput(_("{path} is a folder; give a file name.").format(path=path))
    if not path.parent.is_dir():
        raise InvalidInput(_("The folder {parent} does not exist.").format(parent=path.parent))
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise InvalidInput(
            _("Cannot write in {parent}: {strerror}.").format(
                parent=path.parent, strerror=error.strerror
            )
        ) from None
    try:
        with os.fdopen(fd, "wb", buffering=_WRITE_BUFFER) as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        commit()
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    os.chmod(path, 0o600)
    return path
