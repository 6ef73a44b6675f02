"""The `hwb-tui` command: the app by default, and scriptable sub-commands over the same services.

Exit codes: 0 done, 1 wrong password (check-password) or a fault, 2 usage, 3 not allowed,
4 not found or no password available, 5 refused by the policy or other bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from hwb_tui.domain.errors import HwbError, InvalidInput
from hwb_tui.domain.model import YEARS, Kind
from hwb_tui.domain.rights import Download
from hwb_tui.domain.text import safe_text
from hwb_tui.services.config import Settings
from hwb_tui.services.exports import DOWNLOAD_WARNING
from hwb_tui.services.hwb import Hwb

EXIT_OK = 0
EXIT_WRONG_PASSWORD = 1
EXIT_USAGE = 2

KIND_CHOICES = {
    "learners": Kind.LEARNER,
    "staff": Kind.STAFF,
    "governors": Kind.GOVERNOR,
    "non-mis": Kind.NON_MIS,
}
EXPORTS = {"pupils": Download.ALL_PUPILS, "staff": Download.ALL_STAFF}
JSON_YEARS = set(YEARS)


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, as every other failure
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hwb-tui", description="Hwb User Management Portal passwords, in a terminal."
    )
    parser.add_argument(
        "--db", metavar="URL", help="database URL (sqlite:///file or postgresql://…)"
    )
    parser.add_argument(
        "--key-file", metavar="PATH", help="the key file that opens stored passwords"
    )
    parser.add_argument(
        "--as", dest="as_user", metavar="USER", help="act as USER (trusted forced command)"
    )
    parser.add_argument(
        "--view",
        choices=("profile", *KIND_CHOICES),
        help="the screen the app opens on",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = commands.add_parser("demo", help="build the demo database")
    demo.add_argument("--force", action="store_true", help="rebuild an existing demo database")

    users = commands.add_parser("users", help="list the users you may see")
    _acting(users)
    users.add_argument("--kind", choices=tuple(KIND_CHOICES), default="learners")
    users.add_argument("--search", metavar="TERM", default="")
    users.add_argument("--school", metavar="CODE", help="a school's code (Hwb administrators)")
    users.add_argument("--json", action="store_true", help="print JSON")

    show = commands.add_parser("show", help="print a user's stored password")
    show.add_argument("username")
    _acting(show)

    reset = commands.add_parser("reset", help="reset a user's password")
    reset.add_argument("username")
    _acting(reset)
    how = reset.add_mutually_exclusive_group(required=True)
    how.add_argument("--generate", action="store_true", help="generate a password and print it")
    how.add_argument(
        "--password-stdin", action="store_true", help="read the new password from stdin"
    )

    passwd = commands.add_parser("passwd", help="change your own password")
    _acting(passwd)
    passwd.add_argument("--password-stdin", action="store_true", required=True)

    check = commands.add_parser("check-password", help="exit 0 if the password is right, 1 if not")
    check.add_argument("username")
    check.add_argument("--password-stdin", action="store_true", required=True)

    export = commands.add_parser("export", help="download the All Pupils or All Staff CSV")
    export.add_argument("which", choices=tuple(EXPORTS))
    _acting(export)
    export.add_argument("-o", "--output", required=True, metavar="FILE")
    export.add_argument("--school", metavar="CODE", help="a school's code (Hwb administrators)")
    export.add_argument("--yes", action="store_true", help="accept the warning without asking")

    audit = commands.add_parser("audit", help="read the audit trail")
    _acting(audit)
    audit.add_argument("--json", action="store_true")
    audit.add_argument("--limit", type=int, default=None)
    return parser


def _acting(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="sub_as_user", metavar="USER", help="the acting user")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except UsageError as error:
        print(f"hwb-tui: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as done:  # --help
        return int(done.code or 0)
    try:
        settings = Settings.resolve(args.db, args.key_file)
        if args.command is None:
            return _run_app(settings, args)
        with Hwb.open(settings) as hwb:
            return COMMANDS[args.command](hwb, args, sys.stdout)
    except UsageError as error:
        print(f"hwb-tui: {error}", file=sys.stderr)
        return EXIT_USAGE
    except HwbError as error:
        print(f"hwb-tui: {error}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:  # the reader (e.g. `head`) went away; that is not a failure
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("hwb-tui: interrupted; nothing more was changed.", file=sys.stderr)
        return 130
    except Exception as error:  # a fault, not a user mistake: still one line, no traceback
        print(
            f"hwb-tui: unexpected {type(error).__name__}: {safe_text(str(error))}", file=sys.stderr
        )
        return 1


def _run_app(settings: Settings, args: argparse.Namespace) -> int:
    from hwb_tui.ui.app import run_app

    return run_app(settings, as_user=args.as_user, view=args.view)


def _actor(hwb: Hwb, args: argparse.Namespace):
    username = getattr(args, "sub_as_user", None) or args.as_user
    if not username:
        raise UsageError("name the acting user with --as USER")
    return hwb.users.actor(username)


def _read_password() -> str:
    """One line from stdin; only the line ending is removed, the password is kept exactly."""
    line = sys.stdin.readline()
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    if not line:
        raise InvalidInput("No password was given on standard input.")
    return line


def _school_id(hwb: Hwb, actor, code: str | None) -> int | None:
    return hwb.users.school_by_code(actor, code).id if code else None


def cmd_demo(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    sign_ins = hwb.demo.build(force=args.force)
    print(f"Demo database ready: {hwb.settings.database_url}", file=out)
    print("Sign in as any of these (the password is the same for all):", file=out)
    for sign_in in sign_ins:
        print(f"  {sign_in.username:<15} {sign_in.password:<12} {sign_in.role}", file=out)
    return EXIT_OK


def cmd_users(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = _actor(hwb, args)
    rows = hwb.users.list_users(
        actor,
        KIND_CHOICES[args.kind],
        school_id=_school_id(hwb, actor, args.school),
        search=args.search,
    )
    if args.json:
        json.dump(
            [
                {
                    "username": row.username,
                    "forename": row.forename,
                    "surname": row.surname,
                    "kind": str(row.kind),
                    "school": row.school_name,
                    "year": row.year,
                    "reg_group": row.reg_group,
                    "status": str(row.status),
                }
                for row in rows
            ],
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
        return EXIT_OK
    from hwb_tui.domain.model import STATUS_LABELS

    for row in rows:
        fields = (
            row.surname,
            row.forename,
            row.username,
            row.year or "",
            row.reg_group or "",
            STATUS_LABELS[row.status],
        )
        print("\t".join(safe_text(field) for field in fields), file=out)
    return EXIT_OK


def cmd_show(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = _actor(hwb, args)
    print(hwb.passwords.reveal(actor, args.username), file=out)
    return EXIT_OK


def cmd_reset(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = _actor(hwb, args)
    password = None if args.generate else _read_password()
    result = hwb.passwords.reset(actor, args.username, password)
    if result.generated:
        print(result.password, file=out)
    else:
        print(f"The password of {safe_text(result.username)} was reset.", file=sys.stderr)
    return EXIT_OK


def cmd_passwd(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = _actor(hwb, args)
    hwb.passwords.change_own(actor, _read_password())
    print("Your password was changed.", file=sys.stderr)
    return EXIT_OK


def cmd_check_password(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    return EXIT_OK if hwb.passwords.check(args.username, _read_password()) else EXIT_WRONG_PASSWORD


def cmd_export(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = _actor(hwb, args)
    download = EXPORTS[args.which]
    print(DOWNLOAD_WARNING, file=sys.stderr)
    if not args.yes and not _confirm("Proceed with download? [y/N] "):
        raise InvalidInput("Download cancelled: nothing was written.")
    result = hwb.exports.download(
        actor, download, Path(args.output), _school_id(hwb, actor, args.school)
    )
    print(f"Wrote {result.rows} users to {result.path} (readable by you only).", file=sys.stderr)
    return EXIT_OK


def _confirm(prompt: str) -> bool:
    if not sys.stdin.isatty():
        raise InvalidInput(
            "No terminal to confirm the download on: add --yes to accept the warning."
        )
    print(prompt, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def cmd_audit(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = _actor(hwb, args)
    entries = hwb.audit.entries(actor, limit=args.limit)
    if args.json:
        json.dump(
            [
                {
                    "at": entry.at.isoformat() + "Z",
                    "actor": entry.actor,
                    "action": entry.action,
                    "target": entry.target,
                    "school_id": entry.school_id,
                    "origin": entry.origin,
                    "detail": entry.detail,
                }
                for entry in entries
            ],
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
        return EXIT_OK
    for entry in entries:
        fields = (
            entry.at.strftime("%Y-%m-%d %H:%M:%SZ"),
            entry.actor or "-",
            entry.action,
            entry.target or "-",
            entry.origin,
            entry.detail,
        )
        print("\t".join(safe_text(field) for field in fields), file=out)
    return EXIT_OK


COMMANDS: dict[str, Callable[[Hwb, argparse.Namespace, TextIO], int]] = {
    "demo": cmd_demo,
    "users": cmd_users,
    "show": cmd_show,
    "reset": cmd_reset,
    "passwd": cmd_passwd,
    "check-password": cmd_check_password,
    "export": cmd_export,
    "audit": cmd_audit,
}
