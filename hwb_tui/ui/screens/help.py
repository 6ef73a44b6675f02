"""The keys: every binding active where f1 was pressed, with what it does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from hwb_tui.domain.i18n import N_, _
from hwb_tui.ui import styles


class HelpScreen(ModalScreen[None]):
    CSS_PATH = styles.DIALOGS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1", "close", N_("Close"), id="help.close",
                tooltip=N_("Close the help")),
    ]  # fmt: skip

    def __init__(self, keys: Sequence[tuple[str, str, str]]) -> None:
        """keys: (key as shown, what it does, longer explanation)."""
        super().__init__()
        self._keys = tuple(keys)

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog"):
            yield Static(Content(_("Keys")), classes="dialog-title")
            with VerticalScroll(id="help-keys"):
                for key, description, tooltip in self._keys:
                    yield Static(Content(key), classes="help-key")
                    yield Static(Content(description), classes="help-description")
                    yield Static(Content(tooltip), classes="help-tooltip")
            yield Static(Content(_("Press escape to close.")), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss()
