"""An Input that sends nothing to the terminal while the user does nothing."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input


class QuietInput(Input):
    """No blinking cursor: a blink is ~2.3 KB/s on the wire for as long as the field has focus."""

    DEFAULT_CSS = """
    QuietInput {
        width: 1fr;
    }
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_blink = False
