"""Translation hooks (gettext, standard library). Every user-facing string goes through `_`.

`N_` marks a string for extraction where it must stay untranslated until shown.
"""

from __future__ import annotations

import gettext

_translations: gettext.NullTranslations = gettext.NullTranslations()


def _(message: str) -> str:
    return _translations.gettext(message)


def N_(message: str) -> str:
    return message


def install(translations: gettext.NullTranslations) -> None:
    global _translations
    _translations = translations
