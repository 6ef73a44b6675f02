"""Administration › Import from the MIS in the app: preview first, then apply; refusals shown."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button, Input

from hwb_tui.store.models import Account
from hwb_tui.ui.screens.administration import AdministrationScreen
from hwb_tui.ui.screens.mis_import import MisImportDialog
from tests.test_mis_import import LEARNER_HEADER, csv_bytes, learner_rows
from tests.ui.conftest import screen_text


async def open_dialog(app, pilot) -> None:
    await pilot.pause()
    await pilot.press("6")
    await pilot.pause()
    assert isinstance(app.screen, AdministrationScreen)
    await pilot.press("i")
    await pilot.pause()


async def preview(app, pilot, path: Path) -> str:
    app.screen.query_one("#mis-import-file", Input).value = str(path)
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen_text(app)


def has_left(username: str) -> bool:
    return Account.get(Account.username == username).left_at is not None


async def test_a_champion_previews_then_applies_an_import(make_app, ui_hwb, tmp_path):
    rows = [row for row in learner_rows(ui_hwb) if row[2] != "learner.demo"]
    path = tmp_path / "learners.csv"
    path.write_bytes(csv_bytes([LEARNER_HEADER, *rows]))
    app = make_app("champion.demo")
    async with app.run_test(size=(110, 32)) as pilot:
        await open_dialog(app, pilot)
        assert isinstance(app.screen, MisImportDialog)
        apply = app.screen.query_one("#apply", Button)
        assert apply.disabled
        text = await preview(app, pilot, path)
        assert "1 left" in text and "learner.demo" in text
        assert not has_left("learner.demo"), "a preview changes nothing"
        assert not apply.disabled
        await pilot.click("#apply")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert has_left("learner.demo")
        assert "Imported" in screen_text(app)
        assert apply.disabled, "applying again needs a new preview"


async def test_a_refused_file_lists_its_problems_and_cannot_be_applied(make_app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([LEARNER_HEADER, ["Ann", "Bell", "", "", "14", "", "", "1"]]))
    app = make_app("champion.demo")
    async with app.run_test(size=(110, 32)) as pilot:
        await open_dialog(app, pilot)
        text = await preview(app, pilot, path)
        assert "line 2: Year" in text
        assert app.screen.query_one("#apply", Button).disabled


async def test_staff_who_are_not_the_digital_champion_cannot_open_it(make_app):
    app = make_app("teacher.demo")
    async with app.run_test(size=(110, 32)) as pilot:
        await open_dialog(app, pilot)
        assert isinstance(app.screen, AdministrationScreen)
