"""The idle lock: after a while without a key (15 minutes by default, HWB_IDLE_LOCK_SECONDS),
every screen is hidden behind a prompt for the signed-in user's password.

Locking clears what could show a password: notifications, open dialogs (a generated password
waiting to be noted is cancelled, not applied) and the app's clipboard copy. A session opened by
the forced command (`--as`) locks the same way; the password it asks for is the user's own.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, Static

from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import _
from hwb_tui.domain.model import Actor
from hwb_tui.domain.text import safe_text
from hwb_tui.ui import styles
from hwb_tui.ui.widgets.quiet_input import QuietInput

if TYPE_CHECKING:
    from hwb_tui.services.hwb import Hwb
    from hwb_tui.ui.clipboard import Clipboard
    from hwb_tui.ui.session import Session

# The check runs this often at most, so a lock comes at most this late.
LONGEST_CHECK_INTERVAL_SECONDS = 15.0


class LockScreen(Screen[None]):
    """Opaque: nothing of the screens below shows. Dismissed only by the right password."""

    CSS_PATH = styles.DIALOGS

    def __init__(self, hwb: Hwb, actor: Actor, idle_seconds: int) -> None:
        super().__init__()
        self._hwb = hwb
        self._actor = actor
        self._idle_seconds = idle_seconds

    def compose(self) -> ComposeResult:
        minutes = max(1, round(self._idle_seconds / 60))
        with Vertical(id="lock-form", classes="dialog"):
            yield Label(_("hwb-tui is locked"))
            yield Static(
                Content(
                    _(
                        "Locked after {minutes} minutes without a key. Type the password of "
                        "{username} to go on, or press ctrl+q to leave."
                    ).format(minutes=minutes, username=safe_text(self._actor.username))
                )
            )
            yield QuietInput(id="unlock-password", password=True, max_length=200)
            yield Static(id="unlock-message", markup=False)

    @on(Input.Submitted, "#unlock-password")
    def _submit(self, event: Input.Submitted) -> None:
        if event.value:
            event.input.disabled = True
            self._confirm(event.value)

    @work(thread=True, exclusive=True)
    def _confirm(self, password: str) -> None:
        # argon2 is slow on purpose; a wrong password counts as a failed sign-in (throttled).
        try:
            self._hwb.passwords.confirm_identity(self._actor, password)
        except HwbError as error:
            self.app.call_from_thread(self._refused, str(error))
        else:
            self.app.call_from_thread(self.dismiss, None)

    def _refused(self, message: str) -> None:
        self.query_one("#unlock-message", Static).update(Content(safe_text(message)))
        password = self.query_one("#unlock-password", Input)
        password.value = ""
        password.disabled = False
        password.focus()


class IdleLock:
    """Mixed into the app (before App): call `start_idle_lock()` once mounted, and refuse every
    app action but quitting while `is_locked`."""

    hwb: Hwb  # these three come from the app
    session: Session | None
    _password_clipboard: Clipboard | None
    _lock_screen: LockScreen | None = None
    _last_key_at: float = 0.0

    @property
    def is_locked(self) -> bool:
        return self._lock_screen is not None

    def start_idle_lock(self) -> None:
        self._last_key_at = time.monotonic()
        idle = self.hwb.settings.security.idle_lock_seconds
        if idle > 0:
            self.set_interval(min(idle / 4, LONGEST_CHECK_INTERVAL_SECONDS), self._lock_if_idle)

    async def on_event(self, event: events.Event) -> None:
        # The app sees every key before the screens do, so one place notices them all.
        if isinstance(event, (events.Key, events.MouseDown)):
            self._last_key_at = time.monotonic()
        await super().on_event(event)  # type: ignore[misc]

    async def _lock_if_idle(self) -> None:
        idle = self.hwb.settings.security.idle_lock_seconds
        if self.is_locked or self.session is None:
            return
        if time.monotonic() - self._last_key_at >= idle:
            await self.lock()

    async def lock(self) -> None:
        """Hide everything behind the password prompt now."""
        assert self.session is not None
        self.clear_notifications()
        if self._password_clipboard is not None:
            self._password_clipboard.clear()
        while len(self.screen_stack) > 1 and isinstance(self.screen, ModalScreen):
            await self.screen.dismiss(None)
        idle = self.hwb.settings.security.idle_lock_seconds
        self._lock_screen = LockScreen(self.hwb, self.session.actor, idle)
        await self.push_screen(self._lock_screen, self._unlocked)

    def _unlocked(self, _result: Any) -> None:
        self._lock_screen = None
        self._last_key_at = time.monotonic()
