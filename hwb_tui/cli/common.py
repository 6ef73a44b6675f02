"""What every sub-command shares: usage errors, the acting user, passwords from stdin."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import BinaryIO

from hwb_tui.domain.errors import InvalidInput
from hwb_tui.domain.i18n import _
from hwb_tui.domain.model import Actor
from hwb_tui.services.hwb import Hwb

EXIT_OK = 0
EXIT_WRONG_PASSWORD = 1
EXIT_USAGE = 2
# "Yes" in English or Welsh ("ie"), whichever language the prompt was in.
YES_ANSWERS = ("y", "yes", "i", "ie")


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, like every other failure
        raise UsageError(message)


# `-o -`: credentials on standard output, so `ssh host hwb-tui print … -o - > slips.pdf` brings
# them to the user's own machine without a copy on the server.
STANDARD_OUTPUT = "-"


def output_target(value: str) -> Path | BinaryIO:
    if value != STANDARD_OUTPUT:
        return Path(value)
    if sys.stdout.isatty():
        raise InvalidInput(
            _("Standard output is a terminal: send it to a file, as in -o - > FILE.")
        )
    return sys.stdout.buffer


def written_to(path: Path | None) -> str:
    return str(path) if path is not None else _("standard output")


def add_acting_user(parser: argparse.ArgumentParser) -> None:
    """--as may come before the sub-command or after it."""
    parser.add_argument("--as", dest="sub_as_user", metavar="USER", help=_("the acting user"))


def acting_user(hwb: Hwb, args: argparse.Namespace) -> Actor:
    username = getattr(args, "sub_as_user", None) or args.as_user
    if not username:
        raise UsageError(_("name the acting user with --as USER"))
    return hwb.users.actor(username)


def read_password() -> str:
    """One line from stdin; only the line ending is removed, the password is kept exactly."""
    line = sys.stdin.readline()
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    if not line:
        raise InvalidInput(_("No password was given on standard input."))
    return line


def school_id(hwb: Hwb, actor: Actor, code: str | None) -> int | None:
    return hwb.users.school_by_code(actor, code).id if code else None


def confirm(prompt: str) -> bool:
    """Ask on the terminal; with no terminal, refuse rather than guess."""
    if not sys.stdin.isatty():
        raise InvalidInput(_("No terminal to confirm on: add --yes to accept."))
    print(prompt, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in YES_ANSWERS
