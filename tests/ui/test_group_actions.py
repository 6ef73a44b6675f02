"""Group Actions, Selected Users and the offer to finish a cut-short reset, by keys."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

from pypdf import PdfReader
from textual.widgets import ProgressBar

from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.services.hwb import Hwb
from hwb_tui.services.jobs import GroupType, Jobs
from hwb_tui.ui.app import HwbApp
from hwb_tui.ui.screens.confirm_identity import ConfirmIdentityDialog
from hwb_tui.ui.screens.group_actions import GroupActionsScreen, UnfinishedResetDialog
from hwb_tui.ui.screens.learner_selection import SelectedUsersMenu
from hwb_tui.ui.screens.users import UsersScreen
from hwb_tui.ui.widgets.user_list import UserList
from tests.stored import password_is
from tests.ui.conftest import known_password, screen_text


def learners_of(hwb: Hwb, reg_group: str) -> list[str]:
    teacher = hwb.users.actor("teacher.demo")
    return [
        row.username
        for row in hwb.users.list_users(teacher, Kind.LEARNER)
        if row.reg_group == reg_group
    ]


def assert_reset(hwb: Hwb, usernames) -> None:
    """Each user has a new password that opens from its stored copy and verifies."""
    champion = hwb.users.actor("champion.demo")
    for username in usernames:
        assert password_is(hwb, username, hwb.passwords.reveal(champion, username))


async def confirm_identity(app: HwbApp, pilot, password: str = "Croeso2026") -> None:
    """Reset Passwords first asks for the operator's own password (re-authentication)."""
    await pilot.pause()
    assert isinstance(app.screen, ConfirmIdentityDialog)
    await pilot.press(*password, "enter")
    # The check runs in the dialog's worker, which ends with the dialog itself when it passes.
    while any(worker.group == "confirm-identity" and worker.is_running for worker in app.workers):
        await pilot.pause(0.05)
    await pilot.pause()


async def wait_for_reset(app: HwbApp, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def shown(app: HwbApp) -> str:
    """The screen's words in one line: dialog text wraps, and borders are not words."""
    return " ".join(screen_text(app).replace("│", " ").split())


def save_files_in(hwb: Hwb, folder: Path) -> Path:
    """Slips go to `folder`, as --output-dir does."""
    folder.mkdir()
    hwb.settings = dataclasses.replace(hwb.settings, output_dir=folder)
    return folder


def pdf_text(folder: Path) -> str:
    [path] = folder.glob("*.pdf")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def notifications(app: HwbApp) -> str:
    return "\n".join(str(notification.message) for notification in app._notifications)


async def test_group_actions_reset_a_registration_group(make_app, ui_hwb: Hwb, tmp_path):
    out = save_files_in(ui_hwb, tmp_path / "out")
    members = learners_of(ui_hwb, "9A")
    app = make_app("teacher.demo")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GroupActionsScreen)
        assert "Registration Group" in shown(app)
        await pilot.press("enter")  # Registration Group
        await pilot.press(*"9a")
        await pilot.pause()
        assert "9A (11 learners)" in shown(app)
        assert "9B" not in shown(app)
        await pilot.press("enter")  # the highlighted group
        await pilot.pause()
        text = shown(app)
        assert "11 learners in Registration Group 9A at Riverside High School" in text
        assert "Reset Passwords" in text
        await pilot.press("enter")  # Reset Passwords
        await confirm_identity(app, pilot)
        await wait_for_reset(app, pilot)
        assert "Reset 11 passwords: Registration Group 9A" in shown(app)
        bar = app.screen.query_one(ProgressBar)
        assert (bar.total, bar.progress) == (11, 11)
        await pilot.click("#print-slips")
        await wait_for_reset(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)
        statuses = {
            row.status for row in app.screen.query_one(UserList).rows if row.reg_group == "9A"
        }
        assert statuses == {PasswordStatus.AVAILABLE}
    assert_reset(ui_hwb, members)
    slips = pdf_text(out)
    champion = ui_hwb.users.actor("champion.demo")
    for username in members:
        assert ui_hwb.passwords.reveal(champion, username) in slips


async def test_closing_the_dialog_leaves_the_reset_running_and_it_reports_back(
    make_app, ui_hwb: Hwb
):
    app = make_app("teacher.demo")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("g", "down", "down", "enter")  # Year
        await pilot.press("9", "enter")
        await pilot.pause()
        assert "21 learners in Year 9" in shown(app)
        await pilot.press("enter")
        await confirm_identity(app, pilot)
        await pilot.press("escape")  # close at once
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)
        await pilot.press("down")  # the app is usable meanwhile
        await wait_for_reset(app, pilot)
        assert "Reset 21 passwords: Year 9 at Riverside High School" in notifications(app)
    assert ui_hwb.jobs.jobs(ui_hwb.users.actor("teacher.demo"))[0].reset == 21


