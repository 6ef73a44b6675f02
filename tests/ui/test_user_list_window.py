"""The list widget holds a window of rows, not the list: moving through a long list by keys."""

from __future__ import annotations

from textual.app import App, ComposeResult

from hwb_tui.domain.model import Kind, PasswordStatus, UserSummary
from hwb_tui.domain.paging import Page, PageKey
from hwb_tui.ui.widgets.user_list import OTHER_COLUMNS, UserList

CHUNK, WINDOW = 10, 30


def people(count: int) -> list[UserSummary]:
    return [
        UserSummary(
            id=n,
            username=f"user{n:04d}",
            forename="Alun",
            surname=f"Surname{n:04d}",
            kind=Kind.STAFF,
            school_id=1,
            school_name="Ysgol",
            year=None,
            reg_group=None,
            status=PasswordStatus.UNAVAILABLE,
        )
        for n in range(count)
    ]


class KeysetList:
    """Pages of an in-memory list by key, as the service pages the database."""

    def __init__(self, rows: list[UserSummary]) -> None:
        self.rows = rows
        self.fetches = 0

    def __call__(self, key: PageKey | None, backwards: bool) -> Page:
        self.fetches += 1
        keys = [PageKey.of(row) for row in self.rows]
        if backwards:
            end = len(self.rows) if key is None else keys.index(key)
            start = max(0, end - CHUNK)
        else:
            start = 0 if key is None else keys.index(key) + 1
            end = min(len(self.rows), start + CHUNK)
        return Page(tuple(self.rows[start:end]), start > 0, end < len(self.rows))


class ListApp(App):
    def __init__(self, source: KeysetList) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        yield UserList(OTHER_COLUMNS, lambda user: None, window=WINDOW)

    def on_mount(self) -> None:
        listing = self.query_one(UserList)
        listing.show(self.source)
        listing.focus()


async def test_down_through_a_long_list_and_back_holding_a_window():
    source = KeysetList(people(95))
    app = ListApp(source)
    async with app.run_test(size=(80, 12)) as pilot:
        listing = app.query_one(UserList)
        seen = [listing.highlighted.username]
        for _ in range(100):
            await pilot.press("down")
            seen.append(listing.highlighted.username)
            assert len(listing.rows) <= WINDOW
        assert seen[:95] == [row.username for row in source.rows]
        assert seen[95:] == ["user0094"] * 6  # the end of the list stops the highlight
        for _ in range(94):
            await pilot.press("up")
            assert len(listing.rows) <= WINDOW
        assert listing.highlighted.username == "user0000"
        assert not listing.is_whole_list


async def test_end_home_and_pages():
    source = KeysetList(people(95))
    app = ListApp(source)
    async with app.run_test(size=(80, 12)) as pilot:
        listing = app.query_one(UserList)
        await pilot.press("end")
        assert listing.highlighted.username == "user0094"
        await pilot.press("home")
        assert listing.highlighted.username == "user0000"
        await pilot.press("pagedown", "pagedown")
        assert listing.highlighted.username == f"user{2 * listing.page_size:04d}"
        await pilot.press("pageup")
        assert listing.highlighted.username == f"user{listing.page_size:04d}"


async def test_reload_keeps_the_highlighted_user_deep_in_the_list():
    source = KeysetList(people(95))
    app = ListApp(source)
    async with app.run_test(size=(80, 12)) as pilot:
        listing = app.query_one(UserList)
        await pilot.press(*["down"] * 57)
        line = listing._cursor - listing._top
        listing.reload()
        assert listing.highlighted.username == "user0057"
        assert listing._cursor - listing._top == line  # it stays where it was on screen
        assert len(listing.rows) <= 2 * CHUNK


async def test_a_short_list_is_held_whole():
    source = KeysetList(people(7))
    app = ListApp(source)
    async with app.run_test(size=(80, 12)):
        listing = app.query_one(UserList)
        assert listing.is_whole_list and len(listing.rows) == 7
