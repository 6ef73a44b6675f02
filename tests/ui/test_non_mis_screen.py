"""Administration › Non-MIS users in the app: add, expired shown, extend, rename, remove."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Input

from hwb_tui.domain.membership import EndChoice, end_date
from hwb_tui.store.models import Account
from hwb_tui.ui.screens.administration import AdministrationScreen
from hwb_tui.ui.screens.non_mis import NonMisDialog, NonMisForm
from tests.ui.conftest import screen_text

TODAY = dt.date.today()


async def open_dialog(app, pilot) -> None:
    await pilot.pause()
    await pilot.press("6")
    await pilot.pause()
    assert isinstance(app.screen, AdministrationScreen)
    await pilot.press("n")
    await pilot.pause()


async def highlight(app, pilot, username: str) -> None:
    table = app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(username))
    await pilot.pause()


async def fill(app, pilot, end: EndChoice | None, **names: str) -> None:
    assert isinstance(app.screen, NonMisForm)
    for field, value in names.items():
        app.screen.query_one(f"#{field}", Input).value = value
    if end is not None:
        await pilot.click(f"#ends-{end}")
    await pilot.click("#save")
    await pilot.pause()


def row(username: str) -> Account:
    return Account.get(Account.username == username)


async def test_a_champion_adds_extends_renames_and_removes(make_app):
    Account.update(expires_on=TODAY - dt.timedelta(days=3)).where(
        Account.username == "nonmis.demo"
    ).execute()
    app = make_app("champion.demo")
    async with app.run_test(size=(110, 32)) as pilot:
        await open_dialog(app, pilot)
        assert isinstance(app.screen, NonMisDialog)
        assert "expired" in screen_text(app)

        await pilot.press("a")
        await pilot.pause()
        await fill(app, pilot, EndChoice.ONE_MONTH, forename="Siân", surname="Cymorth")
        assert isinstance(app.screen, NonMisDialog)
        added = row("scymorth")
        assert added.expires_on == end_date(EndChoice.ONE_MONTH, TODAY)
        assert "scymorth" in screen_text(app)

        await highlight(app, pilot, "nonmis.demo")
        await pilot.press("e")
        await pilot.pause()
        await fill(app, pilot, EndChoice.THREE_MONTHS)
        assert row("nonmis.demo").expires_on == end_date(EndChoice.THREE_MONTHS, TODAY)

        await highlight(app, pilot, "scymorth")
        await pilot.press("n")
        await pilot.pause()
        await fill(app, pilot, None, forename="", surname="Cymorth-Jones")
        assert row("scymorth").surname == "Cymorth-Jones"

        await highlight(app, pilot, "scymorth")
        await pilot.press("delete")
        await pilot.pause()
        assert row("scymorth").left_at is not None
        assert "scymorth" not in screen_text(app)


async def test_a_bad_name_is_refused_and_nothing_is_added(make_app):
    app = make_app("champion.demo")
    before = Account.select().count()
    async with app.run_test(size=(110, 32)) as pilot:
        await open_dialog(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        await fill(app, pilot, None, forename="Ann\x1b[2J", surname="Bell")
        assert isinstance(app.screen, NonMisDialog)
    assert Account.select().count() == before


async def test_other_staff_cannot_open_it(make_app):
    app = make_app("teacher.demo")
    async with app.run_test(size=(110, 32)) as pilot:
        await open_dialog(app, pilot)
        assert isinstance(app.screen, AdministrationScreen)
