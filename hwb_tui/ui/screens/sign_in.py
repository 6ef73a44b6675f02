"""Sign in: username and masked password; on a demo database, the demo sign-ins are listed."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Label, Static

from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import _
from hwb_tui.domain.model import Actor
from hwb_tui.domain.text import safe_text
from hwb_tui.ui import styles
from hwb_tui.ui.screens.common import EnterMovesOn, QuietScreen, UsesServices
from hwb_tui.ui.widgets.app_footer import AppFooter
from hwb_tui.ui.widgets.quiet_input import QuietInput
from hwb_tui.ui.widgets.title_bar import TitleBar


class SignInScreen(EnterMovesOn, UsesServices, QuietScreen[Actor]):
    CSS_PATH = styles.SIGN_IN
    BINDINGS: ClassVar[list[BindingType]] = [EnterMovesOn.enter_moves_on("sign-in")]
    ENTER_MOVES_ON: ClassVar[dict[str, str]] = {"username": "password"}

    def compose(self) -> ComposeResult:
        yield TitleBar(_("Hwb User Management Portal"), _("Sign in"))
        with Horizontal(id="sign-in-body"):
            with Vertical(id="sign-in-form"):
                yield Label(_("Username"))
                yield QuietInput(id="username", max_length=100)
                yield Label(_("Password"))
                yield QuietInput(id="password", password=True, max_length=200)
                yield Button(_("Sign in"), id="sign-in", variant="primary")
                yield Static(id="sign-in-message", markup=False)
            demo = self.hwb.demo.sign_ins()
            if demo:
                yield Static(self._demo_hint(demo), id="demo-sign-ins")
        yield AppFooter()

    @staticmethod
    def _demo_hint(sign_ins) -> Content:
        lines = [_("Demo database: sign in as any of these"), ""]
        lines += [f"{safe_text(s.username):<15} {_(s.role)}" for s in sign_ins]
        lines += ["", _("Password for all: {password}").format(password=sign_ins[0].password)]
        return Content("\n".join(lines))

    def relabel(self) -> None:
        """After a language switch: the demo sign-ins, whose roles are in the hint's lines."""
        demo = self.hwb.demo.sign_ins()
        if demo:
            self.query_one("#demo-sign-ins", Static).update(self._demo_hint(demo))

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#sign-in")
    def _submit(self) -> None:
        username = self.query_one("#username", Input).value
        password = self.query_one("#password", Input).value
        if not username or not password:
            self._say(_("Type your username and your password."))
            return
        self.query_one("#sign-in", Button).disabled = True
        self._say(_("Signing in…"))
        self._sign_in(username, password)

    @work(thread=True, exclusive=True)
    def _sign_in(self, username: str, password: str) -> None:
        # argon2 is slow on purpose: verify in a thread so the screen stays responsive.
        try:
            actor = self.hwb.passwords.sign_in(username, password)
        except HwbError as error:
            self.app.call_from_thread(self._failed, str(error))
        else:
            self.app.call_from_thread(self.dismiss, actor)

    def _failed(self, message: str) -> None:
        self._say(message)
        self.query_one("#sign-in", Button).disabled = False
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()

    def _say(self, message: str) -> None:
        self.query_one("#sign-in-message", Static).update(Content(safe_text(message)))
