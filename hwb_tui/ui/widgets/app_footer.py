"""The footer every screen shows: compact, so the keys fit 80 columns."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel  # Footer's parts; not re-exported

from hwb_tui.domain.i18n import _, current_language


class AppFooter(Footer):
    """The command palette key is left out here; it is on the help screen (f1)."""

    DEFAULT_CSS = """
    AppFooter.-compact FooterLabel {
        margin: 0 1 0 0;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(compact=True, show_command_palette=False, **kwargs)
        self._composed_for: tuple[object, ...] | None = None

    def _keys_shown(self) -> tuple[object, ...]:
        """What compose() would show: the footer's bindings, whether each is enabled, and the
        language their descriptions are in."""
        return (
            current_language(),
            *(
                (binding, enabled, tooltip)
                for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
                if binding.show
            ),
        )

    async def recompose(self) -> None:
        """Footer recomposes each time the screen's bindings are refreshed (mounting, focus,
        every list read), removing and mounting all its keys; a screen's start alone asks
        several times. Only a change in what it shows is worth that."""
        if not self.is_attached:
            return  # as Widget.recompose does, before asking for a screen
        shown = self._keys_shown()
        if shown == self._composed_for:
            return
        self._composed_for = shown
        await super().recompose()

    def compose(self) -> ComposeResult:
        """Footer's keys, with the bindings' descriptions (message ids) in the current language;
        a language switch refreshes the bindings, which composes the footer again."""
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = _(widget.description) if widget.description else ""
                if isinstance(widget.tooltip, str) and widget.tooltip:
                    widget.tooltip = _(widget.tooltip)
                # The compact class now: the key would add it itself once mounted, restyling
                # itself and everything in it a second time.
                widget.set_class(self.compact, "-compact", update=False)
            elif isinstance(widget, FooterLabel) and isinstance(widget.content, str):
                widget.update(_(widget.content))
            yield widget
