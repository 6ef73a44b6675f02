"""The user list: a Line API widget that repaints only what changed.

Textual's DataTable repaints the whole table whenever it scrolls by a row and on mouse moves,
about 12.5 KB at 120x40. This list scrolls a page at a time and, when the highlight moves
within the page, refreshes just the two lines involved; over a slow SSH link that is the
difference between a usable list and a sluggish one.

It holds a window of a few hundred rows, not the whole list: rows come a chunk at a time from
a keyset-paged source (the service's `Users.page`), so a list of any length costs the same
memory and each chunk one indexed query.

The highlighted row shows its password in place of "Show password" while it is highlighted
and the list has focus (or the mouse is over it); moving away hides it again. The password
comes from a callback supplied by the screen, which goes through the audited service.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from hwb_tui.domain.i18n import N_, NC_, _, pgettext
from hwb_tui.domain.model import STATUS_LABELS, PasswordStatus, UserSummary
from hwb_tui.domain.paging import Page, PageKey
from hwb_tui.domain.text import safe_text

PASSWORD_WIDTH = 22  # "User changed password" and a space
MIN_FLEXIBLE_WIDTH = 6

RevealPassword = Callable[[UserSummary], str | None]
# The rows just after a key (the list's first rows for None), or just before it when backwards.
FetchPage = Callable[[PageKey | None, bool], Page]
CHUNK = 200  # rows fetched at a time
WINDOW = 3 * CHUNK  # rows held at most
SELECTED_MARK = "✓"  # in the gutter before a ticked row's first column


@dataclass(frozen=True, slots=True)
class Column:
    title: str  # marked with N_, translated when drawn
    value: Callable[[UserSummary], str | None]
    width: int | None = None  # None: shares the width the fixed columns leave


# Headers have their own translations (a context): in Welsh some must be shorter than the same
# word as a field label to fit their column ("Bl." for Blwyddyn). Extraction needs the context
# written out in each NC_; HEADER is the same text for pgettext.
HEADER = "column header"
FORENAME = Column(NC_("column header", "Forename"), lambda user: user.forename)
SURNAME = Column(NC_("column header", "Surname"), lambda user: user.surname)
USERNAME = Column(NC_("column header", "Username"), lambda user: user.username)
YEAR = Column(NC_("column header", "Year"), lambda user: user.year, width=4)
REG_GROUP = Column(NC_("column header", "Reg group"), lambda user: user.reg_group, width=9)


def _end(user: UserSummary) -> str | None:
    """A non-MIS account's last day, or that it has passed (it can no longer sign in)."""
    if user.expired:
        return _("expired")
    return user.ends_on.strftime("%d/%m/%Y") if user.ends_on else None


ENDS = Column(NC_("column header", "Ends"), _end, width=14)  # "wedi dod i ben" in Welsh

LEARNER_COLUMNS = (FORENAME, SURNAME, USERNAME, YEAR, REG_GROUP)
NON_MIS_COLUMNS = (FORENAME, SURNAME, USERNAME, ENDS)
OTHER_COLUMNS = (FORENAME, SURNAME, USERNAME)


