"""The `hwb-tui` command: the app by default, and scriptable sub-commands over the same services.

Exit codes: 0 done, 1 wrong password (check-password) or a fault, 2 usage, 3 not allowed,
4 not found or no password available, 5 refused by the policy or other bad input.

Each feature module registers its sub-commands with `add_commands(subparsers)`, which returns
a mapping of command name to handler `(hwb, args, out) -> exit code`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from hwb_tui.cli import admin, core, groups, printing, security
from hwb_tui.cli.common import EXIT_OK, EXIT_USAGE, Parser, UsageError
from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import LANGUAGES, _, resolve_language, set_language
from hwb_tui.domain.text import safe_text
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.startup import resume_collection

Handler = Callable[[Hwb, argparse.Namespace, TextIO], int]

FEATURES = (core, security, printing, groups, admin)


def build_parser(
    *, with_commands: bool = True
) -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    parser = Parser(
        prog="hwb-tui", description=_("Hwb User Management Portal passwords, in a terminal.")
    )
    parser.add_argument(
        "--db", metavar="URL", help=_("database URL (sqlite:///file or postgresql://…)")
    )
    parser.add_argument(
        "--key-file", metavar="PATH", help=_("the key file that opens stored passwords")
    )
    parser.add_argument(
        "--as", dest="as_user", metavar="USER", help=_("act as USER (trusted forced command)")
    )
    parser.add_argument(
        "--view",
        choices=("profile", *core.KIND_CHOICES),
        help=_("the screen the app opens on"),
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=_("the language: cy (Cymraeg) or en (English); by default HWB_LANG, then the locale"),
    )
    parser.add_argument(
        "--output-dir",
        metavar="DIR",
        help=_("where the app saves slips and downloads (default: HWB_OUTPUT_DIR, then here)"),
    )
    parser.add_argument(
        "--printer",
        metavar="NAME",
        help=_("a printer (lp -d NAME) that Print also sends slips to (default: HWB_PRINTER)"),
    )
    parser.add_argument(
        "--low-bandwidth",
        action="store_true",
        help=_("16 colours and no mouse, for a slow link (default: HWB_LOW_BANDWIDTH=1)"),
    )
    handlers: dict[str, Handler] = {}
    if with_commands:
        subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
        for feature in FEATURES:
            handlers.update(feature.add_commands(subparsers))
    return parser, handlers


def _parse(argv: Sequence[str]) -> tuple[argparse.Namespace, dict[str, Handler]]:
    """The arguments, and the commands' handlers when a command is given.

    Starting the app needs only the options before a command, so the commands' parsers (a
    tenth of the app's start, most of it translating their help) are built only for a command,
    --help or a mistake; those go through the full parser, which words every message."""
    if not {"-h", "--help"} & set(argv):
        options, _handlers = build_parser(with_commands=False)
        try:
            args, rest = options.parse_known_args(argv)
        except UsageError:
            rest = argv
        if not rest:
            args.command = None
            return args, {}
    parser, handlers = build_parser()
    return parser.parse_args(argv), handlers


def _requested_language(argv: Sequence[str]) -> str | None:
    """--lang, read before the parser is built so that its help is in that language too."""
    early = Parser(add_help=False)
    early.add_argument("--lang", choices=LANGUAGES)
    try:
        return early.parse_known_args(argv)[0].lang
    except UsageError:  # a wrong --lang: the full parser says so, in the locale's language
        return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        set_language(resolve_language(_requested_language(argv), os.environ))
    except HwbError as error:  # HWB_LANG names no language we have
        print(f"hwb-tui: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        args, handlers = _parse(argv)
    except UsageError as error:
        print(f"hwb-tui: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as done:  # --help
        return int(done.code or 0)
    try:
        settings = Settings.resolve(
            args.db,
            args.key_file,
            output_dir=args.output_dir,
            printer=args.printer,
            language=args.lang,
            low_bandwidth=args.low_bandwidth,
        )
        if args.command is None:
            return _run_app(settings, args)
        resume_collection()  # a command may make and drop many objects (an import, a CSV)
        with Hwb.open(settings) as hwb:
            return handlers[args.command](hwb, args, sys.stdout)
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
        print("hwb-tui: " + _("interrupted; nothing more was changed."), file=sys.stderr)
        return 130
    except Exception as error:  # a fault, not a user mistake: still one line, no traceback
        print(
            "hwb-tui: "
            + _("unexpected {kind}: {error}").format(
                kind=type(error).__name__, error=safe_text(str(error))
            ),
            file=sys.stderr,
        )
        return 1


def _run_app(settings: Settings, args: argparse.Namespace) -> int:
    if settings.low_bandwidth:
        # Textual reads its colour system when it is first imported, which is just below.
        os.environ["TEXTUAL_COLOR_SYSTEM"] = "standard"
    from hwb_tui.ui.app import run_app

    return run_app(settings, as_user=args.as_user, view=args.view)
