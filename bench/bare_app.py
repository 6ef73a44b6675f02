"""The start-up baseline: a bare Textual app with the same kinds of widgets as the learners
screen (a title, a search field, a line-drawn list of the school's 2,000 learners, a status
line and a footer showing the same keys), reading its rows with bare `sqlite3`. No services,
no migrations check.

    python -m bench.bare_app DATABASE_FILE
"""

from __future__ import annotations

import sqlite3
import sys
from typing import ClassVar

from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Input, Label, Static


class Rows(Widget, can_focus=True):
    DEFAULT_CSS = "Rows { height: 1fr; }"

    def __init__(self, rows: list[tuple]) -> None:
        super().__init__()
        self.rows = rows

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y >= len(self.rows):
            return Strip.blank(width)
        text = " ".join(f"{cell or '':<20}" for cell in self.rows[y])
        return Strip([Segment(text[:width].ljust(width), self.rich_style)], width)


SCREENS = Binding.Group("Screens", compact=True)


class BareApp(App[None]):
    # The keys the app's footer shows on a teacher's learners list, each doing nothing here
    # (a footer shows one key per action).
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("slash", "nothing('search')", "Search"),
        Binding("enter", "nothing('details')", "Details"),
        Binding("c", "nothing('copy')", "Copy"),
        Binding("r", "nothing('reset')", "Reset"),
        *(Binding(key, f"nothing('{key}')", "Screens", group=SCREENS) for key in "126"),
        Binding("f1", "nothing('help')", "Help"),
        Binding("f2", "nothing('language')", "Cymraeg"),
    ]

    def __init__(self, path: str) -> None:
        super().__init__()
        connection = sqlite3.connect(path)
        self.rows = connection.execute(
            "SELECT forename, surname, username, year, reg_group, password_status FROM account "
            "WHERE school_id = 1 AND kind = 'learner' ORDER BY surname, forename, username"
        ).fetchall()
        connection.close()

    def compose(self) -> ComposeResult:
        yield Static("View Learners")
        with Horizontal(classes="search"):
            yield Label("Search term")
            yield Input(compact=True)
        yield Rows(self.rows)
        yield Static(f"{len(self.rows)} learners")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(Rows).focus()

    def action_nothing(self, name: str) -> None:
        pass


if __name__ == "__main__":
    BareApp(sys.argv[1]).run()
