"""A Hwb administrator chooses the school to work on: searchable by name or code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.model import School
from hwb_tui.domain.text import safe_text
from hwb_tui.ui import styles
from hwb_tui.ui.widgets.quiet_input import QuietInput


class SchoolChooser(ModalScreen[School | None]):
    CSS_PATH = styles.DIALOGS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="school.cancel",
                tooltip=N_("Keep the current school")),
        Binding("down", "move(1)", N_("Next"), show=False, id="school.next",
                tooltip=N_("Highlight the next school")),
        Binding("up", "move(-1)", N_("Previous"), show=False, id="school.previous",
                tooltip=N_("Highlight the previous school")),
    ]  # fmt: skip

    def __init__(self, schools: Sequence[School], *, can_cancel: bool) -> None:
        super().__init__()
        self._schools = tuple(schools)
        self._can_cancel = can_cancel

    def compose(self) -> ComposeResult:
        with Vertical(id="school-chooser", classes="dialog"):
            yield Static(Content(_("Choose a school")), classes="dialog-title")
            yield QuietInput(
                placeholder=_("Search by name or code"), id="school-search", compact=True
            )
            yield OptionList(id="schools")

    def on_mount(self) -> None:
        self._show("")

    def _show(self, term: str) -> None:
        needle = term.strip().casefold()
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(Content(f"{safe_text(school.name)}  {safe_text(school.code)}"), id=str(index))
            for index, school in enumerate(self._schools)
            if needle in school.name.casefold() or needle in school.code
        )
        options.highlighted = 0 if options.option_count else None

    @on(Input.Changed, "#school-search")
    def _filter(self, event: Input.Changed) -> None:
        self._show(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    @on(Input.Submitted, "#school-search")
    def _choose_highlighted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option)

    def _choose(self, option: Option) -> None:
        self.dismiss(self._schools[int(option.id or 0)])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self._can_cancel if action == "cancel" else True

    def action_cancel(self) -> None:
        self.dismiss(None)
