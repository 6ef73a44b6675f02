"""SSH keys bound to hwb-tui identities, as git hosting servers bind keys to their users.

The service account's `authorized_keys` holds one line per key:

    command="/…/hwb-tui --db URL --key-file KEY --as ann",restrict,pty ssh-ed25519 AAAA… hwb-tui:ann

sshd then runs only that command for the key, whatever the client asks for (`ssh host id`
still opens the app as USER): `restrict` turns off port, agent and X11 forwarding, and `pty`
gives back the terminal the app needs. Lines that hwb-tui did not write are kept as they are.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import os
import shlex
import shutil
import struct
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import InvalidInput, NotFound
from hwb_tui.domain.i18n import _
from hwb_tui.domain.text import safe_text
from hwb_tui.services.context import Context
from hwb_tui.services.files import write_private_file
from hwb_tui.services.membership import require_open
from hwb_tui.store.db import is_sqlite_url, sqlite_url
from hwb_tui.store.models import Account

PROGRAM_NAME = "hwb-tui"
KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
    }
)
MIN_RSA_BITS = 2048
MAX_KEY_FILE_BYTES = 16 * 1024
OPTIONS = "restrict,pty"


@dataclass(frozen=True, slots=True)
class PublicKey:
    key_type: str
    blob: bytes

    @property
    def fingerprint(self) -> str:
        """As `ssh-keygen -l` prints it."""
        digest = base64.b64encode(hashlib.sha256(self.blob).digest()).decode("ascii")
        return "SHA256:" + digest.rstrip("=")

    @property
    def text(self) -> str:
        return f"{self.key_type} {base64.b64encode(self.blob).decode('ascii')}"


@dataclass(frozen=True, slots=True)
class KeyBinding:
    username: str
    key: PublicKey


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of authorized_keys: the key, and the hwb-tui user it runs the app as (if any)."""

    text: str
    key: PublicKey | None
    username: str | None


def default_program() -> Path:
    """The hwb-tui beside this Python (a virtual environment's), else the one on PATH."""
    found = shutil.which(PROGRAM_NAME, path=str(Path(sys.executable).parent)) or shutil.which(
        PROGRAM_NAME
    )
    if found is None:
        raise InvalidInput(_("Cannot find the hwb-tui program; give its path with --program."))
    return Path(found).resolve()


def default_authorized_keys() -> Path:
    return Path.home() / ".ssh" / "authorized_keys"


def parse_public_key(text: str) -> PublicKey:
    """One OpenSSH public key line ("type base64 [comment]"), checked; the comment is dropped."""
    if "PRIVATE KEY" in text:
        raise InvalidInput(_("That is a private key: give the public key (the .pub file)."))
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if len(lines) != 1:
        raise InvalidInput(_("A public key file holds exactly one key line."))
    parts = lines[0].split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        raise InvalidInput(
            _("Not an OpenSSH public key: it must start with one of {types}.").format(
                types=", ".join(sorted(KEY_TYPES))
            )
        )
    try:
        blob = base64.b64decode(parts[1], validate=True)
        _check_blob(parts[0], blob)
    except (binascii.Error, ValueError, struct.error):
        raise InvalidInput(_("The public key is damaged: its data does not decode.")) from None
    return PublicKey(parts[0], blob)


def _check_blob(key_type: str, blob: bytes) -> None:
    fields = _ssh_strings(blob)
    if not fields or fields[0] != key_type.encode("ascii"):
        raise ValueError(_("the key data names another type"))
    if key_type == "ssh-rsa":
        modulus = fields[2].lstrip(b"\x00")
        if len(modulus) * 8 < MIN_RSA_BITS:
            raise InvalidInput(
                _("RSA keys must have at least {bits} bits.").format(bits=MIN_RSA_BITS)
            )


def _ssh_strings(blob: bytes) -> list[bytes]:
    """The length-prefixed strings an SSH key blob is made of (RFC 4253 section 6.6)."""
    fields, offset = [], 0
    while offset < len(blob):
        (length,) = struct.unpack_from(">I", blob, offset)
        offset += 4
        if offset + length > len(blob):
            raise ValueError(_("truncated key data"))
        fields.append(blob[offset : offset + length])
        offset += length
    return fields


def forced_command(program: Path, database_url: str, key_file: Path, username: str) -> str:
    """The command sshd runs for the key, every argument quoted for the shell."""
    return shlex.join(
        [str(program), "--db", database_url, "--key-file", str(key_file), "--as", username]
    )


def authorized_line(command: str, key: PublicKey, username: str) -> str:
    # Inside command="…" sshd turns \" into " and keeps every other character as it is.
    quoted = command.replace('"', '\\"')
    return f'command="{quoted}",{OPTIONS} {key.text} {PROGRAM_NAME}:{username}'


def _read_lines(path: Path) -> list[_Line]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(
            _("Cannot read {path}: {reason}.").format(path=path, reason=type(error).__name__)
        ) from None
    return [_parse_line(line) for line in text.splitlines()]


