"""Security sub-commands: rotate-key, backup and unlock (Hwb administrators; unlock also DCs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from hwb_tui.cli.common import EXIT_OK, acting_user, add_acting_user
from hwb_tui.domain.i18n import _, ngettext
from hwb_tui.domain.text import safe_text
from hwb_tui.services.hwb import Hwb


def add_commands(subparsers) -> dict:
    rotate = subparsers.add_parser(
        "rotate-key", help=_("re-seal every stored password under a new key")
    )
    add_acting_user(rotate)

    backup = subparsers.add_parser(
        "backup", help=_("copy the live SQLite database to FILE (the key file is not included)")
    )
    backup.add_argument("file", metavar="FILE")
    add_acting_user(backup)

    unlock = subparsers.add_parser("unlock", help=_("lift a user's sign-in lock early"))
    unlock.add_argument("username", metavar="USER")
    add_acting_user(unlock)
    return {"rotate-key": cmd_rotate_key, "backup": cmd_backup, "unlock": cmd_unlock}


def cmd_rotate_key(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    result = hwb.keys.rotate(acting_user(hwb, args))
    print(
        _("Re-sealed {count} stored passwords under a new key in {path}.").format(
            count=result.resealed, path=hwb.settings.key_file
        ),
        file=out,
    )
    if result.retired_key:
        print(
            _(
                "The old key is kept as {path}; destroy it once backups made with it are gone."
            ).format(path=result.retired_key),
            file=out,
        )
    if result.damaged:
        print(
            _("{count} stored copies were already damaged; those passwords must be reset.").format(
                count=result.damaged
            ),
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_backup(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    result = hwb.maintenance.backup(acting_user(hwb, args), Path(args.file))
    print(
        _(
            "Backed up {size} bytes to {path} (readable by you only). Back up the key file "
            "separately."
        ).format(size=result.size, path=result.path),
        file=out,
    )
    return EXIT_OK


def cmd_unlock(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    lifted = hwb.throttle.unlock(acting_user(hwb, args), args.username)
    print(
        ngettext(
            "{username} may sign in again from everywhere ({count} lock or wait lifted).",
            "{username} may sign in again from everywhere ({count} locks or waits lifted).",
            lifted,
        ).format(username=safe_text(args.username), count=lifted),
        file=out,
    )
    return EXIT_OK
