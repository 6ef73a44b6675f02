"""The user lists by keys: search, reveal on highlight, copy, details, reset, and refusals."""

from __future__ import annotations

import dataclasses

from textual.widgets import Button, Input

from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.services.hwb import Hwb
from hwb_tui.ui.app import HwbApp
from hwb_tui.ui.screens.password_dialog import PasswordDialog
from hwb_tui.ui.screens.profile import ProfileScreen
from hwb_tui.ui.screens.user_details import UserDetailsScreen
from hwb_tui.ui.screens.users import SEARCH_DELAY_SECONDS, UsersScreen
from hwb_tui.ui.widgets.user_list import UserList
from tests.stored import password_is
from tests.ui.conftest import audited, known_password, screen_text, send_burst


def user_list(app: HwbApp) -> UserList:
    return app.screen.query_one(UserList)


async def highlight_first(pilot, status: PasswordStatus) -> str:
    """Move the highlight down to the first row with the status; its username."""
    rows = user_list(pilot.app).rows
    index = next(i for i, row in enumerate(rows) if row.status is status)
    await pilot.press("home", *["down"] * index)
    return rows[index].username


async def test_learners_list_for_a_teacher(make_app, ui_hwb: Hwb):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)
        rows = user_list(app).rows
        teacher = ui_hwb.users.actor("teacher.demo")
        assert rows == ui_hwb.users.list_users(teacher, Kind.LEARNER)
        assert f"{len(rows)} learners" in screen_text(app)


async def test_highlight_reveals_and_moving_away_hides(make_app, ui_hwb: Hwb):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        username = await highlight_first(pilot, PasswordStatus.AVAILABLE)
        listing = user_list(app)
        assert listing.revealed_password == known_password(username)
        assert known_password(username) in screen_text(app)
        assert audited(ui_hwb, AuditAction.REVEAL)[-1] == username

        index = listing.rows.index(listing.highlighted)
        other = next(
            i
            for i, row in enumerate(listing.rows)
            if i > index and row.status is not PasswordStatus.AVAILABLE
        )
        await pilot.press(*["down"] * (other - index))
        assert listing.revealed_password is None
        assert known_password(username) not in screen_text(app)

        # Leaving the list for the search field hides it too.
        await pilot.press(*["up"] * (other - index))
        assert listing.revealed_password == known_password(username)
        await pilot.press("slash")
        await pilot.pause()
        assert listing.revealed_password is None
        assert known_password(username) not in screen_text(app)


async def test_search_filters_once_per_pause_not_per_key(make_app, ui_hwb: Hwb):
    app = make_app("teacher.demo")
    calls: list[str] = []
    page = ui_hwb.users.page

    def counting(*args, **kwargs):
        calls.append(kwargs.get("search", ""))
        return page(*args, **kwargs)

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ui_hwb.users.page = counting
        await pilot.press("slash", *"Brown")
        await pilot.pause(SEARCH_DELAY_SECONDS * 3)
        assert calls == ["Brown"]
        rows = user_list(app).rows
        assert rows and all("Brown" in row.surname for row in rows)


async def test_search_by_admission_number_and_enter_goes_to_the_list(make_app, ui_hwb: Hwb):
    teacher = ui_hwb.users.actor("teacher.demo")
    learner = ui_hwb.users.list_users(teacher, Kind.LEARNER)[5]
    number = ui_hwb.users.details(teacher, learner.username).admission_number
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *number, "enter")
        await pilot.pause()
        assert [row.username for row in user_list(app).rows] == [learner.username]
        assert app.focused is user_list(app)


async def test_bad_search_says_why_and_keeps_the_list(make_app):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        before = user_list(app).rows
        await pilot.press("slash")
        app.screen.query_one("#search", Input).value = "Bro\x07wn"  # as a paste could bring
        await pilot.press("enter")
        await pilot.pause()
        assert user_list(app).rows == before
        assert any("control characters" in str(n.message) for n in app._notifications)


async def test_copy_puts_the_password_on_the_clipboard_audited_then_clears(
    make_app, ui_hwb: Hwb, clipboard
):
    ui_hwb.settings = dataclasses.replace(ui_hwb.settings, clipboard_clear_seconds=0)
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        username = await highlight_first(pilot, PasswordStatus.AVAILABLE)
        await pilot.press("c")
        assert clipboard.history == [known_password(username)]
        assert audited(ui_hwb, AuditAction.COPY) == [username]
        await pilot.pause(0.3)
        assert clipboard.text == ""  # cleared after clipboard_clear_seconds


