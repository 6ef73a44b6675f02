"""The app on PostgreSQL: sign-in and reset run in worker threads, each with its own
connection, and the list pages by key through psycopg."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.model import PasswordStatus
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.ui.app import HwbApp
from hwb_tui.ui.screens.users import UsersScreen
from hwb_tui.ui.widgets.user_list import UserList
from tests.stored import password_is
from tests.ui.conftest import ENV, audited


async def test_sign_in_list_and_reset_on_postgres(postgres_url: str, tmp_path: Path):
    settings = Settings.resolve(postgres_url, tmp_path / "hwb.key", env=ENV)
    with Hwb.open(settings) as hwb:
        hwb.demo.build()
        app = HwbApp(hwb)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press(*"teacher.demo", "enter")
            await pilot.pause()
            await pilot.press(*"Croeso2026", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, UsersScreen)

            listing = app.screen.query_one(UserList)
            index = next(
                i for i, row in enumerate(listing.rows) if row.status is PasswordStatus.UNAVAILABLE
            )
            await pilot.press(*["down"] * index, "r")
            await pilot.pause()
            for field in ("#new-password", "#confirm-password"):
                app.screen.query_one(field, Input).value = "Newpass123"
            await pilot.pause()
            await pilot.press("enter")  # to the confirmation field
            await pilot.pause()
            await pilot.press("enter")  # Update Password
            await app.workers.wait_for_complete()
            await pilot.pause()
            username = listing.rows[index].username
            assert password_is(hwb, username, "Newpass123")
            assert audited(hwb, AuditAction.RESET) == [username]
            assert listing.highlighted.status is PasswordStatus.AVAILABLE
