"""The footer every screen shows: compact, so the keys fit 80 columns."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class AppFooter(Footer):
    """The command palette key is left out here; it is on the help screen (f1)."""

    DEFAULT_CSS = """
    AppFooter.-compact FooterLabel {
        margin: 0 1 0 0;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(compact=True, show_command_palette=False, **kwargs)
