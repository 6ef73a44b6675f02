"""Cymraeg in the app: f2 switches every screen at once and keeps what is on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from textual.widgets import Input, OptionList, ProgressBar

from hwb_tui.domain import i18n
from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.ui.screens.confirm_identity import ConfirmIdentityDialog
from hwb_tui.ui.screens.group_actions import GroupActionsScreen
from hwb_tui.ui.screens.password_dialog import PasswordDialog
from hwb_tui.ui.screens.sign_in import SignInScreen
from hwb_tui.ui.screens.users import UsersScreen
from hwb_tui.ui.widgets.user_list import UserList
from tests.ui.conftest import screen_text
from tests.ui.test_group_actions import confirm_identity


@pytest.fixture(autouse=True)
def english_first_and_afterwards() -> Iterator[None]:
    """The language is process-wide: each test starts, and leaves, in English."""
    i18n.set_language(i18n.ENGLISH)
    yield
    i18n.set_language(i18n.ENGLISH)


async def test_f2_on_the_sign_in_screen_keeps_what_was_typed(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert "f2 Cymraeg" in screen_text(app)
        await pilot.press(*"teacher.demo")
        await pilot.press("f2")
        await pilot.pause()
        shown = screen_text(app)
        assert "Mewngofnodi" in shown
        assert "Enw defnyddiwr" in shown
        assert "f2 English" in shown
        assert "Sign in" not in shown
        assert app.screen.query_one("#username", Input).value == "teacher.demo"
        assert app.screen.query_one("#username").has_focus

        await pilot.press("f2")
        await pilot.pause()
        shown = screen_text(app)
        assert "Sign in" in shown
        assert "f2 Cymraeg" in shown
        assert app.screen.query_one("#username", Input).value == "teacher.demo"


async def test_f2_in_the_middle_of_a_search_keeps_the_search_and_the_highlight(make_app, ui_hwb):
    app = make_app("teacher.demo", view="learners")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)
        await pilot.press("slash", *"an")
        await pilot.pause(0.5)  # past the search's typing pause
        users = app.screen.query_one(UserList)
        found = len(users.rows)
        assert found > 0
        await pilot.press("escape", "down")
        highlighted = users.highlighted

        await pilot.press("f2")
        await pilot.pause()
        shown = screen_text(app)
        assert "Gweld Dysgwyr" in shown
        assert "Term chwilio" in shown
        assert "Enw cyntaf" in shown and "Cyfenw" in shown  # the list's own header
        assert f"{found} dysgwr" in shown
        assert "Chwilio" in shown  # the footer
        assert app.screen.query_one("#search", Input).value == "an"
        assert users.highlighted == highlighted
        assert len(users.rows) == found
        # Remembered for this user, for the next time they open the app.
        assert ui_hwb.preferences.language(app.session.actor) == "cy"


async def test_f2_in_a_dialog_keeps_what_was_typed_and_ticked(make_app):
    app = make_app("teacher.demo", view="profile")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, PasswordDialog)
        await pilot.press(*"abcdefgh")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, PasswordDialog)
        assert app.screen.query_one("#new-password", Input).value == "abcdefgh"
        assert app.screen.query_one("#new-password").has_focus
        shown = screen_text(app)
        assert "✓ o leiaf 8 nod" in shown
        assert "✗ llythyren fawr" in shown
        assert "Diweddaru Cyfrinair" in shown
        assert "Canslo" in shown

        await pilot.press("escape")  # the profile beneath switched too
        await pilot.pause()
        assert "Eich Manylion" in screen_text(app)
        assert "Fy Mhroffil" in screen_text(app)


async def test_the_remembered_language_applies_at_start_unless_lang_chose_one(make_app, ui_hwb):
    teacher = ui_hwb.users.actor("teacher.demo")
    ui_hwb.preferences.set_language(teacher, "cy")
    app = make_app("teacher.demo", view="learners")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Gweld Dysgwyr" in screen_text(app)

    i18n.set_language(i18n.ENGLISH)
    ui_hwb.settings = replace(ui_hwb.settings, language="en")  # as --lang en or HWB_LANG=en
    app = make_app("teacher.demo", view="learners")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "View Learners" in screen_text(app)


async def test_f2_during_a_group_reset_keeps_the_reset_and_its_dialog(make_app, ui_hwb):
    app = make_app("teacher.demo")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("g", "enter", *"9a")  # Group Actions › Registration Group, 9A
        await pilot.pause()
        await pilot.press("enter")  # the highlighted group
        await pilot.pause()
        await pilot.press("enter")  # Reset Passwords
        await confirm_identity(app, pilot)
        await pilot.press("f2")  # switch while it runs
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, GroupActionsScreen)
        shown = " ".join(screen_text(app).replace("│", " ").split())
        assert "Ailosodwyd 11 cyfrinair" in shown
        assert "Cau" in shown  # the dialog's Close button
        bar = app.screen.query_one(ProgressBar)
        assert (bar.total, bar.progress) == (11, 11)
    champion = ui_hwb.users.actor("champion.demo")
    nine_a = [
        row for row in ui_hwb.users.list_users(champion, Kind.LEARNER) if row.reg_group == "9A"
    ]
    assert {row.status for row in nine_a} == {PasswordStatus.AVAILABLE}


# -- the main screens in Welsh at 80×24, switched with f2 as a user would ----------------------

SMALL = (80, 24)


def test_snapshot_sign_in_in_welsh(snap_compare, make_app):
    assert snap_compare(make_app(), press=["f2"], terminal_size=SMALL)


def test_snapshot_learners_in_welsh(snap_compare, make_app):
    assert snap_compare(make_app("teacher.demo"), press=["f2"], terminal_size=SMALL)


def test_snapshot_staff_for_a_digital_champion_in_welsh(snap_compare, make_app):
    assert snap_compare(make_app("champion.demo"), press=["3", "f2"], terminal_size=SMALL)


def test_snapshot_view_details_in_welsh(snap_compare, make_app):
    assert snap_compare(
        make_app("teacher.demo"), press=["f2", "down", "enter"], terminal_size=SMALL
    )


def test_snapshot_my_profile_in_welsh(snap_compare, make_app):
    assert snap_compare(make_app("teacher.demo"), press=["1", "f2"], terminal_size=SMALL)


def test_snapshot_reset_dialog_in_welsh(snap_compare, make_app):
    assert snap_compare(
        make_app("teacher.demo"), press=["f2", "r", *"Abcdefg1"], terminal_size=SMALL
    )


def test_snapshot_help_in_welsh(snap_compare, make_app):
    assert snap_compare(make_app("teacher.demo"), press=["f2", "f1"], terminal_size=SMALL)


async def test_f2_while_confirming_identity_keeps_the_typed_password(make_app):
    app = make_app("teacher.demo")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("g", "enter", *"9a")
        await pilot.pause()
        await pilot.press("enter", "enter")  # the group, then Reset Passwords
        await pilot.pause()
        assert isinstance(app.screen, ConfirmIdentityDialog)
        await pilot.press(*"Croeso")
        await pilot.press("f2")
        await pilot.pause()
        shown = " ".join(screen_text(app).replace("│", " ").split())
        assert "Cadarnhewch mai chi sydd yma" in shown
        assert "teipiwch gyfrinair teacher.demo yn gyntaf" in shown
        assert app.screen.query_one("#own-password", Input).value == "Croeso"


async def test_f2_while_choosing_a_group_keeps_the_search_and_the_highlight(make_app):
    app = make_app("teacher.demo")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("g", "enter", "9", "down")  # Registration Group, groups with a 9
        await pilot.pause()
        groups = app.screen.query_one("#groups", OptionList)
        highlighted = groups.highlighted
        assert highlighted == 1
        await pilot.press("f2")
        await pilot.pause()
        shown = " ".join(screen_text(app).replace("│", " ").split())
        assert "Camau Grŵp › Ailosod Cyfrineiriau" in shown
        assert "9A (11 dysgwr)" in shown
        assert app.screen.query_one("#group-search", Input).value == "9"
        assert groups.highlighted == highlighted
