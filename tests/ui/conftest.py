"""The app on a real demo database: built once per run, copied for each test.

The copy is made deterministic for snapshots: fixed creation dates, and every password that
can be shown set to a known value (the demo generates random ones).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual import events
from textual.app import App
from textual.keys import _character_to_key

from hwb_tui.domain.model import Actor, PasswordStatus
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.models import Account
from hwb_tui.ui.app import HwbApp

CREATED_AT = dt.datetime(2026, 9, 1, 8, 30)
# No waiting between sign-in attempts: the throttle has its own tests.
ENV = {**os.environ, "HWB_SIGN_IN_DELAY_SECONDS": "0", "HWB_SIGN_IN_MAX_DELAY_SECONDS": "0"}


def known_password(username: str) -> str:
    """The password every available account but the demo sign-ins gets in the tests' database."""
    return f"Known{len(username):02d}{username[:3].capitalize()}x"


class FakeClipboard:
    """Stands in for the user's desktop or terminal clipboard, which is outside the machine."""

    def __init__(self) -> None:
        self.text = ""
        self.history: list[str] = []

    def describe(self) -> str:
        return "to the test clipboard"

    def put(self, text: str) -> None:
        self.text = text
        self.history.append(text)

    def holds(self, text: str) -> bool:
        return self.text == text

    def clear(self) -> None:
        self.text = ""


def send_burst(app, text: str) -> None:
    """Keys as one read from the terminal delivers them, which is how the driver posts them:
    every Key is queued before the first is handled (a password manager's auto-type, or what a
    slow SSH link delivers at once)."""
    names = {"\t": "tab", "\r": "enter"}
    for character in text:
        app.post_message(
            events.Key(names.get(character) or _character_to_key(character), character)
        )


def screen_text(app: App) -> str:
    """What the terminal shows, line by line, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def terminal_output(app: App) -> str:
    """The bytes a full repaint of the current screen would send to a real terminal."""
    update = app.screen._compositor.render_update(full=True)
    return update.render_segments(app.console)


def audited(hwb: Hwb, action: str) -> list[str]:
    """The targets of every audit record of one action, oldest first."""
    admin = hwb.users.actor("admin.demo")
    return [entry.target for entry in hwb.audit.entries(admin) if entry.action == action]


def _settings(folder: Path) -> Settings:
    return Settings.resolve(
        f"sqlite:///{folder / 'hwb.sqlite3'}", folder / "hwb.sqlite3.key", env=ENV
    )


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ui-demo")
    with Hwb.open(_settings(folder)) as hwb:
        hwb.demo.build()
        Account.update(created_at=CREATED_AT).execute()
        sealer = hwb.context.sealer
        for row in Account.select().where(
            Account.password_status == str(PasswordStatus.AVAILABLE),
            ~Account.username.endswith(".demo"),  # the demo sign-ins keep Croeso2026
        ):
            password = known_password(row.username)
            row.sealed_password = sealer.seal_password(row.id, password)
            row.password_hash = hwb.context.hasher.hash(password)
            row.save()
    return folder


@pytest.fixture
def ui_folder(demo_template: Path, tmp_path: Path) -> Path:
    for name in ("hwb.sqlite3", "hwb.sqlite3.key"):
        shutil.copy2(demo_template / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def ui_settings(ui_folder: Path) -> Settings:
    return _settings(ui_folder)


@pytest.fixture
def ui_hwb(ui_settings: Settings) -> Iterator[Hwb]:
    with Hwb.open(ui_settings) as hwb:
        yield hwb


@pytest.fixture
def clipboard() -> FakeClipboard:
    return FakeClipboard()


@pytest.fixture
def make_app(ui_hwb: Hwb, clipboard: FakeClipboard):
    """An app signed in as `username` (as --as does), or at the sign-in screen for None."""

    def make(username: str | None = None, view: str | None = None) -> HwbApp:
        actor: Actor | None = None
        if username is not None:
            actor = ui_hwb.passwords.start_forced_session(username)
        return HwbApp(ui_hwb, actor=actor, view=view, clipboard=clipboard)

    return make
