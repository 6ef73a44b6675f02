"""Print: Print Details or Print With Password for one user, and Print Registration Group.

The service writes the PDF, readable by its owner only, into the output folder and records
the print first; the app then says where the file is and, when it runs under `textual serve`,
hands it to the browser as a download too (`App.deliver_binary`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Label, Select, Static

from hwb_tui.domain import rights
from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import N_, _, ngettext
from hwb_tui.domain.model import UserSummary
from hwb_tui.domain.rights import Action
from hwb_tui.domain.text import safe_text
from hwb_tui.services.files import timestamped_path
from hwb_tui.services.printing import PrintResult
from hwb_tui.ui import styles

if TYPE_CHECKING:
    from hwb_tui.services.hwb import Hwb
    from hwb_tui.ui.screens.common import UsesServices


@dataclass(frozen=True, slots=True)
class PrintRequest:
    """One print: the named users, or a registration group's learners."""

    with_password: bool
    usernames: tuple[str, ...] = ()
    reg_group: str | None = None

    @property
    def file_stem(self) -> str:
        return "hwb-slips-" + (self.reg_group or "-".join(self.usernames[:1]) or "users")


# -- choosing what to print ------------------------------------------------------------------


class PrintMenu(ModalScreen[bool | None]):
    """Print › Print Details or Print With Password. True means with the password."""

    CSS_PATH = styles.DIALOGS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Go Back"), id="print.cancel",
                tooltip=N_("Close without printing")),
        Binding("d", "details", N_("Print Details"), id="print.details",
                tooltip=N_("Slips with the name and username, without the password")),
        Binding("w", "with_password", N_("Print With Password"), id="print.with-password",
                tooltip=N_("Slips with the name, username and password")),
    ]  # fmt: skip

    def __init__(self, subject: str, *, may_print_password: bool) -> None:
        super().__init__()
        self._subject = subject
        self._may_print_password = may_print_password

    def compose(self) -> ComposeResult:
        with Vertical(id="print-menu", classes="dialog"):
            yield Static(Content(_("Print")), classes="dialog-title")
            yield Static(Content(safe_text(self._subject)))
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Print Details"), id="print-details", compact=True)
                yield Button(
                    _("Print With Password"),
                    id="print-with-password",
                    compact=True,
                    disabled=not self._may_print_password,
                )
                yield Button(_("Go Back"), id="cancel", compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "with_password":
            return self._may_print_password or None
        return True

    @on(Button.Pressed, "#print-details")
    def action_details(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#print-with-password")
    def action_with_password(self) -> None:
        if self._may_print_password:
            self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class PrintGroupDialog(ModalScreen[PrintRequest | None]):
    """Print Registration Group: choose the group, with or without passwords, then Print."""

    CSS_PATH = styles.DIALOGS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Go Back"), id="print-group.cancel",
                tooltip=N_("Close without printing")),
    ]  # fmt: skip

    def __init__(self, groups: Sequence[str], chosen: str | None) -> None:
        super().__init__()
        self._groups = tuple(groups)
        self._chosen = chosen if chosen in self._groups else self._groups[0]

    def compose(self) -> ComposeResult:
        with Vertical(id="print-group", classes="dialog"):
            yield Static(Content(_("Print Registration Group")), classes="dialog-title")
            yield Select(
                [(Content(safe_text(group)), group) for group in self._groups],
                value=self._chosen,
                allow_blank=False,
                compact=True,
                id="reg-group",
            )
            yield Checkbox(_("With password"), id="with-password", compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Print"), id="print", variant="primary", compact=True)
                yield Button(_("Go Back"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#reg-group").focus()

    @on(Button.Pressed, "#print")
    def _print(self) -> None:
        group = self.query_one("#reg-group", Select).value
        with_password = self.query_one("#with-password", Checkbox).value
        self.dismiss(PrintRequest(with_password=with_password, reg_group=str(group)))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class PrintActions(Horizontal):
    """The details screen's "Print ›" row: Print Details and Print With Password."""

    DEFAULT_CSS = """
    PrintActions { height: 1; }
    PrintActions Label { padding-right: 1; }
    PrintActions Button { margin-right: 2; }
    """

    def __init__(self, username: str, *, may_print: bool, may_print_password: bool, **kwargs):
        super().__init__(**kwargs)
        self._username = username
        self._may_print = may_print
        self._may_print_password = may_print_password

    def compose(self) -> ComposeResult:
        yield Label(_("Print ›"))
        yield Button(
            _("Print Details"), id="print-details", compact=True, disabled=not self._may_print
        )
        yield Button(
            _("Print With Password"),
            id="print-with-password",
            compact=True,
            disabled=not self._may_print_password,
        )

    @on(Button.Pressed, "#print-details")
    def _details(self) -> None:
        start_print(self.screen, PrintRequest(with_password=False, usernames=(self._username,)))

    @on(Button.Pressed, "#print-with-password")
    def _with_password(self) -> None:
        start_print(self.screen, PrintRequest(with_password=True, usernames=(self._username,)))


# -- what the screens call -------------------------------------------------------------------


def may_print(screen: UsesServices, user: UserSummary, *, with_password: bool = False) -> bool:
    """Cosmetic: whether to offer it. The service checks the rights again."""
    action = Action.SEE_PASSWORD if with_password else Action.PRINT_DETAILS
    return rights.may(screen.session.actor, action, user.kind, user.school_id)


def open_print_menu(screen: UsesServices, user: UserSummary) -> None:
    """Print on the details screen: ask Print Details or Print With Password, then print."""

    def chosen(with_password: bool | None) -> None:
        if with_password is not None:
            start_print(
                screen, PrintRequest(with_password=with_password, usernames=(user.username,))
            )

    subject = f"{user.forename} {user.surname} ({user.username})"
    screen.app.push_screen(
        PrintMenu(subject, may_print_password=may_print(screen, user, with_password=True)),
        chosen,
    )


def open_group_print(screen: UsesServices, highlighted_group: str | None) -> None:
    """Print Registration Group from the learners list, starting at the highlighted group."""
    try:
        groups = screen.hwb.printing.reg_groups(screen.session.actor, screen.session.school_id)
    except HwbError as error:
        screen.refuse(error)
        return
    if not groups:
        screen.app.notify(_("There are no registration groups to print."), markup=False)
        return

    def chosen(request: PrintRequest | None) -> None:
        if request is not None:
            start_print(screen, request)

    screen.app.push_screen(PrintGroupDialog(groups, highlighted_group), chosen)


def start_print(screen: UsesServices, request: PrintRequest) -> None:
    """Make the slips in a thread (many slips take a moment), then hand the file over."""
    screen.run_worker(partial(_print, screen, request), thread=True, group="print")


def _print(screen: UsesServices, request: PrintRequest) -> None:
    hwb, session = screen.hwb, screen.session
    path = output_path(hwb, request.file_stem, ".pdf")
    try:
        if request.reg_group is not None:
            result = hwb.printing.print_reg_group(
                session.actor,
                request.reg_group,
                path,
                with_password=request.with_password,
                school_id=session.school_id,
            )
        else:
            result = hwb.printing.print_users(
                session.actor, request.usernames, path, with_password=request.with_password
            )
    except HwbError as error:
        screen.app.call_from_thread(screen.refuse, error)
        return
    screen.app.call_from_thread(_printed, screen.app, result)


def _printed(app: App, result: PrintResult) -> None:
    message = ngettext(
        "Saved {users} slip to {path} (readable by you only).",
        "Saved {users} slips to {path} (readable by you only).",
        result.users,
    ).format(users=result.users, path=result.path)
    if result.printer_problem:
        message += " " + _("The printer {printer} did not take them: {reason}").format(
            printer=result.printer, reason=result.printer_problem
        )
    elif result.printer:
        message += " " + _("Sent to the printer {printer}.").format(printer=result.printer)
    deliver(app, result.path, message, "application/pdf")


# -- handing a file over ---------------------------------------------------------------------


def output_path(hwb: Hwb, stem: str, suffix: str) -> Path:
    return timestamped_path(hwb.settings.output_dir, stem, suffix)


def deliver(app: App, path: Path, message: str, mime_type: str) -> None:
    """Say where the file is; through `textual serve`, the browser downloads it as well.

    In a terminal the file is already where it belongs: Textual's own terminal delivery would
    write a second copy with the default permissions, so it is used only on the web.
    """
    if app.is_web:
        app.deliver_binary(path, mime_type=mime_type)
        message += " " + _("Your browser downloads it too.")
    app.notify(message, markup=False, timeout=15)
