"""What every screen and dialog shares: the services, the session, and explaining refusals."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.binding import Binding
from textual.reactive import Reactive
from textual.screen import Screen, ScreenResultType

from hwb_tui.domain import rights
from hwb_tui.domain.errors import HwbError, PermissionDenied
from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.model import Target
from hwb_tui.domain.text import safe_text

if TYPE_CHECKING:
    from textual.widget import Widget

    from hwb_tui.services.hwb import Hwb
    from hwb_tui.ui.app import HwbApp
    from hwb_tui.ui.screens.password_dialog import ChosenPassword
    from hwb_tui.ui.session import Session


class QuietScreen(Screen[ScreenResultType]):
    """A screen that is not repainted whole when the focus moves.

    Textual repaints the entire screen on every focus change (~9 KB at 120x40, e.g. for `/`
    into the search field). The widgets that gain and lose the focus repaint themselves, so
    the rest of the screen need not be sent again over a slow link.
    """

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)


class EnterMovesOn:
    """Mixed into a form's screen: Enter in a field named in `ENTER_MOVES_ON` moves the focus to
    the field named beside it, as the key arrives.

    Keys that come in one burst (a password manager's auto-type, or what a slow SSH link
    delivers at once) are all routed to the focused field before it has handled any of them.
    Moving the focus when the field's Input.Submitted arrives would be too late: the password
    typed after Enter would already be in the username field, in plain sight. The screen binds
    Enter with `enter_moves_on`, a priority binding, which runs before the next key is routed;
    elsewhere on the screen Enter does what it always does.
    """

    ENTER_MOVES_ON: ClassVar[dict[str, str]] = {}
    focused: Widget | None  # provided by the Screen this is mixed into

    @staticmethod
    def enter_moves_on(screen_id: str) -> Binding:
        return Binding("enter", "next_field", N_("Next field"), id=f"{screen_id}.next-field",
                       priority=True, show=False,
                       tooltip=N_("Move from this field to the next"))  # fmt: skip

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        if action == "next_field":
            return self._next_field_id() is not None
        return super().check_action(action, parameters)  # type: ignore[misc]

    def action_next_field(self) -> None:
        # set_focus at once: Widget.focus() would wait for the keys already routed.
        self.set_focus(self.query_one(f"#{self._next_field_id()}"))  # type: ignore[attr-defined]

    def _next_field_id(self) -> str | None:
        focused = self.focused
        return self.ENTER_MOVES_ON.get(focused.id or "") if focused is not None else None


class UsesServices:
    """Mixed into screens: `hwb`, `session` and `refuse` without importing the app at runtime."""

    app: HwbApp  # provided by the Screen this is mixed into

    @property
    def hwb_app(self) -> HwbApp:
        return self.app

    @property
    def hwb(self) -> Hwb:
        return self.hwb_app.hwb

    @property
    def session(self) -> Session:
        session = self.hwb_app.session
        assert session is not None, "screens past sign-in always have a session"
        return session

    def refuse(self, error: HwbError) -> None:
        """A refused action explains itself with the domain error's own message."""
        self.app.notify(safe_text(str(error)), severity="error", markup=False)

    # -- dimmed keys say why ---------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """Textual ignores the key of a dimmed binding; say why instead of staying silent."""
        for binding in self._bindings.key_to_bindings.get(event.key, ()):  # type: ignore[attr-defined]
            action = binding.action.partition("(")[0]
            if self.check_action(action, ()) is None:  # type: ignore[attr-defined]
                event.stop()
                self.explain_dimmed(action)
                return

    def explain_dimmed(self, action: str) -> None:
        """Screens that dim a key for a reason of their own say more."""
        self.app.notify(_("That is not available here."), severity="warning", markup=False)

    def explain_rights(self, action: rights.Action, target: Target) -> None:
        """The rules table's own words for what this user may not do to that account."""
        try:
            rights.require(self.session.actor, action, target)
        except PermissionDenied as error:
            self.refuse(error)

    # -- resetting someone else's password (Manage User › Reset Password) -----------------------

    def reset_password_of(self, username: str, name: str) -> None:
        """Ask for the new password, then reset it through the service."""
        from hwb_tui.ui.screens.password_dialog import PasswordDialog  # imported when first used

        self.app.push_screen(
            PasswordDialog(_("Reset Password"), f"{name} ({username})"),
            partial(self._reset_chosen, username),
        )

    def _reset_chosen(self, username: str, chosen: ChosenPassword | None) -> None:
        if chosen is not None:
            self._reset(username, chosen)

    @work(thread=True, group="password")
    def _reset(self, username: str, chosen: ChosenPassword) -> None:
        # Hashing is slow on purpose: it runs in a thread so the screen stays responsive.
        try:
            result = self.hwb.passwords.reset(
                self.session.actor, username, chosen.password, generated=chosen.generated
            )
        except HwbError as error:
            self.app.call_from_thread(self.refuse, error)
        else:
            self.app.call_from_thread(self.password_was_reset, result.username)

    def password_was_reset(self, username: str) -> None:
        self.app.notify(
            _("The password of {username} was reset.").format(username=safe_text(username)),
            markup=False,
        )