async def test_copy_of_an_unavailable_password_explains_and_copies_nothing(
    make_app, ui_hwb: Hwb, clipboard
):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await highlight_first(pilot, PasswordStatus.UNAVAILABLE)
        await pilot.press("c")
        assert clipboard.history == []
        assert audited(ui_hwb, AuditAction.COPY) == []
        assert any("it must be reset" in str(n.message) for n in app._notifications)


async def test_details_then_back(make_app):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        username = user_list(app).highlighted.username
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, UserDetailsScreen)
        text = screen_text(app)
        assert username in text and "Admission number" in text and "2026-09-01" in text
        assert app.screen.query_one("#print-actions")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)


async def _fill_dialog(pilot, password: str, confirmation: str | None = None) -> None:
    await pilot.press(*password, "enter")
    await pilot.pause()
    await pilot.press(*(password if confirmation is None else confirmation))
    await pilot.pause()


async def _open_reset_dialog(app, pilot) -> str:
    """The reset dialog opened on the first user whose password must be reset; their name."""
    await pilot.pause()
    username = await highlight_first(pilot, PasswordStatus.UNAVAILABLE)
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(app.screen, PasswordDialog)
    return username


async def test_reset_with_a_typed_password(make_app, ui_hwb: Hwb):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        username = await _open_reset_dialog(app, pilot)
        await _fill_dialog(pilot, "short1A", "short1A")
        assert app.screen.query_one("#update", Button).disabled  # 7 characters: refused
        app.screen.query_one("#new-password", Input).value = ""
        app.screen.query_one("#confirm-password", Input).value = ""
        app.screen.query_one("#new-password").focus()
        await pilot.pause()
        await _fill_dialog(pilot, "Newpass123", "Newpass124")
        assert app.screen.query_one("#update", Button).disabled  # they differ
        await pilot.press("backspace", "3")
        await pilot.pause()
        assert not app.screen.query_one("#update", Button).disabled
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)
        assert password_is(ui_hwb, username, "Newpass123")
        assert audited(ui_hwb, AuditAction.RESET) == [username]
        assert _reset_details(ui_hwb, username) == ["typed"]
        row = user_list(app).highlighted
        assert row.username == username and row.status is PasswordStatus.AVAILABLE
        assert user_list(app).revealed_password == "Newpass123"


async def test_search_typed_in_one_burst_is_all_search_term(make_app, ui_hwb: Hwb, clipboard):
    """Letters that arrive with "/" are the search term: c and r never reach the list, where
    they would copy or reset the highlighted user's password."""
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await highlight_first(pilot, PasswordStatus.AVAILABLE)
        send_burst(app, "/cr/")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)
        assert app.screen.query_one("#search", Input).value == "cr/"
        assert clipboard.history == []
        assert audited(ui_hwb, AuditAction.COPY) == []


async def test_reset_typed_in_one_burst(make_app, ui_hwb: Hwb):
    """A password manager types both fields and Enter at once: the confirmation goes to the
    second field, not onto the end of the first."""
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        username = await _open_reset_dialog(app, pilot)
        send_burst(app, "Newpass123\rNewpass123\r")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)
        assert password_is(ui_hwb, username, "Newpass123")


async def test_reset_with_a_generated_password(make_app, ui_hwb: Hwb):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        username = await highlight_first(pilot, PasswordStatus.USER_CHANGED)
        await pilot.press("enter")  # View Details › Manage User › Reset Password
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("ctrl+g")
        await pilot.pause()
        generated = app.screen._generated
        assert generated in screen_text(app)  # shown so it can be noted
        await pilot.press("enter")  # Update Password has the focus
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, UserDetailsScreen)
        assert password_is(ui_hwb, username, generated)
        assert "Show password" in screen_text(app)
        assert _reset_details(ui_hwb, username) == ["generated"]
        await pilot.press("escape")  # back on the list, the row is read again
        await pilot.pause()
        row = user_list(app).highlighted
        assert row.username == username and row.status is PasswordStatus.AVAILABLE


def _reset_details(hwb: Hwb, username: str) -> list[str]:
    """How each reset of this user was chosen, as the audit trail records it."""
    admin = hwb.users.actor("admin.demo")
    return [
        entry.detail
        for entry in hwb.audit.entries(admin)
        if entry.action == AuditAction.RESET and entry.target == username
    ]


async def test_cancelled_reset_changes_nothing(make_app, ui_hwb: Hwb):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        username = await highlight_first(pilot, PasswordStatus.AVAILABLE)
        await pilot.press("r")
        await pilot.pause()
        await _fill_dialog(pilot, "Newpass123")
        await pilot.press("escape")
        await pilot.pause()
        assert password_is(ui_hwb, username, known_password(username))
        assert audited(ui_hwb, AuditAction.RESET) == []


