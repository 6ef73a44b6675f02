"""Signing in: masked password, a failure that does not say which part was wrong, demo hints."""

from __future__ import annotations

import contextlib

import pytest
from textual.widgets import Input, Static
from textual.worker import WorkerCancelled

from hwb_tui.ui.screens.profile import ProfileScreen
from hwb_tui.ui.screens.sign_in import SignInScreen
from hwb_tui.ui.screens.users import UsersScreen
from tests.ui.conftest import screen_text, send_burst


def _message(app) -> str:
    return str(app.screen.query_one("#sign-in-message", Static).content)


async def _type_credentials(pilot, username: str, password: str) -> None:
    app = pilot.app
    app.screen.query_one("#username", Input).value = ""
    app.screen.query_one("#password", Input).value = ""
    app.screen.query_one("#username").focus()
    await pilot.pause()
    await pilot.press(*username, "enter")
    await pilot.pause()
    await pilot.press(*password, "enter")
    await _settled(pilot)


async def _settled(pilot) -> None:
    await pilot.pause()
    # A sign-in that succeeds dismisses its screen from the worker, which cancels the screen's
    # workers, this one included if it has not yet returned: a race, not a fault.
    with contextlib.suppress(WorkerCancelled):
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("between", ["\t", "\r"], ids=["tab", "enter"])
async def test_keys_in_one_burst_sign_in(make_app, between):
    """The password typed after Tab or Enter goes to the password field, never into the
    username field where it would be shown."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        send_burst(app, f"teacher.demo{between}Croeso2026")
        await _settled(pilot)
        assert app.screen.query_one("#username", Input).value == "teacher.demo"
        assert app.screen.query_one("#password", Input).value == "Croeso2026"
        assert "Croeso2026" not in screen_text(app).split("Password for all")[0]
        send_burst(app, "\r")
        await _settled(pilot)
        assert isinstance(app.screen, UsersScreen)
        assert app.session.actor.username == "teacher.demo"


async def test_wrong_password_then_right(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert app.screen.query_one("#password", Input).password  # masked
        await _type_credentials(pilot, "teacher.demo", "wrong-Password1")
        assert isinstance(app.screen, SignInScreen)
        assert _message(app) == "The username or password is incorrect."
        assert "wrong-Password1" not in screen_text(app)
        assert app.screen.query_one("#password", Input).value == ""

        await _type_credentials(pilot, "teacher.demo", "Croeso2026")
        assert isinstance(app.screen, UsersScreen)
        assert app.session.actor.username == "teacher.demo"


async def test_unknown_user_gets_the_same_answer(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await _type_credentials(pilot, "nobody.here", "Croeso2026")
        assert _message(app) == "The username or password is incorrect."


async def test_empty_fields_are_asked_for_and_change_nothing(make_app, ui_hwb):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "enter")
        assert _message(app) == "Type your username and your password."
        assert isinstance(app.screen, SignInScreen)


async def test_demo_sign_ins_are_listed(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        for username in ("admin.demo", "champion.demo", "teacher.demo", "primary.demo"):
            assert username in text
        assert "Croeso2026" in text


async def test_forced_session_opens_the_requested_view(make_app):
    app = make_app("teacher.demo", view="profile")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)


async def test_a_view_the_user_may_not_open_falls_back_to_the_profile(make_app):
    app = make_app("teacher.demo", view="staff")  # only Digital Champions see staff
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)
        assert app.screen.kind == "learner"
