"""What the app would send to the terminal: only what changed, and nothing while idle.

The app runs headless here, so the updates Textual would write are rendered to bytes as a
real terminal would receive them. The figures in a real pseudo-terminal are the benchmark's
(bench/); these tests keep the list widget from regressing to whole-screen repaints.
"""

from __future__ import annotations

import pytest
from textual.app import App

from hwb_tui.ui.widgets.user_list import UserList


class Wire:
    """Counts the bytes of every screen update the app hands to its driver."""

    def __init__(self, app: App) -> None:
        self.sent = 0
        display = app._display

        def counting(screen, renderable) -> None:
            if renderable is not None and hasattr(renderable, "render_segments"):
                self.sent += len(renderable.render_segments(app.console).encode())
            display(screen, renderable)

        app._display = counting

    def take(self) -> int:
        sent, self.sent = self.sent, 0
        return sent


@pytest.fixture
async def learners(make_app):
    app = make_app("teacher.demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        wire = Wire(app)
        yield pilot, wire


async def test_a_whole_screen_is_many_times_what_a_move_sends(learners):
    pilot, wire = learners
    pilot.app.screen.refresh()
    await pilot.pause()
    whole = wire.take()
    await pilot.press("down")
    await pilot.pause()
    move = wire.take()
    assert 0 < move <= 700
    assert whole > 10 * move


async def test_nothing_is_sent_while_idle(learners):
    pilot, wire = learners
    await pilot.pause(1.0)
    assert wire.take() == 0


async def test_paging_down_a_list_sends_little_per_key(learners):
    pilot, wire = learners
    rows = len(pilot.app.screen.query_one(UserList).rows)
    await pilot.press(*["down"] * (rows - 1))
    await pilot.pause()
    assert wire.take() / (rows - 1) <= 1500


async def test_focusing_the_search_does_not_repaint_the_list(learners):
    pilot, wire = learners
    await pilot.press("slash")
    await pilot.pause()
    assert wire.take() <= 2500


async def test_mouse_moves_within_a_row_send_nothing(learners):
    pilot, wire = learners
    await pilot.hover(UserList, offset=(5, 3))
    await pilot.pause()
    wire.take()
    for x in range(6, 40, 3):
        await pilot.hover(UserList, offset=(x, 3))
    await pilot.pause()
    assert wire.take() == 0
    await pilot.hover(UserList, offset=(40, 4))
    await pilot.pause()
    assert 0 < wire.take() <= 1000
