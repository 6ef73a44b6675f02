"""Confirm it is you: the signed-in user's own password again, before a sensitive action.

The passwords service decides when it is needed (`requires_reauth`: not within the last few
minutes) and checks the password, throttled and audited like a sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import N_, _, retranslate
from hwb_tui.domain.text import safe_text
from hwb_tui.ui import styles
from hwb_tui.ui.screens.common import UsesServices
from hwb_tui.ui.widgets.quiet_input import QuietInput


class ConfirmIdentityDialog(UsesServices, ModalScreen[bool]):
    CSS_PATH = styles.DIALOGS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="confirm-identity.cancel",
                tooltip=N_("Go back without doing it")),
    ]  # fmt: skip

    def __init__(self, reason: str) -> None:
        super().__init__()
        self._reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-identity", classes="dialog"):
            yield Static(Content(_("Confirm it is you")), classes="dialog-title")
            yield Static(self._asking(), id="confirm-identity-asking")
            yield QuietInput(password=True, id="own-password", compact=True, max_length=200)
            yield Static(id="confirm-identity-message", markup=False)

    def on_mount(self) -> None:
        self.query_one("#own-password").focus()

    def _asking(self) -> Content:
        reason = retranslate(self._reason) or self._reason  # given in the language of the time
        return Content(
            _("{reason}: type the password of {username} first.").format(
                reason=reason, username=safe_text(self.session.actor.username)
            )
        )

    def relabel(self) -> None:
        """After a language switch: the sentence with the reason and the username in it."""
        self.query_one("#confirm-identity-asking", Static).update(self._asking())

    @on(Input.Submitted, "#own-password")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value:
            self._check(event.value)

    @work(thread=True, exclusive=True, group="confirm-identity")
    def _check(self, password: str) -> None:
        # argon2 is slow on purpose: check in a thread so the screen stays responsive.
        try:
            self.hwb.passwords.confirm_identity(self.session.actor, password)
        except HwbError as error:
            self.app.call_from_thread(self._refused, str(error))
        else:
            self.app.call_from_thread(self.dismiss, True)

    def _refused(self, reason: str) -> None:
        self.query_one("#own-password", Input).value = ""
        self.query_one("#confirm-identity-message", Static).update(safe_text(reason))

    def action_cancel(self) -> None:
        self.dismiss(False)


def after_confirming_identity(screen: UsesServices, reason: str, then: Callable[[], None]) -> None:
    """Do `then` at once if the user confirmed their password lately, else once they have."""
    if not screen.hwb.passwords.requires_reauth(screen.session.actor):
        then()
        return

    def confirmed(ok: bool | None) -> None:
        if ok:
            then()

    screen.app.push_screen(ConfirmIdentityDialog(reason), confirmed)
