"""Where a copied password goes: the local clipboard, or the user's terminal over SSH (OSC 52)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from textual.app import App

from hwb_tui.domain.i18n import _


class Clipboard(Protocol):
    def describe(self) -> str:
        """How the text was copied, for the notification."""

    def put(self, text: str) -> None: ...

    def holds(self, text: str) -> bool:
        """Whether it still holds what we put there: we never clear what the user copied since."""

    def clear(self) -> None: ...


class TerminalClipboard:
    """OSC 52: the terminal at the far end of SSH sets its own clipboard."""

    def __init__(self, app: App) -> None:
        self._app = app

    def describe(self) -> str:
        return _("through your terminal (OSC 52)")

    def put(self, text: str) -> None:
        self._app.copy_to_clipboard(text)

    def holds(self, text: str) -> bool:
        # The terminal's clipboard cannot be read back; Textual remembers what it last sent.
        return self._app.clipboard == text

    def clear(self) -> None:
        self._app.copy_to_clipboard("")


class LocalClipboard:
    """The desktop clipboard of the machine the app runs on (pyperclip)."""

    def describe(self) -> str:
        return _("to this computer's clipboard")

    def put(self, text: str) -> None:
        import pyperclip

        pyperclip.copy(text)

    def holds(self, text: str) -> bool:
        import pyperclip

        return pyperclip.paste() == text

    def clear(self) -> None:
        import pyperclip

        pyperclip.copy("")


def has_local_clipboard(env: Mapping[str, str]) -> bool:
    """A desktop session on this machine, not a login over SSH."""
    if env.get("SSH_CONNECTION") or env.get("SSH_CLIENT"):
        return False
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def choose_clipboard(app: App, env: Mapping[str, str]) -> Clipboard:
    if has_local_clipboard(env) and _pyperclip_works():
        return LocalClipboard()
    return TerminalClipboard(app)


def _pyperclip_works() -> bool:
    """A display alone is not enough: pyperclip also needs xclip, xsel or wl-clipboard."""
    import pyperclip

    try:
        pyperclip.paste()
    except pyperclip.PyperclipException:
        return False
    return True
