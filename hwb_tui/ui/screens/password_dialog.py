"""Reset password: type a new password twice, or Generate Password; then Update Password.

The dialog only chooses the password; the caller hands it to the service, which checks rights
and the policy again. The result is the chosen password, or None when cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.policy import generate_password
from hwb_tui.domain.text import safe_text
from hwb_tui.ui import styles
from hwb_tui.ui.screens.common import EnterMovesOn
from hwb_tui.ui.widgets.policy_checklist import PolicyChecklist
from hwb_tui.ui.widgets.quiet_input import QuietInput


@dataclass(frozen=True, slots=True)
class ChosenPassword:
    password: str
    generated: bool  # made by Generate Password and left as it was (the audit says so)


class PasswordDialog(EnterMovesOn, ModalScreen[ChosenPassword | None]):
    CSS_PATH = styles.DIALOGS
    BINDINGS: ClassVar[list[BindingType]] = [
        EnterMovesOn.enter_moves_on("password-dialog"),
        Binding("escape", "cancel", N_("Cancel"), id="password-dialog.cancel",
                tooltip=N_("Close without changing the password")),
        Binding("ctrl+g", "generate", N_("Generate Password"), id="password-dialog.generate",
                tooltip=N_("Make a new password that follows the policy, to note down")),
    ]  # fmt: skip
    ENTER_MOVES_ON: ClassVar[dict[str, str]] = {"new-password": "confirm-password"}

    def __init__(self, title: str, subject: str) -> None:
        super().__init__()
        self._title = title
        self._subject = subject
        self._generated = ""  # the generated password while it is shown for noting

    def compose(self) -> ComposeResult:
        with Vertical(id="password-dialog", classes="dialog"):
            yield Static(Content(self._title), classes="dialog-title")
            yield Static(Content(safe_text(self._subject)), id="password-subject")
            yield QuietInput(
                password=True, placeholder=_("New password"), id="new-password", compact=True
            )
            yield QuietInput(
                password=True,
                placeholder=_("Confirm new password"),
                id="confirm-password",
                compact=True,
            )
            yield PolicyChecklist()
            yield Static(id="generated-password", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Generate Password"), id="generate", compact=True)
                yield Button(
                    _("Update Password"),
                    id="update",
                    variant="primary",
                    disabled=True,
                    compact=True,
                )
                yield Button(_("Cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#generated-password").display = False

    @on(Input.Changed)
    def _check(self) -> None:
        password = self.query_one("#new-password", Input).value
        confirmation = self.query_one("#confirm-password", Input).value
        usable = self.query_one(PolicyChecklist).check(password, confirmation)
        self.query_one("#update", Button).disabled = not usable
        if password != self._generated:
            self._generated = ""
            self.query_one("#generated-password").display = False

    @on(Input.Submitted, "#confirm-password")
    @on(Button.Pressed, "#update")
    def _update(self) -> None:
        if not self.query_one("#update", Button).disabled:
            password = self.query_one("#new-password", Input).value
            self.dismiss(ChosenPassword(password, generated=password == self._generated))

    @on(Button.Pressed, "#generate")
    def action_generate(self) -> None:
        self._generated = generate_password()
        self.query_one("#new-password", Input).value = self._generated
        self.query_one("#confirm-password", Input).value = self._generated
        self._check()
        self._show_generated()
        self.query_one("#generated-password").display = True
        self.query_one("#update", Button).focus()

    def _show_generated(self) -> None:
        self.query_one("#generated-password", Static).update(
            Content(
                _("New password: {password} (note it, then Update Password)").format(
                    password=self._generated
                )
            )
        )

    def relabel(self) -> None:
        """After a language switch: the policy's lines and the generated password's note."""
        self._check()
        if self._generated:
            self._show_generated()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
