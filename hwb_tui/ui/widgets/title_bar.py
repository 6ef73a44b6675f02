"""The one-line title of every screen: where you are, for which school, as whom."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from hwb_tui.domain.i18n import retranslate
from hwb_tui.domain.text import safe_text


class TitleBar(Static):
    """Stored names are shown literally (Content, never markup) and made safe first."""

    DEFAULT_CSS = """
    TitleBar {
        height: 1;
        width: 1fr;
        background: $primary;
        color: $text;
        text-style: bold;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *parts: str, id: str | None = None) -> None:
        super().__init__(self._content(parts), id=id)
        self._parts = parts

    def show(self, *parts: str) -> None:
        self._parts = parts
        self.update(self._content(parts))

    def relabel(self) -> None:
        """After a language switch: the parts that are messages in the new language."""
        self.show(*(retranslate(part) or part for part in self._parts))

    @staticmethod
    def _content(parts: tuple[str, ...]) -> Content:
        return Content(" · ".join(safe_text(part) for part in parts if part))
