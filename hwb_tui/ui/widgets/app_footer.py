"""The footer every screen shows: compact, so the keys fit 80 columns."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel  # Footer's parts; not re-exported

from hwb_tui.domain.i18n import _


class AppFooter(Footer):
    """The command palette key is left out here; it is on the help screen (f1)."""

    DEFAULT_CSS = """
    AppFooter.-compact FooterLabel {
        margin: 0 1 0 0;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(compact=True, show_command_palette=False, **kwargs)

    def compose(self) -> ComposeResult:
        """Footer's keys, with the bindings' descriptions (message ids) in the current language;
        a language switch refreshes the bindings, which composes the footer again."""
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = _(widget.description) if widget.description else ""
                if isinstance(widget.tooltip, str) and widget.tooltip:
                    widget.tooltip = _(widget.tooltip)
            elif isinstance(widget, FooterLabel) and isinstance(widget.content, str):
                widget.update(_(widget.content))
            yield widget