async def test_space_ticks_learners_and_reset_selected_resets_only_them(make_app, ui_hwb: Hwb):
    app = make_app("teacher.demo")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        listing = app.screen.query_one(UserList)
        await pilot.press("space", "down", "down", "space")
        await pilot.pause()
        chosen = (listing.rows[0].username, listing.rows[2].username)
        assert listing.selected == tuple(sorted(chosen))
        assert "2 selected" in shown(app)
        assert "✓" in shown(app)
        await pilot.press("space")  # untick the third again, tick it once more
        assert len(listing.selected) == 1
        await pilot.press("space", "u")
        await pilot.pause()
        assert isinstance(app.screen, SelectedUsersMenu)
        await pilot.press("down", "down", "enter")  # Reset Selected, after the two prints
        await pilot.pause()
        assert isinstance(app.screen, GroupActionsScreen)
        assert "2 selected users will get new passwords" in shown(app)
        before = {row.username: row.status for row in listing.rows}
        await pilot.press("enter")
        await confirm_identity(app, pilot)
        await wait_for_reset(app, pilot)
        assert "Reset 2 passwords: 2 Selected Users" in shown(app)
        await pilot.press("escape")
        await pilot.pause()
        assert listing.selected == ()
        after = {row.username: row.status for row in listing.rows}
        assert {name for name in after if after[name] != before[name]} <= set(chosen)
    assert_reset(ui_hwb, chosen)


async def test_the_app_offers_to_finish_a_cut_short_reset(make_app, ui_hwb: Hwb):
    teacher = ui_hwb.users.actor("teacher.demo")
    job = ui_hwb.jobs.start(teacher, GroupType.REG_GROUP, "9B")
    Jobs(ui_hwb.context, batch_size=4).run(teacher, job.id, stop_requested=lambda: True)
    app = make_app("teacher.demo")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, UnfinishedResetDialog)
        assert "Registration Group 9B" in shown(app)
        assert "4 of 10 learners done" in shown(app)
        await pilot.press("enter")  # Finish Now
        await wait_for_reset(app, pilot)
        assert isinstance(app.screen, UsersScreen)
        assert "Reset 10 passwords: Registration Group 9B" in notifications(app)
    assert ui_hwb.jobs.job(teacher, job.id).is_finished
    assert_reset(ui_hwb, learners_of(ui_hwb, "9B"))


async def test_later_leaves_it_for_next_time(make_app, ui_hwb: Hwb):
    teacher = ui_hwb.users.actor("teacher.demo")
    job = ui_hwb.jobs.start(teacher, GroupType.REG_GROUP, "9B")
    app = make_app("teacher.demo")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)
    assert not ui_hwb.jobs.job(teacher, job.id).is_finished


async def test_group_keys_belong_to_the_learners_list_only(make_app):
    app = make_app("champion.demo", view="staff")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("space", "u", "g")
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)
        assert app.screen.query_one(UserList).selected == ()


async def test_print_selected_with_password(make_app, ui_hwb: Hwb, tmp_path):
    out = save_files_in(ui_hwb, tmp_path / "out")
    app = make_app("teacher.demo")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        listing = app.screen.query_one(UserList)
        available = [
            i for i, row in enumerate(listing.rows) if row.status is PasswordStatus.AVAILABLE
        ][:2]
        for index in available:
            listing.move_to(index)
            await pilot.press("space")
        await pilot.press("u")
        await pilot.pause()
        assert "Print Selected (With Password)" in shown(app)
        await pilot.press("down", "enter")
        await wait_for_reset(app, pilot)
        assert isinstance(app.screen, UsersScreen)
        chosen = [listing.rows[i].username for i in available]
    slips = pdf_text(out)
    for username in chosen:
        assert username in slips and known_password(username) in slips


async def test_a_wrong_own_password_resets_nobody_and_a_confirmed_one_lasts(make_app, ui_hwb: Hwb):
    teacher = ui_hwb.users.actor("teacher.demo")
    app = make_app("teacher.demo")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("g", "enter", *"9b", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await confirm_identity(app, pilot, password="NotMine123")
        assert isinstance(app.screen, ConfirmIdentityDialog)
        assert "incorrect" in shown(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, GroupActionsScreen)
        assert ui_hwb.jobs.jobs(teacher) == ()

        await pilot.press("enter")
        await confirm_identity(app, pilot)
        await wait_for_reset(app, pilot)
        await pilot.press("escape", "g", "enter", *"9a", "enter")
        await pilot.pause()
        await pilot.press("enter")  # confirmed a moment ago: not asked again
        await wait_for_reset(app, pilot)
        assert not isinstance(app.screen, ConfirmIdentityDialog)
    assert [job.reset for job in ui_hwb.jobs.jobs(teacher)] == [11, 10]


async def test_an_administrator_is_offered_it_once_a_school_is_chosen(make_app, ui_hwb: Hwb):
    teacher = ui_hwb.users.actor("teacher.demo")
    ui_hwb.jobs.start(teacher, GroupType.REG_GROUP, "9B")
    app = make_app("admin.demo")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, UnfinishedResetDialog)  # the school comes first
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, UnfinishedResetDialog)
        assert "started by teacher.demo" in shown(app)