class UserList(Widget, can_focus=True):
    """Rows of users with a highlight; line 0 is the column header."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "user-list--header",
        "user-list--cursor",
        "user-list--cursor-blurred",
        "user-list--password",
    }

    DEFAULT_CSS = """
    UserList {
        height: 1fr;
        width: 1fr;
        background: $surface;
        color: $foreground;
        & > .user-list--header { text-style: bold; color: $text-primary; }
        & > .user-list--cursor { background: $block-cursor-background;
                                  color: $block-cursor-foreground; }
        & > .user-list--cursor-blurred { background: $block-cursor-blurred-background; }
        & > .user-list--password { text-style: bold; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", N_("Up"), show=False, id="users.cursor-up",
                tooltip=N_("Highlight the user above")),
        Binding("down", "move(1)", N_("Down"), show=False, id="users.cursor-down",
                tooltip=N_("Highlight the user below")),
        Binding("pageup", "page(-1)", N_("Page up"), show=False, id="users.page-up",
                tooltip=N_("Show the previous page of users")),
        Binding("pagedown", "page(1)", N_("Page down"), show=False, id="users.page-down",
                tooltip=N_("Show the next page of users")),
        Binding("home", "first", N_("First"), show=False, id="users.first",
                tooltip=N_("Highlight the first user")),
        Binding("end", "last", N_("Last"), show=False, id="users.last",
                tooltip=N_("Highlight the last user")),
    ]  # fmt: skip

    @dataclass
    class Chosen(Message):
        """The user asked for a row's details (double click)."""

        user: UserSummary

    def __init__(
        self,
        columns: Sequence[Column],
        reveal: RevealPassword,
        *,
        empty_text: str = "",
        window: int = WINDOW,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._window = window
        self._columns = tuple(columns)
        self._reveal = reveal
        self._empty_text = empty_text
        self._fetch: FetchPage | None = None
        self._rows: tuple[UserSummary, ...] = ()  # the window: consecutive rows of the list
        self._has_before = False  # the list goes on above the window
        self._has_after = False  # ... and below it
        self._cursor = 0
        self._top = 0
        self._revealed: str | None = None  # the highlighted row's password, while shown
        self._mouse_inside = False
        self._widths: tuple[int, tuple[int, ...]] = (-1, ())
        self._selected: set[str] = set()  # ticked usernames, kept across searches

    # -- what the screen reads and sets --------------------------------------------------------

    @property
    def rows(self) -> tuple[UserSummary, ...]:
        return self._rows

    @property
    def highlighted(self) -> UserSummary | None:
        return self._rows[self._cursor] if self._rows else None

    @property
    def revealed_password(self) -> str | None:
        return self._revealed

    @property
    def is_whole_list(self) -> bool:
        """The window holds every row of the list (so its length is the list's)."""
        return not (self._has_before or self._has_after)

    def show(self, fetch: FetchPage) -> None:
        """Show another list (a new search, another school) from its first rows."""
        self._fetch = fetch
        self._set_window(fetch(None, False), cursor=0)

    def reload(self) -> None:
        """Read the list again where it is, keeping the highlighted user (statuses change)."""
        if self._fetch is None:
            return
        key = PageKey.of(self.highlighted) if self.highlighted else None
        if key is None:
            self.show(self._fetch)
            return
        before = self._fetch(key, True)
        after = self._fetch(before.last_key, False)  # from the highlighted row on
        self._set_window(
            Page(before.rows + after.rows, before.has_before, after.has_after),
            cursor=len(before.rows),
            line=self._cursor - self._top,  # the row stays where it was on the screen
        )

    def _set_window(self, page: Page, cursor: int, line: int = 0) -> None:
        self._rows, self._has_before, self._has_after = page.rows, page.has_before, page.has_after
        self._cursor = max(0, min(cursor, len(self._rows) - 1))
        self._top = max(0, self._cursor - line)
        self._revealed = None
        self._reveal_highlighted()
        self.refresh()

    def _extend(self, backwards: bool) -> int:
        """Fetch the next chunk beyond the window's edge and drop rows from the far edge;
        how far the rows already held moved (a window index plus this is the same row)."""
        assert self._fetch is not None
        if backwards:
            page = self._fetch(PageKey.of(self._rows[0]), True)
            self._rows, self._has_before = page.rows + self._rows, page.has_before
            if len(self._rows) > self._window:
                self._rows, self._has_after = self._rows[: self._window], True
            return len(page.rows)
        page = self._fetch(PageKey.of(self._rows[-1]), False)
        self._rows, self._has_after = self._rows + page.rows, page.has_after
        dropped = max(0, len(self._rows) - self._window)
        if dropped:
            self._rows, self._has_before = self._rows[dropped:], True
        return -dropped

    # -- ticking rows (Selected Users) ---------------------------------------------------------

    @property
    def selected(self) -> tuple[str, ...]:
        return tuple(sorted(self._selected))

    def toggle_selected(self) -> None:
        user = self.highlighted
        if user is not None:
            self._selected ^= {user.username}
            self._refresh_rows(self._cursor)

    def clear_selection(self) -> None:
        self._selected.clear()
        self.refresh()

    # -- moving the highlight ------------------------------------------------------------------

    @property
    def page_size(self) -> int:
        return max(1, self.size.height - 1)

    def action_move(self, step: int) -> None:
        self.move_to(self._cursor + step)

    def action_page(self, pages: int) -> None:
        self.move_to(self._cursor + pages * self.page_size)

    def action_first(self) -> None:
        if self._has_before and self._fetch is not None:
            self._set_window(self._fetch(None, False), cursor=0)
        else:
            self.move_to(0)

    def action_last(self) -> None:
        if self._has_after and self._fetch is not None:
            last = self._fetch(None, True)
            self._set_window(last, cursor=len(last.rows) - 1, line=self.page_size - 1)
        else:
            self.move_to(len(self._rows) - 1)

    def move_to(self, index: int) -> None:
        if not self._rows:
            return
        shift = 0
        if index >= len(self._rows) and self._has_after:
            shift = self._extend(backwards=False)
        elif index < 0 and self._has_before:
            shift = self._extend(backwards=True)
        previous = self._cursor + shift
        index = max(0, min(index + shift, len(self._rows) - 1))
        self._top = max(0, self._top + shift)
        if index == previous and not shift:
            return
        self._cursor = index
        self._revealed = None
        page_turned = self._scroll_to_cursor() or bool(shift)
        self._reveal_highlighted()
        if page_turned:
            self.refresh()
        else:
            self._refresh_rows(previous, index)

    def _scroll_to_cursor(self) -> bool:
        """Page-wise: the view jumps a whole page, so a scroll repaints once per page."""
        size = self.page_size
        top = self._top
        if self._cursor < top:
            top = max(0, self._cursor - size + 1)  # the previous page ends at the highlight
        elif self._cursor >= top + size:
            top = min(self._cursor, max(0, len(self._rows) - size))  # the next page
        turned = top != self._top
        self._top = top
        return turned

    def _refresh_rows(self, *indexes: int) -> None:
        width = self.size.width
        self.refresh(*(Region(0, index - self._top + 1, width, 1) for index in indexes))

    # -- revealing -----------------------------------------------------------------------------

    @property
    def _revealing(self) -> bool:
        return self.has_focus or self._mouse_inside

    def _reveal_highlighted(self) -> None:
        user = self.highlighted
        if user is not None and self._revealing and user.status is PasswordStatus.AVAILABLE:
            self._revealed = self._reveal(user)

    def _hide(self) -> None:
        if self._revealed is not None:
            self._revealed = None
            self._refresh_rows(self._cursor)

    # Widget's own focus handlers repaint the whole list (~8 KB at 120x40) though only the
    # highlighted row looks different; these do what they do but repaint only that row.
    def _on_focus(self, event: events.Focus) -> None:
        event.prevent_default()
        self.has_focus = True
        if self._revealed is None:  # still shown under the mouse: no second (audited) reveal
            self._reveal_highlighted()
        self._refresh_rows(self._cursor)
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def _on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        if not self._mouse_inside:
            self._revealed = None
        self._refresh_rows(self._cursor)
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_to_cursor()

    # -- the mouse -----------------------------------------------------------------------------

    def _row_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return None
        index = self._top + offset.y - 1
        return index if index < len(self._rows) else None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._row_at(event)
        if not self._mouse_inside:
            self._mouse_inside = True
            if index is None or index == self._cursor:
                self._reveal_highlighted()
                self._refresh_rows(self._cursor)
        if index is not None:
            self.move_to(index)

    def on_leave(self, event: events.Leave) -> None:
        self._mouse_inside = False
        if not self.has_focus:
            self._hide()

    def on_click(self, event: events.Click) -> None:
        index = self._row_at(event)
        if index is None:
            return
        self.focus()
        self.move_to(index)
        if event.chain == 2 and self.highlighted is not None:
            self.post_message(self.Chosen(self.highlighted))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.action_page(1)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.action_page(-1)

    # -- drawing -------------------------------------------------------------------------------

    def _column_widths(self, width: int) -> tuple[int, ...]:
        if self._widths[0] != width:
            fixed = sum(column.width or 0 for column in self._columns)
            flexible = [column for column in self._columns if column.width is None]
            gaps = len(self._columns) + 1  # a space before every column and the password
            spare = max(0, width - fixed - PASSWORD_WIDTH - gaps)
            share = max(MIN_FLEXIBLE_WIDTH, spare // max(1, len(flexible)))
            self._widths = (
                width,
                tuple(column.width or share for column in self._columns),
            )
        return self._widths[1]

    def _line(
        self, cells: Sequence[str], width: int, style: Style, last_style: Style, mark: str = " "
    ) -> Strip:
        """The columns in `style`, then the password cell (the last one) in `last_style`;
        `mark` fills the gutter before the first column."""
        widths = self._column_widths(width)
        # The space before the password cell stays in the first segment, so a styled password
        # starts exactly where the column does (SVG exports place each segment on its own).
        text = mark + "".join(
            set_cell_size(cell, cell_width) + " "
            for cell, cell_width in zip(cells[:-1], widths, strict=True)
        )
        rest = max(0, width - sum(widths) - len(widths) - 1)
        segments = [Segment(text, style), Segment(set_cell_size(cells[-1], rest), last_style)]
        return Strip(segments, width).crop(0, width)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            header = base + self.get_component_rich_style("user-list--header")
            titles = [pgettext(HEADER, column.title) for column in self._columns] + [_("Password")]
            return self._line(titles, width, header, header)
        index = self._top + y - 1
        if not self._rows and y == 1:
            return Strip([Segment(set_cell_size(" " + self._empty_text, width), base)], width)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        user = self._rows[index]
        style = base
        if index == self._cursor:
            cursor = "user-list--cursor" if self.has_focus else "user-list--cursor-blurred"
            style = base + self.get_component_rich_style(cursor)
        cells = [safe_text(column.value(user)) for column in self._columns]
        if index == self._cursor and self._revealed is not None:
            cells.append(safe_text(self._revealed))
            password_style = style + self.get_component_rich_style(
                "user-list--password", partial=True
            )
        else:
            cells.append(_(STATUS_LABELS[user.status]))
            password_style = style
        mark = SELECTED_MARK if user.username in self._selected else " "
        return self._line(cells, width, style, password_style, mark)