def _parse_line(text: str) -> _Line:
    options, rest = _split_options(text.strip())
    parts = rest.split()
    key = None
    if len(parts) >= 2 and parts[0] in KEY_TYPES:
        try:
            key = PublicKey(parts[0], base64.b64decode(parts[1], validate=True))
        except binascii.Error:
            key = None
    return _Line(text, key, _bound_user(options))


def _split_options(text: str) -> tuple[str, str]:
    """(options, the rest) of an authorized_keys line; options may quote spaces."""
    if not text or text.startswith("#") or text.split(maxsplit=1)[0] in KEY_TYPES:
        return "", text
    in_quotes, index = False, 0
    while index < len(text):
        char = text[index]
        if char == "\\" and in_quotes and text[index + 1 : index + 2] == '"':
            index += 2
            continue
        if char == '"':
            in_quotes = not in_quotes
        elif char in " \t" and not in_quotes:
            return text[:index], text[index:].strip()
        index += 1
    return text, ""


def _bound_user(options: str) -> str | None:
    """The --as user of an hwb-tui forced command among the options, if there is one."""
    marker = 'command="'
    start = options.find(marker)
    if start < 0:
        return None
    chars, index = [], start + len(marker)
    while index < len(options) and options[index] != '"':
        if options[index] == "\\" and options[index + 1 : index + 2] == '"':
            index += 1
        chars.append(options[index])
        index += 1
    try:
        argv = shlex.split("".join(chars))
    except ValueError:
        return None
    if not argv or Path(argv[0]).name != PROGRAM_NAME or "--as" not in argv[:-1]:
        return None
    return argv[argv.index("--as") + 1]


def _refuse_if_present(key: PublicKey, username: str, lines: list[_Line], path: Path) -> None:
    """A key opens one thing: refused if the file already lets it in, for anyone or anything."""
    for number, line in enumerate(lines, start=1):
        if line.key is None or line.key.blob != key.blob:
            continue
        if line.username == username:
            raise InvalidInput(_("This key is already bound to {user}.").format(user=username))
        if line.username is not None:
            raise InvalidInput(
                _("This key is already bound to {user}; a key opens one identity.").format(
                    user=safe_text(line.username)
                )
            )
        raise InvalidInput(
            _(
                "This key is already on line {number} of {path} for other use; a key bound "
                "to hwb-tui must not also open a shell. Remove that line first."
            ).format(number=number, path=path)
        )


@contextlib.contextmanager
def _edit_lock(path: Path) -> Iterator[None]:
    """One edit of the file at a time: two `keys add` at once would otherwise lose a line."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = os.open(path.parent / f".{path.name}.hwb-tui-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
    finally:
        os.close(lock)


class SshKeys:
    """Run by the service account that owns the database and key, like `demo`: no --as."""

    def __init__(self, context: Context) -> None:
        self._ctx = context

    def bindings(self, path: Path) -> tuple[KeyBinding, ...]:
        return tuple(
            KeyBinding(line.username, line.key)
            for line in _read_lines(path)
            if line.username is not None and line.key is not None
        )

    def add(self, username: str, public_key: str, path: Path, program: Path) -> KeyBinding:
        """Bind the key to the user; refused if the key opens anything else in the file."""
        row = require_open(self._ctx.account(username))
        key = parse_public_key(public_key)
        with _edit_lock(path):
            lines = _read_lines(path)
            _refuse_if_present(key, row.username, lines, path)
            command = forced_command(
                program, self._database_url(), self._ctx.settings.key_file.resolve(), row.username
            )
            texts = [line.text for line in lines] + [authorized_line(command, key, row.username)]
            self._write(path, texts, AuditAction.SSH_KEY_ADD, row, key.fingerprint)
        return KeyBinding(row.username, key)

    def remove(self, username: str, path: Path) -> int:
        """Unbind every key of the user; the number of keys removed."""
        with _edit_lock(path):
            lines = _read_lines(path)
            kept = [line.text for line in lines if line.username != username or line.key is None]
            removed = len(lines) - len(kept)
            if not removed:
                raise NotFound(
                    _("No key in {path} is bound to {user}.").format(
                        path=path, user=safe_text(username)
                    )
                )
            row = Account.get_or_none(Account.username == username)
            self._write(path, kept, AuditAction.SSH_KEY_REMOVE, row, f"{removed} keys", username)
        return removed

    def _database_url(self) -> str:
        url = self._ctx.settings.database_url
        if is_sqlite_url(url):  # the forced command runs from the home folder: make it absolute
            return sqlite_url(Path(url.split("://", 1)[1].removeprefix("/")).resolve())
        return url

    def _write(
        self,
        path: Path,
        texts: list[str],
        action: AuditAction,
        row: Account | None,
        detail: str,
        username: str | None = None,
    ) -> None:
        def record() -> None:
            with self._ctx.db.atomic():
                self._ctx.audit(
                    None,
                    action,
                    target=row.username if row else username,
                    school_id=row.school_id if row else None,
                    detail=detail,
                )

        data = "".join(text + "\n" for text in texts).encode("utf-8")
        write_private_file(path, data, record)
