"""Which clipboard a copy goes to: the terminal's over SSH (OSC 52), the desktop's locally."""

from __future__ import annotations

import pytest

from hwb_tui.ui.clipboard import TerminalClipboard, choose_clipboard, has_local_clipboard


@pytest.mark.parametrize(
    ("env", "local"),
    [
        ({"SSH_CONNECTION": "10.0.0.2 50000 10.0.0.1 22", "DISPLAY": ":0"}, False),
        ({"SSH_CLIENT": "10.0.0.2 50000 22"}, False),
        ({}, False),  # a console without a desktop
        ({"DISPLAY": ":0"}, True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, True),
    ],
)
def test_a_local_clipboard_only_on_a_desktop_and_never_over_ssh(env, local):
    assert has_local_clipboard(env) is local


async def test_over_ssh_the_terminal_gets_it_through_osc52_and_it_is_cleared(make_app):
    app = make_app("teacher.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        clipboard = choose_clipboard(app, {"SSH_CONNECTION": "10.0.0.2 50000 10.0.0.1 22"})
        assert isinstance(clipboard, TerminalClipboard)
        assert "OSC 52" in clipboard.describe()
        clipboard.put("Known06Abrx")
        assert app.clipboard == "Known06Abrx" and clipboard.holds("Known06Abrx")
        clipboard.clear()
        assert not clipboard.holds("Known06Abrx")
