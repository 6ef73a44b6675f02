"""View Learners: tick learners with space, the Selected Users menu, and Group Actions (g).

Mixed into the users screen, which adds SELECTION_BINDINGS to its keys and asks
`check_selection_action` about SELECTION_ACTIONS. The ticks live in the list widget and are
kept across searches, so learners found by different searches can be reset together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from hwb_tui.domain import rights
from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.model import Kind
from hwb_tui.domain.rights import Action
from hwb_tui.ui import styles

# Group Actions and printing are imported when first used: start-up shows the list only.
if TYPE_CHECKING:
    from hwb_tui.services.jobs import JobSummary
    from hwb_tui.ui.group_reset import GroupResetTask
    from hwb_tui.ui.widgets.user_list import UserList

# Out of the footer, which is full at 80 columns: the help (F1) and the palette list them, and
# the selection count line names `u` once something is ticked.
SELECTION_BINDINGS: list[BindingType] = [
    Binding("space", "toggle_selected", N_("Select"), id="users.toggle-selected", show=False,
            tooltip=N_("Tick or untick the highlighted learner")),
    Binding("u", "selected_users", N_("Selected Users"), id="users.selected-users", show=False,
            tooltip=N_("Act on the ticked learners: print or reset them")),
    Binding("g", "group_actions", N_("Group Actions"), id="users.group-actions", show=False,
            tooltip=N_("Reset the passwords of a registration group, class or year")),
]  # fmt: skip
SELECTION_ACTIONS = frozenset({"toggle_selected", "selected_users", "group_actions"})

PRINT_SELECTED = "print-selected"
PRINT_SELECTED_WITH_PASSWORD = "print-selected-with-password"
RESET_SELECTED = "reset-selected"
# The menu as the portal has it: under Print, then Reset.
SELECTED_USERS_ACTIONS = (
    (PRINT_SELECTED, N_("Print Selected")),
    (PRINT_SELECTED_WITH_PASSWORD, N_("Print Selected (With Password)")),
    (RESET_SELECTED, N_("Reset Selected")),
)


class SelectedUsersMenu(ModalScreen[str | None]):
    """Selected Users: what to do with the ticked learners."""

    CSS_PATH = styles.DIALOGS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Go Back"), id="selected-users.cancel",
                tooltip=N_("Close without doing anything")),
    ]  # fmt: skip

    def __init__(self, count: int) -> None:
        super().__init__()
        self._count = count

    def _title(self) -> Content:
        return Content(_("Selected Users ({count})").format(count=self._count))

    def relabel(self) -> None:
        """After a language switch: the title, which has the count in it."""
        self.query_one(".dialog-title", Static).update(self._title())

    def compose(self) -> ComposeResult:
        with Vertical(id="selected-users", classes="dialog"):
            yield Static(self._title(), classes="dialog-title")
            yield OptionList(
                *(Option(Content(_(label)), id=choice) for choice, label in SELECTED_USERS_ACTIONS)
            )

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SelectsLearners:
    """Selection and group actions for the learners list (mixed into UsersScreen)."""

    kind: Kind
    user_list: UserList  # provided by the screen this is mixed into

    def check_selection_action(self, action: str) -> bool | None:
        if self.kind is not Kind.LEARNER:
            return False
        if action == "toggle_selected":
            return bool(self.user_list.rows) or None
        may_reset = rights.may(
            self.session.actor, Action.RESET_PASSWORD, Kind.LEARNER, self.session.school_id
        )
        if action == "selected_users":
            return (may_reset and bool(self.user_list.selected)) or None
        return may_reset or None

    def action_toggle_selected(self) -> None:
        self.user_list.toggle_selected()
        self._show_selection()
        self.refresh_bindings()

    def _show_selection(self) -> None:
        count = len(self.user_list.selected)
        try:
            status = self.query_one("#selection-status", Static)
        except NoMatches:
            status = Static(id="selection-status", markup=False)
            self.mount(status, after="#list-status")
        status.update(
            _("{count} selected · u: Selected Users").format(count=count) if count else ""
        )
        status.display = bool(count)

    def action_selected_users(self) -> None:
        selected = self.user_list.selected
        if not selected:
            return

        def chosen(choice: str | None) -> None:
            if choice == RESET_SELECTED:
                self._open_group_actions(selected)
            elif choice is not None:
                from hwb_tui.ui.screens.printing import PrintRequest, start_print

                with_password = choice == PRINT_SELECTED_WITH_PASSWORD
                start_print(self, PrintRequest(with_password=with_password, usernames=selected))

        self.app.push_screen(SelectedUsersMenu(len(selected)), chosen)

    def action_group_actions(self) -> None:
        self._open_group_actions()

    def _open_group_actions(self, selected: tuple[str, ...] = ()) -> None:
        from hwb_tui.ui.screens.group_actions import GroupActionsScreen

        self.app.push_screen(GroupActionsScreen(selected), self._follow)

    def _follow(self, task: GroupResetTask | None) -> None:
        """Once a reset started here finishes, the list shows the new statuses."""
        if task is not None:
            task.watch(self._reset_progressed)

    def _reset_progressed(self, job: JobSummary) -> None:
        if job.is_finished and self.is_mounted:
            self.user_list.clear_selection()
            self._show_selection()
            self.load()
