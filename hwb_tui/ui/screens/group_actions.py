"""Group Actions › Reset Passwords, Selected Users, and the offer to finish a cut-short reset.

Group Actions follows the portal: Registration Group / Class / Year, then the group from a
searchable list, then how many learners will get new passwords and a confirmation. The reset
runs in the background (GroupResetTask); this dialog shows its progress while it is open and
may be closed at any time. The services check rights again and explain any refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, ContentSwitcher, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.text import safe_text
from hwb_tui.services.jobs import GROUP_TYPE_LABELS, GroupChoice, GroupType, JobSummary
from hwb_tui.ui import styles
from hwb_tui.ui.group_reset import GroupResetTask, finished_message, progress_message
from hwb_tui.ui.screens.common import UsesServices
from hwb_tui.ui.screens.confirm_identity import after_confirming_identity
from hwb_tui.ui.screens.printing import PrintRequest, start_print
from hwb_tui.ui.widgets.quiet_input import QuietInput

if TYPE_CHECKING:
    from hwb_tui.ui.app import HwbApp

GROUP_TYPES = (GroupType.REG_GROUP, GroupType.CLASS, GroupType.YEAR)


class GroupActionsScreen(UsesServices, ModalScreen[GroupResetTask | None]):
    """Reset the passwords of a group, or of the selected users when some are given."""

    CSS_PATH = styles.DIALOGS

    DEFAULT_CSS = """
    GroupActionsScreen #group-types { height: auto; }
    GroupActionsScreen #groups { height: 12; }
    GroupActionsScreen #confirm-text, GroupActionsScreen #progress-text { height: auto; }
    GroupActionsScreen ContentSwitcher { height: auto; }
    GroupActionsScreen ContentSwitcher > Vertical { height: auto; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Close"), id="group-actions.close",
                tooltip=N_("Close; a reset already started goes on in the background")),
        Binding("down", "move(1)", N_("Next"), show=False, id="group-actions.next",
                tooltip=N_("Highlight the next group")),
        Binding("up", "move(-1)", N_("Previous"), show=False, id="group-actions.previous",
                tooltip=N_("Highlight the previous group")),
    ]  # fmt: skip

    def __init__(self, selected: Sequence[str] = ()) -> None:
        super().__init__()
        self._selected = tuple(selected)
        self._group_type: GroupType | None = None
        self._groups: tuple[GroupChoice, ...] = ()
        self._group_name = ""
        self._reset_task: GroupResetTask | None = None
        self._confirmation: Callable[[], str] | None = None  # says it again after a switch

    def compose(self) -> ComposeResult:
        with Vertical(id="group-actions", classes="dialog"):
            yield Static(Content(self._title()), classes="dialog-title")
            with ContentSwitcher(initial="confirm" if self._selected else "choose-type"):
                with Vertical(id="choose-type"):
                    yield OptionList(
                        *(
                            Option(Content(_(GROUP_TYPE_LABELS[group_type])), id=group_type)
                            for group_type in GROUP_TYPES
                        ),
                        id="group-types",
                    )
                with Vertical(id="choose-group"):
                    yield QuietInput(
                        placeholder=_("Search groups"), id="group-search", compact=True
                    )
                    yield OptionList(id="groups")
                with Vertical(id="confirm"):
                    yield Static(id="confirm-text", markup=False)
                    with Horizontal(classes="dialog-buttons"):
                        yield Button(
                            _("Reset Passwords"), id="reset", variant="primary", compact=True
                        )
                        yield Button(_("Go Back"), id="back", compact=True)
                with Vertical(id="progress"):
                    yield Static(id="progress-text", markup=False)
                    yield ProgressBar(id="progress-bar", show_eta=False)
                    with Horizontal(classes="dialog-buttons"):
                        yield Button(_("Print Slips"), id="print-slips", compact=True)
                        yield Button(_("Close"), id="close", compact=True)

    def _title(self) -> str:
        if self._selected:
            return _("Selected Users › Reset Selected")
        return _("Group Actions › Reset Passwords")

    def on_mount(self) -> None:
        if self._selected:
            self._confirm(
                lambda: _("{count} selected users will get new passwords.").format(
                    count=len(self._selected)
                )
            )
        else:
            self.query_one("#group-types", OptionList).focus()

    @property
    def _switcher(self) -> ContentSwitcher:
        return self.query_one(ContentSwitcher)

    # -- Registration Group / Class / Year, then the group -------------------------------------

    @on(OptionList.OptionSelected, "#group-types")
    def _type_chosen(self, event: OptionList.OptionSelected) -> None:
        group_type = GroupType(event.option.id)
        try:
            groups = self.hwb.jobs.groups(
                self.session.actor, group_type, school_id=self.session.school_id
            )
        except HwbError as error:
            self.refuse(error)
            return
        self._group_type, self._groups = group_type, groups
        search = self.query_one("#group-search", Input)
        search.value = ""
        self._show_groups("")
        self._switcher.current = "choose-group"
        search.focus()

    def _show_groups(self, term: str) -> None:
        needle = term.strip().casefold()
        options = self.query_one("#groups", OptionList)
        options.clear_options()
        options.add_options(
            Option(
                Content(
                    _("{group} ({count} learners)").format(
                        group=safe_text(choice.name), count=choice.learners
                    )
                ),
                id=str(index),
            )
            for index, choice in enumerate(self._groups)
            if needle in choice.name.casefold()
        )
        options.highlighted = 0 if options.option_count else None

    @on(Input.Changed, "#group-search")
    def _filter(self, event: Input.Changed) -> None:
        self._show_groups(event.value)

    def action_move(self, step: int) -> None:
        if self._switcher.current != "choose-group":
            return
        options = self.query_one("#groups", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    @on(Input.Submitted, "#group-search")
    def _choose_highlighted(self) -> None:
        options = self.query_one("#groups", OptionList)
        if options.highlighted is not None:
            self._group_chosen(options.get_option_at_index(options.highlighted))

    @on(OptionList.OptionSelected, "#groups")
    def _group_selected(self, event: OptionList.OptionSelected) -> None:
        self._group_chosen(event.option)

    def _group_chosen(self, option: Option) -> None:
        assert self._group_type is not None
        name = self._groups[int(option.id or 0)].name
        try:
            preview = self.hwb.jobs.preview(
                self.session.actor, self._group_type, name, self.session.school_id
            )
        except HwbError as error:
            self.refuse(error)
            return
        self._group_name = preview.name
        self._confirm(
            lambda: _(
                "{count} learners in {group} at {school} will get new passwords. "
                "It may take a few minutes."
            ).format(
                count=preview.learners,
                group=safe_text(preview.title),
                school=safe_text(preview.school.name),
            )
        )

    # -- confirming and resetting ----------------------------------------------------------------

    def _confirm(self, confirmation: Callable[[], str]) -> None:
        self._confirmation = confirmation
        self.query_one("#confirm-text", Static).update(confirmation())
        self._switcher.current = "confirm"
        self.query_one("#reset", Button).focus()

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        if self._selected:
            self.action_close()
        else:
            self._switcher.current = "choose-group"
            self.query_one("#group-search").focus()

    @on(Button.Pressed, "#reset")
    def _reset(self) -> None:
        after_confirming_identity(self, self._title(), self._start_reset)

    def _start_reset(self) -> None:
        actor = self.session.actor
        try:
            if self._selected:
                job = self.hwb.jobs.start_selected(actor, self._selected)
            else:
                assert self._group_type is not None
                job = self.hwb.jobs.start(
                    actor, self._group_type, self._group_name, self.session.school_id
                )
        except HwbError as error:
            self.refuse(error)
            return
        self._reset_task = GroupResetTask(self.hwb_app, job).start()
        self._switcher.current = "progress"
        self.query_one("#close", Button).focus()
        self._reset_task.watch(self._show_progress)

    def _show_progress(self, job: JobSummary) -> None:
        self.query_one("#progress-bar", ProgressBar).update(total=job.total, progress=job.done)
        text = finished_message(job) if job.is_finished else progress_message(job)
        self.query_one("#progress-text", Static).update(text)
        # Once done, the new passwords can be handed out: slips with the password, as in
        # the guide's "Securely supply the learners with their new passwords".
        self.query_one("#print-slips").display = job.is_finished and job.reset > 0

    @on(Button.Pressed, "#print-slips")
    def _print_slips(self) -> None:
        assert self._reset_task is not None
        job = self._reset_task.progress
        try:
            usernames = self.hwb.jobs.reset_usernames(self.session.actor, job.id)
        except HwbError as error:
            self.refuse(error)
            return
        start_print(self, PrintRequest(with_password=True, usernames=usernames))

    def relabel(self) -> None:
        """After a language switch: the lines with values in them, where they stand."""
        groups = self.query_one("#groups", OptionList)
        highlighted = groups.highlighted
        self._show_groups(self.query_one("#group-search", Input).value)
        groups.highlighted = highlighted
        if self._confirmation is not None:
            self.query_one("#confirm-text", Static).update(self._confirmation())
        if self._reset_task is not None:
            self._show_progress(self._reset_task.progress)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        """Close; the reset started here (the result) goes on in the background."""
        if self._reset_task is not None:
            self._reset_task.unwatch(self._show_progress)
        self.dismiss(self._reset_task)


class UnfinishedResetDialog(ModalScreen[JobSummary | None]):
    """At start: a group reset was cut short; finish it now, or later."""

    CSS_PATH = styles.DIALOGS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "later", N_("Later"), id="unfinished-reset.later",
                tooltip=N_("Leave it unfinished; the app offers it again next time")),
    ]  # fmt: skip

    def __init__(self, job: JobSummary) -> None:
        super().__init__()
        self._job = job

    def compose(self) -> ComposeResult:
        job = self._job
        with Vertical(id="unfinished-reset", classes="dialog"):
            yield Static(Content(_("Unfinished group reset")), classes="dialog-title")
            yield Static(
                _(
                    "{group} at {school}, started by {operator} on {started}, was cut short: "
                    "{done} of {total} learners done. Finish it now?"
                ).format(
                    group=safe_text(job.title),
                    school=safe_text(job.school.name),
                    operator=safe_text(job.operator),
                    started=job.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                    done=job.done,
                    total=job.total,
                ),
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Finish Now"), id="finish", variant="primary", compact=True)
                yield Button(_("Later"), id="later", compact=True)

    def on_mount(self) -> None:
        self.query_one("#finish").focus()

    @on(Button.Pressed, "#finish")
    def _finish(self) -> None:
        self.dismiss(self._job)

    @on(Button.Pressed, "#later")
    def action_later(self) -> None:
        self.dismiss(None)


def offer_unfinished_resets(app: HwbApp) -> None:
    """At start: offer to finish a group reset that was cut short (the oldest first)."""
    session = app.session
    assert session is not None
    try:
        unfinished = app.hwb.jobs.jobs(session.actor, unfinished_only=True)
    except HwbError:
        return
    if not unfinished:
        return

    def chosen(job: JobSummary | None) -> None:
        if job is not None:
            GroupResetTask(app, job).start()
            app.notify(
                _("Finishing {group} in the background.").format(group=safe_text(job.title)),
                markup=False,
            )

    app.push_screen(UnfinishedResetDialog(unfinished[-1]), chosen)
