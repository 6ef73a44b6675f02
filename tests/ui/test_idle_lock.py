"""The idle lock: after a while without a key everything is hidden until the password is given
again, and nothing that was revealed stays on screen or on the clipboard."""

from __future__ import annotations

import dataclasses

import pytest

from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.model import PasswordStatus
from hwb_tui.services.hwb import Hwb
from hwb_tui.ui.idle_lock import LockScreen
from hwb_tui.ui.screens.password_dialog import PasswordDialog
from hwb_tui.ui.screens.users import UsersScreen
from hwb_tui.ui.widgets.user_list import UserList
from tests.stored import password_is
from tests.ui.conftest import audited, known_password, screen_text

IDLE_SECONDS = 1
DEMO_PASSWORD = "Croeso2026"


@pytest.fixture
def short_idle(ui_hwb: Hwb) -> Hwb:
    security = dataclasses.replace(ui_hwb.settings.security, idle_lock_seconds=IDLE_SECONDS)
    ui_hwb.settings = dataclasses.replace(ui_hwb.settings, security=security)
    return ui_hwb


async def reveal_a_password(pilot) -> str:
    listing = pilot.app.screen.query_one(UserList)
    index = next(i for i, row in enumerate(listing.rows) if row.status is PasswordStatus.AVAILABLE)
    await pilot.press("home", *["down"] * index)
    password = known_password(listing.rows[index].username)
    assert listing.revealed_password == password
    return password


async def wait_for_lock(pilot) -> None:
    """Wait for the real timer to lock the app (a loaded machine may take longer)."""
    for _ in range(100):
        await pilot.pause(IDLE_SECONDS / 5)
        if isinstance(pilot.app.screen, LockScreen):
            return
    raise AssertionError("the app did not lock")


async def go_idle(pilot) -> None:
    """As if the idle time had passed without a key (the default 15 minutes)."""
    pilot.app._last_key_at -= pilot.app.hwb.settings.security.idle_lock_seconds
    await pilot.app._lock_if_idle()
    await pilot.pause()
    assert isinstance(pilot.app.screen, LockScreen)


async def type_password(pilot, password: str) -> None:
    await pilot.press(*password, "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_idle_locks_hides_everything_and_clears_the_clipboard(make_app, ui_hwb, clipboard):
    app = make_app("teacher.demo")  # a forced-command session locks the same way
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        password = await reveal_a_password(pilot)
        await pilot.press("c")
        assert clipboard.text == password
        await go_idle(pilot)
        assert password not in screen_text(app)
        assert clipboard.text == ""
        assert not app._notifications
        for key in ("2", "f1", "ctrl+p", "escape"):  # nothing gets past the lock
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, LockScreen)


async def test_the_timer_locks_and_only_the_right_password_unlocks(make_app, short_idle):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await wait_for_lock(pilot)
        await type_password(pilot, "NotMine123")
        assert isinstance(app.screen, LockScreen)
        assert "incorrect" in screen_text(app)
        await type_password(pilot, DEMO_PASSWORD)
        assert isinstance(app.screen, UsersScreen)
    assert audited(short_idle, AuditAction.REAUTHENTICATE) == ["teacher.demo"]
    assert audited(short_idle, AuditAction.SIGN_IN_FAILED) == ["teacher.demo"]


async def test_a_key_starts_the_idle_time_again(make_app, ui_hwb):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app._last_key_at -= 3600  # an hour without a key, as far as the app knows
        await pilot.press("down")
        await app._lock_if_idle()
        assert isinstance(app.screen, UsersScreen)


async def test_an_open_dialog_is_cancelled_not_applied(make_app, ui_hwb):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        username = app.screen.query_one(UserList).highlighted.username
        before = password_is(ui_hwb, username, known_password(username))
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, PasswordDialog)
        await pilot.press("ctrl+g")
        await go_idle(pilot)
        await type_password(pilot, DEMO_PASSWORD)
        assert isinstance(app.screen, UsersScreen)
    assert password_is(ui_hwb, username, known_password(username)) == before
    assert audited(ui_hwb, AuditAction.RESET) == []
