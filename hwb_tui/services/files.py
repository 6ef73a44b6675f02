"""Writing files that hold passwords: owner-only from the first byte, never left half-written."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from hwb_tui.domain.errors import InvalidInput
from hwb_tui.domain.i18n import _


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
    if isinstance(target, Path):
        return write_private_file(target, data, commit)
    commit()
    target.write(data)
    target.flush()
    return None


def write_private_file(path: Path, data: bytes, commit: Callable[[], None]) -> Path:
    """Write data to path with mode 0600.

    The bytes go to a hidden 0600 file beside the target; `commit` (which writes the audit
    record) runs next, and only if it succeeds is the file renamed into place. On any failure
    the hidden file is removed, so no copy is left behind.
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
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
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
