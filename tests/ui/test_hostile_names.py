"""Stored values are shown literally: never parsed as markup, never sent raw to the terminal."""

from __future__ import annotations

import pytest

from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.domain.text import safe_text
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.models import Account, School
from hwb_tui.ui.screens.user_details import UserDetailsScreen
from hwb_tui.ui.widgets.user_list import UserList
from tests.ui.conftest import screen_text, terminal_output

HOSTILE = (
    "[bold]x[/]",
    "[link=https://evil]x[/link]",
    "[@click=app.quit]x[/]",
    "\x1b]52;c;SGVsbG8=\x07",
    "\x1b[2J",
    "Ali\u202ecE",
)


@pytest.fixture
def hostile(ui_hwb: Hwb) -> list[str]:
    """Learners whose names are written straight into the database, past every service check."""
    school = School.get(School.code == "6614050")
    usernames = []
    for number, name in enumerate(HOSTILE):
        username = f"aaa.hostile{number}"
        Account.create(
            username=username,
            forename=name,
            surname=f"Aaa{name}",  # sorts first, so every one is on the first page
            kind=str(Kind.LEARNER),
            school=school,
            year="9",
            reg_group=name,
            admission_number=name,
            password_status=str(PasswordStatus.UNAVAILABLE),
        )
        usernames.append(username)
    return usernames


def assert_nothing_raw(output: str) -> None:
    assert "\x1b]" not in output  # no OSC (clipboard, hyperlinks, title)
    assert "\x07" not in output
    assert "\x1b[2J" not in output
    assert "\u202e" not in output


async def test_hostile_names_in_the_list_are_literal(make_app, hostile):
    app = make_app("teacher.demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first_page = app.screen.query_one(UserList).rows[:6]
        assert {row.username for row in first_page} == set(hostile)
        text = screen_text(app)
        for name in ("[bold]x[/]", "[link=https://evil]x[/link]", "[@click=app.quit]x[/]"):
            assert name[:20] in text  # columns crop long values; details show them whole
        assert safe_text("Ali\u202ecE") in text
        assert safe_text("\x1b[2J") in text
        assert_nothing_raw(terminal_output(app))
        await pilot.click(UserList, offset=(10, 3))  # a click on the [@click=...] row
        await pilot.pause()
        assert app.is_running


async def test_hostile_names_in_details_are_literal(make_app, hostile):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        usernames = [row.username for row in app.screen.query_one(UserList).rows]
        for username, name in zip(hostile, HOSTILE, strict=True):
            await pilot.press("home", *["down"] * usernames.index(username), "enter")
            await pilot.pause()
            assert isinstance(app.screen, UserDetailsScreen)
            text = screen_text(app)
            assert text.count(safe_text(name)) >= 3  # forename, reg group, admission number
            assert_nothing_raw(terminal_output(app))
            await pilot.press("escape")
            await pilot.pause()
