"""My Profile: Your Details, and Reset password for your own account."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.widgets import Button, Label, Static

from hwb_tui.domain import rights
from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.text import safe_text
from hwb_tui.ui import styles
from hwb_tui.ui.screens.common import QuietScreen, UsesServices
from hwb_tui.ui.screens.password_dialog import ChosenPassword, PasswordDialog
from hwb_tui.ui.session import role_label
from hwb_tui.ui.widgets.app_footer import AppFooter
from hwb_tui.ui.widgets.title_bar import TitleBar


def field_grid(fields: list[tuple[str, str | None]], id: str) -> Grid:
    """Label and value pairs; values are stored text, so they are made safe and never markup."""
    return Grid(
        *(
            widget
            for name, value in fields
            for widget in (
                Label(Content(name), classes="field-name"),
                Label(Content(safe_text(value) or "-"), classes="field-value"),
            )
        ),
        id=id,
        classes="fields",
    )


class ProfileScreen(UsesServices, QuietScreen[None]):
    CSS_PATH = styles.DETAILS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reset_password", N_("Reset password"), id="profile.reset-password",
                tooltip=N_("Choose a new password for your own account")),
    ]  # fmt: skip

    def compose(self) -> ComposeResult:
        actor = self.session.actor
        yield TitleBar(id="title")
        with Vertical(id="profile"):
            yield Static(Content(_("Your Details")), classes="section-title")
            yield field_grid(
                [
                    (_("Name"), actor.display_name),
                    (_("Username"), actor.username),
                    (_("School"), actor.school_name or _("All schools")),
                    (_("Role"), role_label(actor)),
                ],
                id="your-details",
            )
            if rights.may_change_own_password(actor):
                yield Button(_("Reset password"), id="reset-password", compact=True)
            else:
                yield Static(
                    Content(
                        _(
                            "Primary school learners cannot change their own password. "
                            "Ask a member of staff at your school to reset it."
                        )
                    ),
                    id="why-no-reset",
                )
        yield AppFooter()

    def on_screen_resume(self) -> None:
        self.query_one(TitleBar).show(
            _("My Profile"), self.session.school_name, self.session.actor.display_name
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reset_password":
            return rights.may_change_own_password(self.session.actor)
        return True

    @on(Button.Pressed, "#reset-password")
    def action_reset_password(self) -> None:
        self.app.push_screen(
            PasswordDialog(_("Reset password"), self.session.actor.display_name),
            self._change_own,
        )

    def _change_own(self, chosen: ChosenPassword | None) -> None:
        if chosen is not None:
            self._save(chosen.password)

    @work(thread=True, exclusive=True, group="password")
    def _save(self, password: str) -> None:
        # Hashing is slow on purpose: it runs in a thread so the screen stays responsive.
        try:
            self.hwb.passwords.change_own(self.session.actor, password)
        except HwbError as error:
            self.app.call_from_thread(self.refuse, error)
        else:
            self.app.call_from_thread(
                self.notify,
                _("Your password was changed. Nobody, staff included, can see it."),
                markup=False,
            )
