"""Print and Download Passwords by keys: details Print menu, Print Registration Group, and the
Administration screen's downloads behind the guide's warning."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from textual.widgets import Button

from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.model import Kind
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.ui.app import HwbApp
from hwb_tui.ui.screens.administration import AdministrationScreen, DownloadWarning
from hwb_tui.ui.screens.printing import PrintGroupDialog, PrintMenu
from hwb_tui.ui.screens.user_details import UserDetailsScreen
from hwb_tui.ui.screens.users import UsersScreen
from tests.credential_files import mode_of
from tests.guide import DOWNLOAD_WARNING as WARNING
from tests.ui.conftest import ENV, FakeClipboard, audited, known_password, screen_text


@pytest.fixture
def out_hwb(ui_settings: Settings, out: Path) -> Iterator[Hwb]:
    """The test demo, saving files into `out` (as --output-dir does)."""
    settings = Settings.resolve(
        ui_settings.database_url, ui_settings.key_file, env=ENV, output_dir=out
    )
    with Hwb.open(settings) as hwb:
        yield hwb


@pytest.fixture
def make(out_hwb: Hwb):
    def make(username: str) -> HwbApp:
        actor = out_hwb.passwords.start_forced_session(username)
        return HwbApp(out_hwb, actor=actor, clipboard=FakeClipboard())

    return make


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def saved(out: Path, suffix: str) -> Path:
    [path] = [entry for entry in out.iterdir() if entry.suffix == suffix]
    assert not [entry for entry in out.iterdir() if entry.name.startswith(".")]
    return path


async def settle(pilot) -> None:
    # A pressed button's handler starts the worker only once its message is handled: wait for
    # that first, or there may be no worker yet to wait for (seen once on a busy machine).
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def notices(app: HwbApp) -> str:
    return "\n".join(str(notification.message) for notification in app._notifications)


async def test_print_with_password_from_the_details_screen(make, out: Path, out_hwb: Hwb):
    app = make("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        user = app.screen.query_one("UserList").highlighted
        await pilot.press("enter")
        assert isinstance(app.screen, UserDetailsScreen)
        await pilot.press("p")
        assert isinstance(app.screen, PrintMenu)
        await pilot.press("w")  # Print With Password
        await settle(pilot)
        assert isinstance(app.screen, UserDetailsScreen)
        path = saved(out, ".pdf")
        assert str(path) in notices(app) and "readable by you only" in notices(app)
    text = pdf_text(path)
    assert user.username in text and f"{user.forename} {user.surname}" in text
    if user.status.value == "available":
        assert known_password(user.username) in text
    assert mode_of(path) == 0o600
    assert audited(out_hwb, AuditAction.PRINT)[-1] == user.username


async def test_print_details_button_prints_no_password(make, out: Path, out_hwb: Hwb):
    app = make("champion.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("3")  # View Staff
        await pilot.pause()
        staff = [row.username for row in app.screen.query_one("UserList").rows]
        await pilot.press("home", *["down"] * staff.index("teacher.demo"), "enter")
        assert isinstance(app.screen, UserDetailsScreen)
        app.screen.query_one("#print-actions #print-details", Button).press()
        await settle(pilot)
    text = pdf_text(saved(out, ".pdf"))
    assert "Sarah Teacher" in text and "teacher.demo" in text
    assert "Croeso2026" not in text and "Password" not in text


async def test_print_registration_group_with_passwords(make, out: Path, out_hwb: Hwb):
    app = make("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        group = app.screen.query_one("UserList").highlighted.reg_group
        await pilot.press("p")
        dialog = app.screen
        assert isinstance(dialog, PrintGroupDialog)
        dialog.query_one("#with-password").focus()
        await pilot.press("space")
        dialog.query_one("#print", Button).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
    teacher = out_hwb.users.actor("teacher.demo")
    members = [
        row for row in out_hwb.users.list_users(teacher, Kind.LEARNER) if row.reg_group == group
    ]
    text = pdf_text(saved(out, ".pdf"))
    for row in members:
        assert row.username in text
        if row.status.value == "available":
            assert known_password(row.username) in text


async def test_print_group_is_offered_on_the_learners_list_only(make):
    app = make("champion.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.check_action("print_group", ()) is True
        await pilot.press("3")
        await pilot.pause()
        assert app.screen.check_action("print_group", ()) is False
        await pilot.press("p")
        assert isinstance(app.screen, UsersScreen)


async def test_download_all_pupils_after_the_warning(make, out: Path, out_hwb: Hwb):
    app = make("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("6")
        await pilot.pause()
        assert isinstance(app.screen, AdministrationScreen)
        assert [b.id for b in app.screen.query(Button)] == ["download-pupils"]  # no All Staff
        await pilot.press("enter")
        assert isinstance(app.screen, DownloadWarning)
        assert WARNING in " ".join(screen_text(app).replace("│", " ").split())
        await pilot.press("enter")  # Go Back is the one focused
        await settle(pilot)
        assert isinstance(app.screen, AdministrationScreen)
        assert list(out.iterdir()) == []
        await pilot.press("enter")
        await pilot.press("shift+tab", "enter")  # Proceed with download
        await settle(pilot)
        path = saved(out, ".csv")
        assert str(path) in notices(app)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[0][:4] == ["Forename", "Surname", "Username", "Password"]
    assert "learner.demo" in {row[2] for row in rows[1:]}
    assert mode_of(path) == 0o600


async def test_champions_may_download_all_staff_and_learners_see_no_administration(make):
    app = make("champion.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("6")
        await pilot.pause()
        assert [b.id for b in app.screen.query(Button)] == ["download-pupils", "download-staff"]
    app = make("learner.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("6")
        await pilot.pause()
        assert not isinstance(app.screen, AdministrationScreen)


async def test_under_textual_serve_the_browser_is_handed_the_file(
    make, out: Path, monkeypatch: pytest.MonkeyPatch
):
    """The browser is outside the machine: record what the app hands Textual's web delivery."""
    delivered: list[tuple[Path, str]] = []
    app = make("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        monkeypatch.setattr(type(app), "is_web", property(lambda self: True))
        monkeypatch.setattr(
            app, "deliver_binary", lambda path, **kw: delivered.append((path, kw["mime_type"]))
        )
        await pilot.pause()
        await pilot.press("enter", "p", "enter")  # details, Print, Print Details
        await settle(pilot)
        assert "browser" in notices(app)
    assert delivered == [(saved(out, ".pdf"), "application/pdf")]
