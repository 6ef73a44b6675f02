"""The main screens pinned as SVG snapshots at 80x24 and 120x40, passwords hidden and shown.

The database is the demo with fixed dates and known passwords (see conftest), so the pictures
do not change from run to run. Update with `pytest tests/ui/test_snapshots.py
--snapshot-update` and look at every changed SVG before committing it. The README's picture,
docs/learners.svg, is a copy of test_learners_password_shown[80x24].svg.
"""

from __future__ import annotations

import pytest

from hwb_tui.ui.screens import password_dialog

SMALL = (80, 24)
LARGE = (120, 40)


async def _search(pilot, term: str) -> None:
    await pilot.press("slash", *term)
    await pilot.pause(0.6)  # past the search delay: the list shows the matches


def test_sign_in(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_learners_password_shown(snap_compare, make_app, size):
    """The list has the focus: the highlighted row shows its password."""
    assert snap_compare(make_app("teacher.demo"), terminal_size=size)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_learners_searched_password_hidden(snap_compare, make_app, size):
    """Typing a search term: the list is filtered and no password is shown."""
    assert snap_compare(
        make_app("teacher.demo"),
        terminal_size=size,
        run_before=lambda pilot: _search(pilot, "Clarke"),
    )


def test_staff_for_a_digital_champion(snap_compare, make_app):
    assert snap_compare(make_app("champion.demo"), press=["3"], terminal_size=SMALL)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_view_details(snap_compare, make_app, size):
    assert snap_compare(make_app("teacher.demo"), press=["down", "enter"], terminal_size=size)


def test_my_profile(snap_compare, make_app):
    assert snap_compare(make_app("teacher.demo"), press=["1"], terminal_size=SMALL)


def test_my_profile_primary_learner(snap_compare, make_app):
    assert snap_compare(make_app("primary.demo"), terminal_size=SMALL)


def test_reset_dialog_rules_ticking(snap_compare, make_app):
    assert snap_compare(make_app("teacher.demo"), press=["r", *"Abcdefg1"], terminal_size=SMALL)


def test_reset_dialog_generated(snap_compare, make_app, monkeypatch):
    monkeypatch.setattr(password_dialog, "generate_password", lambda: "Tobamiru472")
    assert snap_compare(make_app("teacher.demo"), press=["r", "ctrl+g"], terminal_size=SMALL)


def test_admin_chooses_a_school(snap_compare, make_app):
    assert snap_compare(make_app("admin.demo"), terminal_size=SMALL)


def test_help(snap_compare, make_app):
    assert snap_compare(make_app("teacher.demo"), press=["f1"], terminal_size=SMALL)
