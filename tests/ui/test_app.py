"""App-wide: keys with descriptions, tooltips and ids; help; the palette; quiet inputs."""

from __future__ import annotations

import gc

import pytest
from textual.binding import Binding
from textual.widgets import Input

from hwb_tui.domain.errors import NotFound
from hwb_tui.ui.app import HwbApp, run_app
from hwb_tui.ui.screens.help import HelpScreen
from hwb_tui.ui.screens.password_dialog import PasswordDialog
from hwb_tui.ui.screens.profile import ProfileScreen
from hwb_tui.ui.screens.school_chooser import SchoolChooser
from hwb_tui.ui.screens.user_details import UserDetailsScreen
from hwb_tui.ui.screens.users import UsersScreen
from hwb_tui.ui.widgets.user_list import UserList

BOUND = (
    HwbApp,
    UsersScreen,
    ProfileScreen,
    UserDetailsScreen,
    PasswordDialog,
    SchoolChooser,
    HelpScreen,
    UserList,
)


@pytest.mark.parametrize("owner", BOUND, ids=lambda owner: owner.__name__)
def test_every_binding_has_a_description_a_tooltip_and_a_namespaced_id(owner):
    bindings = [binding for binding in owner.BINDINGS if isinstance(binding, Binding)]
    assert bindings
    for binding in bindings:
        assert binding.description and binding.tooltip, binding
        assert binding.id and "." in binding.id, binding


async def test_help_lists_the_keys_of_the_screen_and_closes(make_app):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        descriptions = {description for _, description, _ in app.screen._keys}
        assert {"Copy", "Reset", "Search", "Learners", "Quit", "Help"} <= descriptions
        assert "Staff" not in descriptions  # a teacher may not open it
        assert "Focus Next" not in descriptions  # Textual's own keys are left out
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)


async def test_palette_offers_the_sections_but_never_a_screenshot(make_app):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Screenshot" not in titles
        assert "Learners" in titles and "My Profile" in titles
        assert "Staff" not in titles  # a teacher may not open it


async def test_no_input_blinks(make_app):
    """A blinking cursor sends bytes while the user does nothing; every field is steady."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        inputs = list(app.screen.query(Input))
        app.session = None
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        inputs += list(app.screen.query(Input))
        await pilot.press("r")
        await pilot.pause()
        inputs += list(app.screen.query(Input))
    assert len(inputs) == 5
    assert not any(field.cursor_blink for field in inputs)


def test_an_unknown_forced_user_is_refused_before_the_app_starts(ui_settings):
    with pytest.raises(NotFound):
        run_app(ui_settings, as_user="nobody.here")


async def test_the_command_palette_field_does_not_blink_either(make_app):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.focused, Input)
        assert not app.focused.cursor_blink


async def test_the_app_resumes_collection_once_its_first_screen_is_up(make_app):
    from hwb_tui import startup

    app = make_app("teacher.demo")
    startup.hold_collection()
    try:
        async with app.run_test() as pilot:
            await pilot.pause()
            assert isinstance(app.screen, UsersScreen)
            assert gc.isenabled()
    finally:
        startup.resume_collection()
        gc.unfreeze()
        gc.enable()


async def test_the_first_section_is_one_screen_however_it_is_reached(make_app):
    """Known before the app runs, the first section is the app's default screen (not a mode of
    its own): its key and its palette command return to that same screen, kept as it was."""
    app = make_app("teacher.demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first = app.screen
        assert isinstance(first, UsersScreen)
        await pilot.press("slash", *"Clarke", "escape")
        await pilot.press("1")
        assert isinstance(app.screen, ProfileScreen)
        await pilot.press("2")
        assert app.screen is first
        assert first.query_one("#search", Input).value == "Clarke"
        await pilot.press("1")
        app.switch_mode("learners")  # as the palette's "Learners" command does
        await pilot.pause()
        assert app.screen is first


def test_keys_typed_as_the_app_starts_reach_the_first_screen(make_app):
    """The first screen is still being mounted when the app is ready for keys: "/" then a
    surname is a search, not the list's keys ("r" would open Reset Password)."""
    seen = {}

    async def type_at_once(pilot):
        await pilot.press("slash", *"Clarke")
        await pilot.pause()
        seen["screen"], seen["focused"] = pilot.app.screen, pilot.app.focused
        pilot.app.exit()

    make_app("teacher.demo").run(headless=True, auto_pilot=type_at_once, size=(80, 24))
    assert isinstance(seen["screen"], UsersScreen)
    assert isinstance(seen["focused"], Input) and seen["focused"].value == "Clarke"
