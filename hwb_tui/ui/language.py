"""Switching a running app between Cymraeg and English without losing what is on screen.

Nothing is rebuilt: typed text, the highlighted row, an open dialog and a running job stay as
they are. A widget whose whole text is a message (a label, a button, a placeholder, a
tooltip) is shown in the new language; a widget that builds its text from several parts or
values rebuilds it in its own `relabel()`; every widget is redrawn, so text drawn with `_()`
at render time (the user list, the footer) follows too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, OptionList, RadioButton, Static

from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import (
    N_,
    current_language,
    other_language,
    retranslate,
    set_language,
)
from hwb_tui.domain.text import safe_text

if TYPE_CHECKING:
    from textual.screen import Screen

    from hwb_tui.services.hwb import Hwb
    from hwb_tui.ui.session import Session

# Labelled with the other language's own name, as the portal's switch is: "Cymraeg" in
# English; the Welsh catalog gives "English". Priority: it works in every field and dialog.
LANGUAGE_BINDING = Binding(
    "f2",
    "switch_language",
    # Translators: the switch names the other language in that language: "English" in Welsh.
    N_("Cymraeg"),
    id="app.switch-language",
    tooltip=N_("Switch to Welsh"),
    priority=True,
)


@runtime_checkable
class Relabels(Protocol):
    def relabel(self) -> None:
        """Show text built from several parts, or with values in it, in the current language."""


def _again(text: object) -> str | None:
    if isinstance(text, Content) and not text.spans:
        return retranslate(text.plain)
    if isinstance(text, str):
        return retranslate(text)
    return None


def _relabel_widget(widget: Widget) -> None:
    if isinstance(widget, Button | Checkbox | RadioButton):
        text = _again(widget.label)
        if text is not None:
            widget.label = Content(text)
    elif isinstance(widget, Static):
        text = _again(widget.content)
        if text is not None:
            widget.update(Content(text) if isinstance(widget.content, Content) else text)
    if isinstance(widget, OptionList):
        for index in range(widget.option_count):
            text = _again(widget.get_option_at_index(index).prompt)
            if text is not None:
                widget.replace_option_prompt_at_index(index, Content(text))
    if isinstance(widget, Input):
        text = _again(widget.placeholder)
        if text is not None:
            widget.placeholder = text
    for attribute in ("tooltip", "border_title", "border_subtitle"):
        text = _again(getattr(widget, attribute))
        if text is not None:
            setattr(widget, attribute, text)
    if isinstance(widget, Relabels):
        widget.relabel()
    widget.refresh(layout=True)


def relabel(root: Widget) -> None:
    """Show root and everything in it in the current language, keeping all of its state."""
    for widget in root.walk_children(with_self=True):
        _relabel_widget(widget)


class SwitchesLanguage:
    """Mixed into the App: f2 switches every screen at once, and each user's choice is kept."""

    hwb: Hwb
    session: Session | None

    def use_remembered_language(self) -> None:
        """After sign-in: the user's own last choice, unless --lang or HWB_LANG chose one."""
        if self.session is None or self.hwb.settings.language is not None:
            return
        remembered = self.hwb.preferences.language(self.session.actor)
        if remembered is not None and remembered != current_language():
            self.show_language(remembered)

    def action_switch_language(self) -> None:
        language = other_language()
        self.show_language(language)
        if self.session is not None:
            try:
                self.hwb.preferences.set_language(self.session.actor, language)
            except HwbError as error:  # the switch still holds for this session
                self.notify(safe_text(str(error)), severity="warning", markup=False)

    def show_language(self, language: str) -> None:
        set_language(language)
        for screen in self._every_screen():
            relabel(screen)
            screen.refresh_bindings()  # the footer recomposes with the new descriptions

    def _every_screen(self) -> Iterator[Screen]:
        """The screens of every mode, the ones out of sight too; a mode not yet opened builds
        its screen in the new language when it is."""
        for mode in dict.fromkeys((self.DEFAULT_MODE, *self.MODES)):  # the first may be a section
            try:
                yield from self.get_screen_stack(mode)
            except KeyError:
                continue
