"""Administration › Non-MIS users: the Digital Champion adds, renames, extends and removes them.

Each has an end date (1, 3 or 6 months, or the end of the school year); expired ones stay
listed, marked, until they are extended or removed. Removing marks them as having left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, RadioButton, RadioSet, Static

from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.membership import END_CHOICE_LABELS, EndChoice
from hwb_tui.domain.model import status_label
from hwb_tui.domain.text import safe_text
from hwb_tui.services.non_mis import NonMisUser
from hwb_tui.ui import styles
from hwb_tui.ui.screens.common import UsesServices

FormAnswer = tuple[str, str, EndChoice]  # forename, surname, end (the parts the form asks for)
_CLOSE = Binding("escape", "close", N_("Close"), id="non-mis.close", tooltip=N_("Close"))


def state_of(user: NonMisUser) -> str:
    return _("expired") if user.expired else _("active")


class NonMisDialog(UsesServices, ModalScreen[None]):
    CSS_PATH = styles.DIALOGS
    DEFAULT_CSS = """
    #non-mis { width: 90%; height: 90%; }
    #non-mis-table { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", N_("Add"), id="non-mis.add", tooltip=N_("Add a non-MIS user")),
        Binding("e", "extend", N_("Extend"), id="non-mis.extend",
                tooltip=N_("Give the highlighted user a later end date")),
        Binding("n", "rename", N_("Name"), id="non-mis.rename",
                tooltip=N_("Correct the highlighted user's name")),
        Binding("delete", "remove", N_("Remove"), id="non-mis.remove",
                tooltip=N_("Mark the highlighted user as having left")),
        _CLOSE,
    ]  # fmt: skip

    def compose(self) -> ComposeResult:
        with Vertical(id="non-mis", classes="dialog"):
            yield Static(
                Content(
                    _("Non-MIS users: {school}").format(school=safe_text(self.session.school_name))
                ),
                classes="dialog-title",
            )
            yield DataTable(id="non-mis-table", cursor_type="row", zebra_stripes=True)
            yield Static(
                Content(_("a add · n name · e extend · Delete remove · Escape close")),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(
            _("Surname"), _("Forename"), _("Username"), _("Ends"), _("State"), _("Password")
        )
        self._load()
        table.focus()

    def _load(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        try:
            users = self.hwb.non_mis.list_users(self.session.actor)
        except HwbError as error:
            self.refuse(error)
            return
        for user in users:
            cells = (
                user.surname,
                user.forename,
                user.username,
                user.expires_on.isoformat() if user.expires_on else "-",
                state_of(user),
                status_label(user.status),
            )
            table.add_row(*(Text(safe_text(cell)) for cell in cells), key=user.username)

    def _highlighted(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _act(self, call: Callable[[], NonMisUser]) -> None:
        """Run a service call, say what happened, and show the list as it now is."""
        try:
            user = call()
        except HwbError as error:
            self.refuse(error)
            return
        self.app.notify(
            _("{user}: ends {day}, {state}.").format(
                user=safe_text(user.username),
                day=user.expires_on.isoformat() if user.expires_on else "-",
                state=_("removed") if user.left else state_of(user),
            ),
            markup=False,
        )
        self._load()

    def action_add(self) -> None:
        def added(answer: FormAnswer | None) -> None:
            if answer is not None:
                forename, surname, end = answer
                self._act(lambda: self.hwb.non_mis.add(actor, forename, surname, end).user)

        actor = self.session.actor
        self.app.push_screen(NonMisForm(_("Add a non-MIS user"), with_names=True), added)

    def action_rename(self) -> None:
        def renamed(answer: FormAnswer | None) -> None:
            if answer is not None:
                forename, surname, _end = answer
                self._act(
                    lambda: self.hwb.non_mis.edit(
                        actor, username, forename=forename or None, surname=surname or None
                    )
                )

        actor, username = self.session.actor, self._highlighted()
        if username is not None:
            form = NonMisForm(
                _("New name for {user} (leave a part empty to keep it)").format(user=username),
                with_names=True,
                with_end=False,
            )
            self.app.push_screen(form, renamed)

    def action_extend(self) -> None:
        def chosen(answer: FormAnswer | None) -> None:
            if answer is not None:
                self._act(lambda: self.hwb.non_mis.extend(actor, username, answer[2]))

        actor, username = self.session.actor, self._highlighted()
        if username is not None:
            form = NonMisForm(_("Extend {user}").format(user=username), with_names=False)
            self.app.push_screen(form, chosen)

    def action_remove(self) -> None:
        actor, username = self.session.actor, self._highlighted()
        if username is not None:
            self._act(lambda: self.hwb.non_mis.remove(actor, username))

    def action_close(self) -> None:
        self.dismiss(None)


class NonMisForm(ModalScreen[FormAnswer | None]):
    """Names and/or an end date; dismissed with (forename, surname, end) or None."""

    CSS_PATH = styles.DIALOGS

    BINDINGS: ClassVar[list[BindingType]] = [_CLOSE]

    def __init__(self, title: str, *, with_names: bool, with_end: bool = True) -> None:
        super().__init__()
        self._title = title
        self._with_names = with_names
        self._with_end = with_end

    def compose(self) -> ComposeResult:
        with Vertical(id="non-mis-form", classes="dialog"):
            yield Static(Content(self._title), classes="dialog-title")
            if self._with_names:
                yield Input(placeholder=_("Forename"), id="forename")
                yield Input(placeholder=_("Surname"), id="surname")
            if self._with_end:
                yield Static(Content(_("Ends after")), classes="dialog-hint")
                with RadioSet(id="ends"):
                    for choice in EndChoice:
                        yield RadioButton(
                            _(END_CHOICE_LABELS[choice]),
                            value=choice is EndChoice.SCHOOL_YEAR,
                            id=f"ends-{choice}",
                        )
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save"), id="save", variant="primary", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)

    @on(Input.Submitted, "#surname")
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        forename = surname = ""
        if self._with_names:
            forename = self.query_one("#forename", Input).value
            surname = self.query_one("#surname", Input).value
        end = EndChoice.SCHOOL_YEAR
        if self._with_end:
            pressed = self.query_one(RadioSet).pressed_button
            end = EndChoice(pressed.id.removeprefix("ends-")) if pressed else end
        self.dismiss((forename, surname, end))

    @on(Button.Pressed, "#cancel")
    def action_close(self) -> None:
        self.dismiss(None)
