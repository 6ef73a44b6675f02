"""The `print` sub-command: credential slips as a PDF, for users or a registration group."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from hwb_tui.cli.common import (
    EXIT_OK,
    UsageError,
    acting_user,
    add_acting_user,
    output_target,
    school_id,
)
from hwb_tui.domain.i18n import _, ngettext
from hwb_tui.domain.text import safe_text
from hwb_tui.services.hwb import Hwb

# The app starts through the command line's parser, so the services behind these commands are
# imported by the commands themselves, when run.
if TYPE_CHECKING:
    from hwb_tui.services.printing import PrintResult

EXIT_PRINTER_FAILED = 1


def add_commands(subparsers) -> dict:
    printing = subparsers.add_parser(
        "print",
        help=_("print credential slips (PDF) for users or a registration group"),
        description=_("Make a PDF of cut-out credential slips, ten to an A4 page."),
    )
    printing.add_argument("usernames", nargs="*", metavar="USERNAME", help=_("the users to print"))
    printing.add_argument(
        "--reg-group", metavar="NAME", help=_("print every learner of this registration group")
    )
    add_acting_user(printing)
    printing.add_argument(
        "--with-password", action="store_true", help=_("put each user's password on the slip")
    )
    printing.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE.pdf",
        help=_("the PDF to write, or - for standard output"),
    )
    printing.add_argument(
        "--school", metavar="CODE", help=_("the registration group's school (Hwb administrators)")
    )
    return {"print": cmd_print}


def cmd_print(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    if bool(args.usernames) == bool(args.reg_group):
        raise UsageError(_("name the users to print, or --reg-group NAME, but not both"))
    if args.school and not args.reg_group:
        raise UsageError(_("--school goes with --reg-group"))
    actor = acting_user(hwb, args)
    target = output_target(args.output)
    if args.reg_group:
        result = hwb.printing.print_reg_group(
            actor,
            args.reg_group,
            target,
            with_password=args.with_password,
            school_id=school_id(hwb, actor, args.school),
        )
    else:
        result = hwb.printing.print_users(
            actor, args.usernames, target, with_password=args.with_password
        )
    return _report(result)


def _report(result: PrintResult) -> int:
    """Say where the slips are (and whether the printer took them) on stderr."""
    if result.path is None:
        print(
            ngettext(
                "Wrote {users} slip to standard output.",
                "Wrote {users} slips to standard output.",
                result.users,
            ).format(users=result.users),
            file=sys.stderr,
        )
    else:
        print(
            ngettext(
                "Wrote {users} slip to {path} (readable by you only).",
                "Wrote {users} slips to {path} (readable by you only).",
                result.users,
            ).format(users=result.users, path=result.path),
            file=sys.stderr,
        )
    if result.printer_problem:
        print(
            _("hwb-tui: the printer {printer} did not take them: {reason}").format(
                printer=safe_text(result.printer), reason=result.printer_problem
            ),
            file=sys.stderr,
        )
        return EXIT_PRINTER_FAILED
    if result.printer:
        print(_("Sent to the printer {printer}.").format(printer=result.printer), file=sys.stderr)
    return EXIT_OK
