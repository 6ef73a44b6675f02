"""The app: sign-in, then one mode per section (My Profile and the four user lists).

Extension points for other features:
- SECTIONS: add a Section (its key, title and screen) to get a mode, a footer key, a palette
  command and a help line; `available` says who may open it (e.g. Administration on `6`).
- EXTRA_BINDINGS: app-wide keys (e.g. `f2` to switch language); give each an id and a tooltip.
- `HwbApp.session` holds the signed-in actor and school; `copy_password` is the one way to copy.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from hwb_tui.domain import rights
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.model import Actor, Kind, School
from hwb_tui.domain.rights import Download
from hwb_tui.domain.text import safe_text
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.startup import resume_collection
from hwb_tui.ui import styles
from hwb_tui.ui.clipboard import Clipboard, choose_clipboard
from hwb_tui.ui.idle_lock import IdleLock
from hwb_tui.ui.language import LANGUAGE_BINDING, SwitchesLanguage
from hwb_tui.ui.session import Session

# Each screen's module is imported when the screen is first shown: start-up imports the first
# screen's only.


@dataclass(frozen=True, slots=True)
class Section:
    mode: str  # also the --view name
    key: str
    title: str  # marked with N_, translated when shown
    tooltip: str
    make: Callable[[], Screen]
    available: Callable[[Session], bool]


def _section(mode: str) -> Section:
    return next(section for section in SECTIONS if section.mode == mode)


def _lists(kind: Kind) -> Callable[[Session], bool]:
    def available(session: Session) -> bool:
        return kind in session.actor_kinds

    return available


def _may_download(session: Session) -> bool:
    """Administration opens for those who may download something: staff and administrators."""
    return any(rights.may_download(session.actor, d, session.school_id) for d in Download)


def _profile() -> Screen:
    from hwb_tui.ui.screens.profile import ProfileScreen

    return ProfileScreen()


def _users(kind: Kind) -> Callable[[], Screen]:
    def make() -> Screen:
        from hwb_tui.ui.screens.users import UsersScreen

        return UsersScreen(kind)

    return make


def _administration() -> Screen:
    from hwb_tui.ui.screens.administration import AdministrationScreen

    return AdministrationScreen()


SECTIONS: tuple[Section, ...] = (
    Section("profile", "1", N_("My Profile"), N_("Your details and your own password"),
            _profile, lambda session: True),
    Section("learners", "2", N_("Learners"), N_("View Learners"),
            _users(Kind.LEARNER), _lists(Kind.LEARNER)),
    Section("staff", "3", N_("Staff"), N_("View Staff"),
            _users(Kind.STAFF), _lists(Kind.STAFF)),
    Section("governors", "4", N_("Governors"), N_("View Governors"),
            _users(Kind.GOVERNOR), _lists(Kind.GOVERNOR)),
    Section("non-mis", "5", N_("Non-MIS"), N_("View Non-MIS"),
            _users(Kind.NON_MIS), _lists(Kind.NON_MIS)),
    Section("administration", "6", N_("Administration"), N_("Download Passwords"),
            _administration, _may_download),
)  # fmt: skip

EXTRA_BINDINGS: list[Binding] = [LANGUAGE_BINDING]

# The section keys share one footer entry ("12345 Screens") so the footer fits 80 columns;
# each key keeps its own description in the help screen and the palette.
SECTION_KEYS = Binding.Group(N_("Screens"), compact=True)


class HwbApp(IdleLock, SwitchesLanguage, App[int]):
    TITLE = "hwb-tui"
    CSS_PATH = styles.APP
    MODES: ClassVar[dict[str, Callable[[], Screen]]] = {
        section.mode: section.make for section in SECTIONS
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(section.key, f"section('{section.mode}')", section.title,
                    tooltip=section.tooltip, id=f"app.{section.mode}", group=SECTION_KEYS)
            for section in SECTIONS
        ),
        Binding("s", "change_school", N_("School"), id="app.change-school",
                tooltip=N_("Choose another school (Hwb administrators)")),
        Binding("f1", "help", N_("Help"), id="app.help",
                tooltip=N_("Show every key and what it does")),
        # Not in the footer, which 80 columns cannot hold whole: Help (f1) lists it, and
        # ctrl+c says how to quit.
        Binding("ctrl+q", "quit", N_("Quit"), id="app.quit", priority=True, show=False,
                tooltip=N_("Leave hwb-tui")),
        # Priority, so the focus moves as the key arrives: keys that come in one burst (a
        # password manager's auto-type, or what a slow SSH link delivers at once) are all routed
        # before the focused field has handled any of them, and Textual's own tab binding would
        # move the focus only after the password had been routed into the username field.
        Binding("tab", "focus_next", N_("Next field"), id="app.focus-next", priority=True,
                show=False, tooltip=N_("Move to the next field or button")),
        Binding("shift+tab", "focus_previous", N_("Previous field"), id="app.focus-previous",
                priority=True, show=False, tooltip=N_("Move to the previous field or button")),
        *EXTRA_BINDINGS,
    ]  # fmt: skip

    def __init__(
        self,
        hwb: Hwb,
        *,
        actor: Actor | None = None,
        view: str | None = None,
        clipboard: Clipboard | None = None,
    ) -> None:
        self.hwb = hwb
        self.session: Session | None = Session(actor) if actor else None
        self._view = view
        # Known before the app runs (a session whose school is fixed), the first section is the
        # default mode, and its screen the app's default screen: Textual starts a screen named
        # in MODES inside the app's own start, where its first frame was drawn and dropped and
        # the list then waited for the next refresh tick (37 ms of a 0.3 s start). Its mode is
        # added once the app has started (on_mount), for its key to come back to it.
        self._first_section: str | None = None
        if self.session is not None and not self.session.needs_school:
            self._first_section = self.DEFAULT_MODE = self._first_mode()
            self.MODES = {m: make for m, make in HwbApp.MODES.items() if m != self._first_section}
        super().__init__()
        self._password_clipboard = clipboard
        if self.session is not None:
            self.use_remembered_language()  # before the first screen is built

    # -- starting: sign in, choose a school, open the first section --------------------------

    def get_default_screen(self) -> Screen:
        if self._first_section is None:
            return super().get_default_screen()
        screen = _section(self._first_section).make()
        # Textual reads a screen's own style sheet as it shows the screen in a mode or pushes
        # it, but not a default screen's: read here, before the screen is styled.
        for path in screen.css_path:
            if not self.stylesheet.has_source(str(path)):
                self.stylesheet.read(path)
        return screen

    def on_mount(self) -> None:
        if self._first_section is not None:
            self.add_mode(self._first_section, _section(self._first_section).make)
        self.start_idle_lock()
        self.call_after_refresh(resume_collection)  # start-up is over once the screen is up
        if self.session is None:
            from hwb_tui.ui.screens.sign_in import SignInScreen

            self.push_screen(SignInScreen(), self._signed_in)
        else:
            self._start()

    def _signed_in(self, actor: Actor | None) -> None:
        if actor is not None:
            self.session = Session(actor)
            self.use_remembered_language()
            self._start()

    def _start(self) -> None:
        assert self.session is not None
        if self.session.needs_school:
            self._choose_school(can_cancel=False)
        else:
            self.switch_mode(self._first_mode())
            self._offer_unfinished_resets()

    def _offer_unfinished_resets(self) -> None:
        """Once the first screen is shown: it need not wait for the offer."""

        def offer() -> None:
            from hwb_tui.ui.screens.group_actions import offer_unfinished_resets

            offer_unfinished_resets(self)

        self.call_after_refresh(offer)

    def _first_mode(self) -> str:
        assert self.session is not None
        open_ = [section.mode for section in SECTIONS if section.available(self.session)]
        if self._view in open_:
            return self._view
        return "learners" if "learners" in open_ else "profile"

    def _choose_school(self, *, can_cancel: bool) -> None:
        assert self.session is not None
        from hwb_tui.ui.screens.school_chooser import SchoolChooser

        schools = self.hwb.users.schools(self.session.actor)
        self.push_screen(SchoolChooser(schools, can_cancel=can_cancel), self._school_chosen)

    async def _school_chosen(self, school: School | None) -> None:
        if school is None or self.session is None:
            return
        self.session.school = school
        # Screens of the old school must not linger in other modes: start those afresh. The
        # current screen reloads itself when it resumes after this dialog.
        for section in SECTIONS:
            if section.mode != self.current_mode:
                await self.remove_mode(section.mode)
                self.add_mode(section.mode, section.make)
        if self.current_mode not in self.MODES:
            self.switch_mode(self._first_mode())
            self._offer_unfinished_resets()  # an administrator's first school is chosen

    # -- keys ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.is_locked:
            return action == "quit"  # no palette, section or help past the lock
        if action == "section":
            if self.session is None or self.session.needs_school:
                return False
            (mode,) = parameters
            return _section(mode).available(self.session)
        if action == "change_school":
            if self.session is None or not self.session.actor.is_hwb_admin:
                return False
            return len(self.screen_stack) == 1 or None  # not from inside a details screen
        return True

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Fields of Textual's own (the command palette's search) blink too; a blink is
        # ~2.3 KB/s on the wire while the user does nothing, so every field is kept steady.
        # (Any widget with a blinking cursor: naming TextArea would import it at start-up.)
        if hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    def action_section(self, mode: str) -> None:
        self.switch_mode(mode)

    def action_change_school(self) -> None:
        self._choose_school(can_cancel=True)

    def action_help(self) -> None:
        from hwb_tui.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        keys = [
            (
                self.get_key_display(active.binding),
                _(active.binding.description),
                _(active.binding.tooltip),
            )
            for active in self.active_bindings.values()
            # Ours all have ids; Textual's own (tab, copy selected text) are left out.
            if active.enabled and active.binding.id and active.binding.description
        ]
        self.push_screen(HelpScreen(keys))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The sections and help as palette commands; never "Screenshot", which would write
        revealed passwords to a file."""
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command
        if self.session is None:
            return
        for section in SECTIONS:
            if section.available(self.session):
                yield SystemCommand(
                    _(section.title), _(section.tooltip), lambda m=section.mode: self.switch_mode(m)
                )

    # -- copying a password ------------------------------------------------------------------

    def copy_password(self, username: str) -> None:
        """Copy a user's password (audited as a copy), and clear it again after a while."""
        assert self.session is not None
        try:
            password = self.hwb.passwords.reveal(self.session.actor, username, AuditAction.COPY)
        except HwbError as error:
            self.notify(safe_text(str(error)), severity="error", markup=False)
            return
        if self._password_clipboard is None:
            self._password_clipboard = choose_clipboard(self, os.environ)
        self._password_clipboard.put(password)
        seconds = self.hwb.settings.clipboard_clear_seconds
        self.notify(
            _("Copied the password of {username} {how}; it is cleared in {seconds} s.").format(
                username=safe_text(username),
                how=self._password_clipboard.describe(),
                seconds=seconds,
            ),
            markup=False,
        )
        clipboard = self._password_clipboard
        # 0 means "clear as soon as possible"; Textual's timers need a positive interval.
        self.set_timer(
            max(seconds, 0.1), lambda: clipboard.clear() if clipboard.holds(password) else None
        )


def run_app(settings: Settings, *, as_user: str | None = None, view: str | None = None) -> int:
    """Open the services and run the app until the user quits; the exit code."""
    with Hwb.open(settings) as hwb:
        # --as comes from a trusted SSH forced command: the session starts signed in.
        actor = hwb.passwords.start_forced_session(as_user) if as_user else None
        # Over a slow link every mouse move would be a round trip; the app is keyboard-first.
        result = HwbApp(hwb, actor=actor, view=view).run(mouse=not settings.low_bandwidth)
    return result or 0