async def test_champion_sees_all_four_lists_and_resets_a_governor(make_app, ui_hwb: Hwb):
    app = make_app("champion.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key, kind in (("3", Kind.STAFF), ("4", Kind.GOVERNOR), ("5", Kind.NON_MIS)):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen.kind is kind
        await pilot.press("4", "r")
        await pilot.pause()
        assert isinstance(app.screen, PasswordDialog)


async def test_teacher_cannot_open_staff_lists(make_app):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in "345":
            await pilot.press(key)
            await pilot.pause()
            assert app.screen.kind is Kind.LEARNER
        assert app.check_action("section", ("staff",)) is False  # hidden, not just dimmed


async def test_admin_may_not_reset_a_governor_the_key_is_dimmed(make_app):
    app = make_app("admin.demo", view="governors")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # choose the first school
        await pilot.pause()
        assert app.screen.kind is Kind.GOVERNOR
        assert app.screen.check_action("reset_password", ()) is None
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(app.screen, PasswordDialog)
        # The dimmed key says why, in the rules table's words.
        assert any("may not reset" in str(n.message) for n in app._notifications)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#reset-password", Button).disabled


async def test_refused_by_the_service_explains_itself(make_app, ui_hwb: Hwb):
    """The screen offers reset; if the rights changed meanwhile, the service's refusal shows."""
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        details = app.screen
        staff_username = "champion.demo"
        details.reset_password_of(staff_username, "Gareth Pencampwr")
        await pilot.pause()
        await _fill_dialog(pilot, "Newpass123")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("may not reset" in str(n.message) for n in app._notifications)
        assert password_is(ui_hwb, staff_username, "Croeso2026")


async def test_admin_chooses_the_school_first_and_can_change_it(make_app):
    app = make_app("admin.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.check_action("section", ("learners",)) is False
        await pilot.press("escape")  # the first choice cannot be skipped
        await pilot.press(*"Cwm", "enter")
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)
        assert app.session.school.code == "6612001"
        assert {row.school_name for row in user_list(app).rows} == {"Ysgol Gynradd Cwm Derwen"}

        await pilot.press("s", *"6614050", "enter")
        await pilot.pause()
        assert app.session.school.code == "6614050"
        assert {row.school_name for row in user_list(app).rows} == {"Riverside High School"}


async def test_self_change_from_my_profile(make_app, ui_hwb: Hwb):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)
        assert "Sarah Teacher" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        await _fill_dialog(pilot, "MyOwnPass42")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert password_is(ui_hwb, "teacher.demo", "MyOwnPass42")
        assert audited(ui_hwb, AuditAction.SELF_CHANGE) == ["teacher.demo"]


async def test_primary_learner_is_told_why_there_is_no_reset(make_app, ui_hwb: Hwb):
    app = make_app("primary.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)
        assert "Primary school learners cannot change their own password" in screen_text(app)
        await pilot.press("r", "2")
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)
        assert not app.screen.query("#reset-password")
        assert password_is(ui_hwb, "primary.demo", "Croeso2026")


async def test_secondary_learner_governor_and_non_mis_only_have_their_profile(make_app):
    for username in ("learner.demo", "governor.demo", "nonmis.demo"):
        app = make_app(username)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ProfileScreen)
            assert app.screen.check_action("reset_password", ()) is True
            assert [m for m in ("learners", "staff") if app.check_action("section", (m,))] == []


async def test_the_mouse_highlights_and_reveals_the_row_under_it(make_app, ui_hwb: Hwb):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash")  # the list loses the focus: nothing is shown
        await pilot.pause()
        listing = user_list(app)
        index = next(
            i
            for i, row in enumerate(listing.rows)
            if row.status is PasswordStatus.AVAILABLE and i > 0
        )
        await pilot.hover(UserList, offset=(5, index + 1))  # line 0 is the header
        await pilot.pause()
        assert listing.highlighted == listing.rows[index]
        assert listing.revealed_password == known_password(listing.rows[index].username)
        await pilot.hover("#search")
        await pilot.pause()
        assert listing.revealed_password is None


async def test_the_non_mis_list_shows_when_each_account_ends(make_app, ui_hwb: Hwb):
    import datetime as dt

    from hwb_tui.domain.membership import EndChoice
    from hwb_tui.store.models import Account

    champion = ui_hwb.users.actor("champion.demo")
    added = ui_hwb.non_mis.add(champion, "Val", "Volunteer", EndChoice.ONE_MONTH)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    Account.update(expires_on=yesterday).where(Account.username == "nonmis.demo").execute()
    app = make_app("champion.demo", view="non-mis")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Ends" in text
        assert added.user.expires_on.strftime("%d/%m/%Y") in text
        line = next(line for line in text.splitlines() if "nonmis.demo" in line)
        assert "expired" in line
