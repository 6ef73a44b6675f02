"""Administration sub-commands: MIS import, non-MIS users, and SSH keys bound to users.

`import` and `non-mis` act for the user named with --as, within their rights. `keys` is run by
the service account that owns the database and key (trusted, like `demo`): it edits that
account's authorized_keys, so whoever can run it can already read the database.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from hwb_tui.cli.common import EXIT_OK, acting_user, add_acting_user, school_id
from hwb_tui.domain.errors import InvalidInput
from hwb_tui.domain.i18n import _
from hwb_tui.domain.membership import END_CHOICE_LABELS, EndChoice
from hwb_tui.domain.model import STATUS_LABELS, Kind
from hwb_tui.domain.text import safe_text
from hwb_tui.services.hwb import Hwb

# The app starts through the command line's parser, so the services behind these commands are
# imported by the commands themselves, when run.
if TYPE_CHECKING:
    from hwb_tui.services.mis_import import ImportResult
    from hwb_tui.services.non_mis import NonMisUser

IMPORT_KINDS = {"learners": Kind.LEARNER, "staff": Kind.STAFF}


def add_commands(subparsers) -> dict:
    mis = subparsers.add_parser("import", help=_("bring learners or staff in step with the MIS"))
    mis.add_argument("which", choices=tuple(IMPORT_KINDS))
    mis.add_argument("file", metavar="FILE.csv")
    add_acting_user(mis)
    mis.add_argument("--school", metavar="CODE", help=_("a school's code (Hwb administrators)"))
    mis.add_argument("--dry-run", action="store_true", help=_("print what would change, only"))
    mis.add_argument(
        "--generate-passwords",
        action="store_true",
        help=_("give new people a generated password, printed once (default: status -)"),
    )

    non_mis = subparsers.add_parser("non-mis", help=_("manage non-MIS users (Digital Champions)"))
    actions = non_mis.add_subparsers(
        dest="non_mis_command", metavar="ACTION", required=True, parser_class=type(non_mis)
    )
    ends = {
        "choices": [str(choice) for choice in EndChoice],
        "help": "; ".join(f"{choice}: {_(label)}" for choice, label in END_CHOICE_LABELS.items()),
    }
    add = actions.add_parser("add", help=_("add a non-MIS user"))
    add.add_argument("forename")
    add.add_argument("surname")
    add.add_argument("--ends", required=True, **ends)
    add.add_argument(
        "--generate-password", action="store_true", help=_("print a generated password once")
    )
    listing = actions.add_parser("list", help=_("list non-MIS users, expired ones marked"))
    listing.add_argument("--all", action="store_true", help=_("include removed users"))
    edit = actions.add_parser("edit", help=_("correct a non-MIS user's name"))
    edit.add_argument("username")
    edit.add_argument("--forename")
    edit.add_argument("--surname")
    extend = actions.add_parser("extend", help=_("give a non-MIS user a later end date"))
    extend.add_argument("username")
    extend.add_argument("--ends", required=True, **ends)
    remove = actions.add_parser("remove", help=_("mark a non-MIS user as having left"))
    remove.add_argument("username")
    for action in (add, listing, edit, extend, remove):
        add_acting_user(action)

    keys = subparsers.add_parser("keys", help=_("bind SSH keys to users (the service account)"))
    key_actions = keys.add_subparsers(
        dest="keys_command", metavar="ACTION", required=True, parser_class=type(keys)
    )
    key_add = key_actions.add_parser("add", help=_("let a key open the app as USER"))
    key_add.add_argument("username", metavar="USER")
    key_add.add_argument("public_key", metavar="PUBKEY_FILE")
    key_add.add_argument(
        "--program", metavar="PATH", help=_("the hwb-tui to run (default: this one)")
    )
    key_list = key_actions.add_parser("list", help=_("list bound keys"))
    key_remove = key_actions.add_parser("remove", help=_("remove every key of USER"))
    key_remove.add_argument("username", metavar="USER")
    for action in (key_add, key_list, key_remove):
        action.add_argument(
            "--authorized-keys",
            metavar="PATH",
            help=_("the file sshd reads (default: ~/.ssh/authorized_keys)"),
        )
    return {"import": cmd_import, "non-mis": cmd_non_mis, "keys": cmd_keys}


def cmd_import(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = acting_user(hwb, args)
    result = hwb.mis_import.import_file(
        actor,
        IMPORT_KINDS[args.which],
        Path(args.file),
        school_id=school_id(hwb, actor, args.school),
        dry_run=args.dry_run,
        generate_passwords=args.generate_passwords,
    )
    if result.dry_run:
        _print_changes(result, out)
        print(
            _("Dry run for {school}: {summary}. Nothing was changed.").format(
                school=safe_text(result.school_name), summary=result.summary
            ),
            file=sys.stderr,
        )
        return EXIT_OK
    for username, password in result.passwords:
        print(f"{username}\t{password}", file=out)
    print(
        _("Imported into {school}: {summary}.").format(
            school=safe_text(result.school_name), summary=result.summary
        ),
        file=sys.stderr,
    )
    return EXIT_OK


def _print_changes(result: ImportResult, out: TextIO) -> None:
    for change in result.changes:
        fields = (
            str(change.kind),
            change.key,
            change.username or "-",
            change.name,
            "; ".join(change.fields),
        )
        print("\t".join(safe_text(field) for field in fields), file=out)


def cmd_non_mis(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = acting_user(hwb, args)
    service = hwb.non_mis
    command = args.non_mis_command
    if command == "list":
        for user in service.list_users(actor, include_left=args.all):
            _print_non_mis(user, out)
        return EXIT_OK
    if command == "add":
        added = service.add(
            actor,
            args.forename,
            args.surname,
            EndChoice(args.ends),
            generate=args.generate_password,
        )
        _print_non_mis(added.user, out)
        if added.password:
            print(added.password, file=out)
        return EXIT_OK
    if command == "edit":
        user = service.edit(actor, args.username, forename=args.forename, surname=args.surname)
    elif command == "extend":
        user = service.extend(actor, args.username, EndChoice(args.ends))
    else:
        user = service.remove(actor, args.username)
    _print_non_mis(user, out)
    return EXIT_OK


def _print_non_mis(user: NonMisUser, out: TextIO) -> None:
    if user.left:
        state = _("removed")
    elif user.expired:
        state = _("expired")
    else:
        state = _("active")
    fields = (
        user.surname,
        user.forename,
        user.username,
        user.expires_on.isoformat() if user.expires_on else "-",
        state,
        _(STATUS_LABELS[user.status]),
    )
    print("\t".join(safe_text(field) for field in fields), file=out)


def cmd_keys(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    from hwb_tui.services.ssh_keys import default_authorized_keys, default_program

    path = Path(args.authorized_keys).expanduser() if args.authorized_keys else None
    path = path or default_authorized_keys()
    if args.keys_command == "list":
        for binding in hwb.ssh_keys.bindings(path):
            fields = (binding.username, binding.key.key_type, binding.key.fingerprint)
            print("\t".join(safe_text(field) for field in fields), file=out)
        return EXIT_OK
    if args.keys_command == "remove":
        removed = hwb.ssh_keys.remove(args.username, path)
        print(
            _("Removed {count} keys of {user} from {path}.").format(
                count=removed, user=safe_text(args.username), path=path
            ),
            file=sys.stderr,
        )
        return EXIT_OK
    program = Path(args.program).resolve() if args.program else default_program()
    binding = hwb.ssh_keys.add(args.username, _read_key_file(Path(args.public_key)), path, program)
    print(
        _("{fingerprint} now opens hwb-tui as {user} (and nothing else) through {path}.").format(
            fingerprint=binding.key.fingerprint, user=binding.username, path=path
        ),
        file=sys.stderr,
    )
    return EXIT_OK


def _read_key_file(path: Path) -> str:
    from hwb_tui.services.ssh_keys import MAX_KEY_FILE_BYTES

    try:
        with path.expanduser().open("rb") as handle:
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as error:
        raise InvalidInput(
            _("Cannot read {path}: {reason}.").format(path=path, reason=error.strerror)
        ) from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise InvalidInput(_("{path} is too large to be a public key.").format(path=path))
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise InvalidInput(_("{path} is not an OpenSSH public key.").format(path=path)) from None
