"""Textual's own key descriptions, marked here so the catalogs translate them too.

The help screen (f1) lists every key active where it was opened, Textual's own included
(tab, the text field's editing keys, scrolling); it shows each description through `_()`.
tests/test_i18n.py checks that this list still covers the Textual widgets the app uses.
"""

from __future__ import annotations

from hwb_tui.domain.i18n import N_

TEXTUAL_DESCRIPTIONS = (
    N_("Quit"),
    N_("Focus Next"),
    N_("Focus Previous"),
    N_("Copy selected text"),
    N_("Move cursor left"),
    N_("Move cursor left and select"),
    N_("Move cursor left a word"),
    N_("Move cursor left a word and select"),
    N_("Move cursor right or accept the completion suggestion"),
    N_("Move cursor right and select"),
    N_("Move cursor right a word"),
    N_("Move cursor right a word and select"),
    N_("Delete character left"),
    N_("Select all"),
    N_("Go to start"),
    N_("Go to end"),
    N_("Select line start"),
    N_("Select line end"),
    N_("Delete character right"),
    N_("Submit"),
    N_("Delete left to start of word"),
    N_("Delete all to the left"),
    N_("Delete right to start of word"),
    N_("Delete all to the right"),
    N_("Cut selected text"),
    N_("Paste text from the clipboard"),
    N_("Scroll Up"),
    N_("Scroll Down"),
    N_("Scroll Left"),
    N_("Scroll Right"),
    N_("Scroll Home"),
    N_("Scroll End"),
    N_("Page Up"),
    N_("Page Down"),
    N_("Page Left"),
    N_("Page Right"),
    N_("Press button"),
    N_("Down"),
    N_("Last"),
    N_("Select"),
    N_("First"),
    N_("Up"),
    N_("Show menu"),
    N_("Toggle"),
)
