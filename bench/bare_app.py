"""The start-up baseline: a bare Textual app with the same kinds of widgets as the learners
screen (a title, a search field, a line-drawn list of the school's 2,000 learners, a status
line and a footer), reading its rows with bare `sqlite3`. No services, no migrations check.

    python -m bench.bare_app DATABASE_FILE
"""

from __future__ import annotations

import sqlite3
import sys

from rich.segment import Segment
from textual.app import App, ComposeResult
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


class BareApp(App[None]):
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
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Rows).focus()


if __name__ == "__main__":
    BareApp(sys.argv[1]).run()
