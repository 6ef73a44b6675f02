"""Making stored text safe to show: no control, escape or invisible formatting characters."""

from __future__ import annotations

import unicodedata

from hwb_tui.domain.errors import InvalidInput
from hwb_tui.domain.i18n import _

# Controls (ESC, BEL, C1 such as CSI), formatting (bidi overrides, zero-width), surrogates,
# private use, unassigned, and line/paragraph separators never reach a terminal or a file.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"


def is_unsafe(char: str) -> bool:
    return unicodedata.category(char) in _UNSAFE_CATEGORIES


def has_unsafe(text: str) -> bool:
    return any(is_unsafe(char) for char in text)


def safe_text(text: str | None) -> str:
    """Text with every unsafe character replaced by U+FFFD, so tampering stays visible."""
    if text is None:
        return ""
    if not has_unsafe(text):
        return text
    return "".join(REPLACEMENT if is_unsafe(char) else char for char in text)


def clean_field(text: str, field: str, *, max_length: int = 100) -> str:
    """A name or other field as entered, refused if it holds anything unsafe.

    `field` names the field in the current language, as the user knows it.

    Surrounding white space is removed (it is never meaningful in a name); the rest is kept
    exactly, so Siôn, Gwenllïan, Llŷr and Ó Briain stay as typed.
    """
    value = text.strip()
    if not value:
        raise InvalidInput(_("{field} is empty.").format(field=field))
    if len(value) > max_length:
        raise InvalidInput(
            _("{field} is longer than {max_length} characters.").format(
                field=field, max_length=max_length
            )
        )
    if has_unsafe(value):
        raise InvalidInput(
            _("{field} contains control or invisible formatting characters.").format(field=field)
        )
    return value
