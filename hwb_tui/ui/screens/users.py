"""View Learners / Staff / Governors / Non-MIS: search, reveal on highlight, copy, reset."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Label, Static

from hwb_tui.domain import rights
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.model import Kind, UserSummary
from hwb_tui.domain.paging import Page, PageKey
from hwb_tui.domain.rights import Action
from hwb_tui.ui.screens.common import QuietScreen, UsesServices
from hwb_tui.ui.screens.learner_selection import (
    SELECTION_ACTIONS,
    SELECTION_BINDINGS,
    SelectsLearners,
)
from hwb_tui.ui.widgets.app_footer import AppFooter
from hwb_tui.ui.widgets.quiet_input import QuietInput
from hwb_tui.ui.widgets.title_bar import TitleBar
from hwb_tui.ui.widgets.user_list import (
    CHUNK,
    LEARNER_COLUMNS,
    NON_MIS_COLUMNS,
    OTHER_COLUMNS,
    UserList,
)

# Typing pauses shorter than this are one search: the list repaints once, not once per key.
SEARCH_DELAY_SECONDS = 0.3

TITLES = {
    Kind.LEARNER: N_("View Learners"),
    Kind.STAFF: N_("View Staff"),
    Kind.GOVERNOR: N_("View Governors"),
    Kind.NON_MIS: N_("View Non-MIS"),
}

# Learners show their year and group; non-MIS users when their account ends.
COLUMNS = {Kind.LEARNER: LEARNER_COLUMNS, Kind.NON_MIS: NON_MIS_COLUMNS}
COUNTS = {
    Kind.LEARNER: N_("{count} learners"),
    Kind.STAFF: N_("{count} staff"),
    Kind.GOVERNOR: N_("{count} governors"),
    Kind.NON_MIS: N_("{count} non-MIS users"),
}

# The details screen and the print dialogs are imported when first opened: start-up shows the
# list only.

# The right each row action needs, for dimming its key and for saying why it is dimmed.
ACTION_RIGHTS = {"copy_password": Action.SEE_PASSWORD, "reset_password": Action.RESET_PASSWORD}


class UsersScreen(SelectsLearners, UsesServices, QuietScreen[None]):
    # The list has the focus from the start, unless a key typed as the app started (say "/")
    # has put it elsewhere already: the first screen is still being mounted as keys arrive.
    AUTO_FOCUS = "#users"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority, so the search field has the focus before the next key is routed: letters
        # typed quickly after "/" are the search term, never the list's keys (c copies, r resets).
        Binding("slash", "focus_search", N_("Search"), id="users.search", priority=True,
                tooltip=N_("Filter by surname, forename, username or admission number")),
        Binding("enter", "details", N_("Details"), id="users.details",
                tooltip=N_("View Details of the highlighted user")),
        Binding("c", "copy_password", N_("Copy"), id="users.copy-password",
                tooltip=N_("Copy the highlighted user's password to your clipboard")),
        Binding("r", "reset_password", N_("Reset"), id="users.reset-password",
                tooltip=N_("Reset the highlighted user's password")),
        Binding("p", "print_group", N_("Print"), id="users.print-group", show=False,
                tooltip=N_("Print Registration Group: slips for one group's learners")),
        Binding("escape", "focus_list", N_("List"), show=False, id="users.focus-list",
                tooltip=N_("Leave the search field and go back to the list")),
        *SELECTION_BINDINGS,
    ]  # fmt: skip

    def __init__(self, kind: Kind) -> None:
        super().__init__()
        self.kind = kind
        self._search_timer: Timer | None = None
        self._searched = ""
        self._school_id: int | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(id="title")
        with Horizontal(id="search-row"):
            yield Label(_("Search term"), id="search-label")
            yield QuietInput(
                placeholder=_("surname, forename, username or admission number"),
                id="search",
                compact=True,
                max_length=100,
            )
        yield UserList(
            COLUMNS.get(self.kind, OTHER_COLUMNS),
            self._reveal,
            empty_text=_("No users match."),
            id="users",
        )
        yield Static(id="list-status", markup=False)
        yield AppFooter()

    def on_screen_resume(self) -> None:
        # Every time the list comes back (first shown, back from View Details, another school
        # chosen) it is read again: statuses may have changed meanwhile (a reset, a group reset).
        self.load()

    @property
    def user_list(self) -> UserList:
        return self.query_one(UserList)

    def load(self) -> None:
        """Read the list again: where it was for the same school, from the top for another."""
        self.query_one(TitleBar).show(
            _(TITLES[self.kind]), self.session.school_name, self.session.actor.display_name
        )
        if self._school_id == self.session.school_id and self.user_list.rows:
            self._show(self.user_list.reload)
        else:
            self._school_id = self.session.school_id
            self._search(self.query_one("#search", Input).value)

    def _search(self, term: str) -> None:
        def fetch(key: PageKey | None, backwards: bool) -> Page:
            return self.hwb.users.page(
                self.session.actor,
                self.kind,
                school_id=self._school_id,
                search=term,
                key=key,
                backwards=backwards,
                limit=CHUNK,
            )

        if self._show(lambda: self.user_list.show(fetch)):
            self._searched = term

    def _show(self, read: Callable[[], None]) -> bool:
        """Run a read of the list; a refusal (a bad search term) leaves the list as it was."""
        try:
            read()
        except HwbError as error:
            self.refuse(error)
            return False
        self._show_count()
        self.refresh_bindings()
        return True

    def _show_count(self) -> None:
        rows = len(self.user_list.rows)
        if self.user_list.is_whole_list:
            count = _(COUNTS[self.kind]).format(count=rows)
        else:
            count = _("More than {count}: type a search term to narrow the list").format(count=rows)
        self.query_one("#list-status", Static).update(Content(count))

    def relabel(self) -> None:
        """After a language switch: the count line, which has a value in it."""
        self._show_count()

    # -- search as you type, one query per pause ---------------------------------------------

    @on(Input.Changed, "#search")
    def _search_soon(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY_SECONDS, self._search_now)

    @on(Input.Submitted, "#search")
    def _search_and_list(self) -> None:
        self._search_now()
        self.user_list.focus()

    def _search_now(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        term = self.query_one("#search", Input).value
        if term != self._searched:
            self._search(term)

    def action_focus_search(self) -> None:
        search = self.query_one("#search")
        if self.focused is search:  # (has_focus changes later, when the Focus event is handled)
            raise SkipAction()  # then "/" is typed into the search term
        self.set_focus(search)  # at once: Widget.focus() would wait for the keys already routed

    def action_focus_list(self) -> None:
        self.user_list.focus()

    # -- what the highlighted user's row offers ----------------------------------------------

    def _reveal(self, user: UserSummary) -> str | None:
        """Called by the list for the highlighted row: every reveal is audited by the service."""
        try:
            return self.hwb.passwords.reveal(self.session.actor, user.username, AuditAction.REVEAL)
        except HwbError as error:
            self.refuse(error)
            return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Cosmetic only: the services check rights again and explain any refusal.
        if action in SELECTION_ACTIONS:
            return self.check_selection_action(action)
        if action == "print_group":
            may_print = rights.may(
                self.session.actor, Action.PRINT_DETAILS, Kind.LEARNER, self.session.school_id
            )
            return self.kind is Kind.LEARNER and (may_print or None)
        needs = ACTION_RIGHTS.get(action)
        if action in ("details", "copy_password", "reset_password") and not self.user_list.rows:
            return None
        if needs and not rights.may(self.session.actor, needs, self.kind, self.session.school_id):
            return None
        return True

    def explain_dimmed(self, action: str) -> None:
        user = self.user_list.highlighted
        if user is None:
            self.app.notify(_("No user is listed."), severity="warning", markup=False)
        elif action in ACTION_RIGHTS:
            self.explain_rights(ACTION_RIGHTS[action], user.target)
        else:
            super().explain_dimmed(action)

    def action_details(self) -> None:
        user = self.user_list.highlighted
        if user is not None:
            self._show_details(user.username)

    @on(UserList.Chosen)
    def _chosen(self, message: UserList.Chosen) -> None:
        self._show_details(message.user.username)

    def _show_details(self, username: str) -> None:
        from hwb_tui.ui.screens.user_details import UserDetailsScreen

        self.app.push_screen(UserDetailsScreen(username))

    def action_copy_password(self) -> None:
        user = self.user_list.highlighted
        if user is not None:
            self.hwb_app.copy_password(user.username)

    def action_print_group(self) -> None:
        from hwb_tui.ui.screens.printing import open_group_print

        user = self.user_list.highlighted
        open_group_print(self, user.reg_group if user else None)

    def action_reset_password(self) -> None:
        user = self.user_list.highlighted
        if user is not None:
            self.reset_password_of(user.username, f"{user.forename} {user.surname}")

    def password_was_reset(self, username: str) -> None:
        super().password_was_reset(username)
        self._show(self.user_list.reload)  # the row's status becomes "Show password"
