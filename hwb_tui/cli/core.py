"""The core sub-commands: demo, users, show, reset, passwd, check-password, export, audit."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from hwb_tui.cli.common import (
    EXIT_OK,
    EXIT_WRONG_PASSWORD,
    acting_user,
    add_acting_user,
    confirm,
    output_target,
    read_password,
    school_id,
    written_to,
)
from hwb_tui.domain.errors import InvalidInput
from hwb_tui.domain.i18n import _, ngettext
from hwb_tui.domain.model import Kind, status_label
from hwb_tui.domain.rights import Download
from hwb_tui.domain.text import safe_text
from hwb_tui.services.hwb import Hwb

KIND_CHOICES = {
    "learners": Kind.LEARNER,
    "staff": Kind.STAFF,
    "governors": Kind.GOVERNOR,
    "non-mis": Kind.NON_MIS,
}
EXPORTS = {"pupils": Download.ALL_PUPILS, "staff": Download.ALL_STAFF}


def add_commands(subparsers) -> dict:

    demo = subparsers.add_parser("demo", help=_("build the demo database"))
    demo.add_argument("--force", action="store_true", help=_("rebuild an existing demo database"))

    users = subparsers.add_parser("users", help=_("list the users you may see"))
    add_acting_user(users)
    users.add_argument("--kind", choices=tuple(KIND_CHOICES), default="learners")
    users.add_argument("--search", metavar="TERM", default="")
    users.add_argument("--school", metavar="CODE", help=_("a school's code (Hwb administrators)"))
    users.add_argument("--json", action="store_true", help=_("print JSON"))

    show = subparsers.add_parser("show", help=_("print a user's stored password"))
    show.add_argument("username")
    add_acting_user(show)

    reset = subparsers.add_parser("reset", help=_("reset a user's password"))
    reset.add_argument("username")
    add_acting_user(reset)
    how = reset.add_mutually_exclusive_group(required=True)
    how.add_argument("--generate", action="store_true", help=_("generate a password and print it"))
    how.add_argument(
        "--password-stdin", action="store_true", help=_("read the new password from stdin")
    )

    passwd = subparsers.add_parser("passwd", help=_("change your own password"))
    add_acting_user(passwd)
    passwd.add_argument("--password-stdin", action="store_true", required=True)

    check = subparsers.add_parser(
        "check-password", help=_("exit 0 if the password is right, 1 if not")
    )
    check.add_argument("username")
    check.add_argument("--password-stdin", action="store_true", required=True)

    export = subparsers.add_parser("export", help=_("download the All Pupils or All Staff CSV"))
    export.add_argument("which", choices=tuple(EXPORTS))
    add_acting_user(export)
    export.add_argument("-o", "--output", required=True, metavar="FILE")
    export.add_argument("--school", metavar="CODE", help=_("a school's code (Hwb administrators)"))
    export.add_argument("--yes", action="store_true", help=_("accept the warning without asking"))

    audit = subparsers.add_parser("audit", help=_("read the audit trail"))
    add_acting_user(audit)
    audit.add_argument("--json", action="store_true")
    audit.add_argument("--limit", type=int, default=None)
    return {
        "demo": cmd_demo,
        "users": cmd_users,
        "show": cmd_show,
        "reset": cmd_reset,
        "passwd": cmd_passwd,
        "check-password": cmd_check_password,
        "export": cmd_export,
        "audit": cmd_audit,
    }


def cmd_demo(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    sign_ins = hwb.demo.build(force=args.force)
    print(
        _("Demo database ready: {database_url}").format(database_url=hwb.settings.database_url),
        file=out,
    )
    print(_("Sign in as any of these (the password is the same for all):"), file=out)
    for sign_in in sign_ins:
        print(f"  {sign_in.username:<15} {sign_in.password:<12} {_(sign_in.role)}", file=out)
    return EXIT_OK


def cmd_users(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = acting_user(hwb, args)
    rows = hwb.users.list_users(
        actor,
        KIND_CHOICES[args.kind],
        school_id=school_id(hwb, actor, args.school),
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
    for row in rows:
        fields = (
            row.surname,
            row.forename,
            row.username,
            row.year or "",
            row.reg_group or "",
            status_label(row.status),
        )
        print("\t".join(safe_text(field) for field in fields), file=out)
    return EXIT_OK


def cmd_show(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = acting_user(hwb, args)
    print(hwb.passwords.reveal(actor, args.username), file=out)
    return EXIT_OK


def cmd_reset(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = acting_user(hwb, args)
    password = None if args.generate else read_password()
    result = hwb.passwords.reset(actor, args.username, password)
    if result.generated:
        print(result.password, file=out)
    else:
        print(
            _("The password of {username} was reset.").format(username=safe_text(result.username)),
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_passwd(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = acting_user(hwb, args)
    hwb.passwords.change_own(actor, read_password())
    print(_("Your password was changed."), file=sys.stderr)
    return EXIT_OK


def cmd_check_password(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    return EXIT_OK if hwb.passwords.check(args.username, read_password()) else EXIT_WRONG_PASSWORD


def cmd_export(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    # Imported when run: the app starts through the command line's parser.
    from hwb_tui.services.exports import DOWNLOAD_WARNING

    actor = acting_user(hwb, args)
    download = EXPORTS[args.which]
    school = hwb.exports.require_download(actor, download, school_id(hwb, actor, args.school))
    print(_(DOWNLOAD_WARNING), file=sys.stderr)
    if not args.yes and not confirm(_("Proceed with download? [y/N] ")):
        raise InvalidInput(_("Download cancelled: nothing was written."))
    result = hwb.exports.download(actor, download, output_target(args.output), school)
    print(
        ngettext(
            "Wrote {rows} user to {path} (readable by you only).",
            "Wrote {rows} users to {path} (readable by you only).",
            result.rows,
        ).format(rows=result.rows, path=written_to(result.path)),
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_audit(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = acting_user(hwb, args)
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
