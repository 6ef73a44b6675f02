"""Translation hooks (gettext, standard library). Every user-facing string goes through `_`.

`N_` marks a string for extraction where it must stay untranslated until shown (module-level
constants, enum values): translate it with `_()` at the point of display.

The catalogs are compiled `.mo` files shipped in the package (hwb_tui/locale/<lang>/LC_MESSAGES);
`set_language` switches every later `_()` call at once, so a screen that re-reads its strings
shows the new language without being rebuilt.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "hwb_tui"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
ENGLISH = "en"
WELSH = "cy"
LANGUAGES = (ENGLISH, WELSH)
# gettext's own order of precedence for the message locale.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_catalogs: dict[str, gettext.NullTranslations] = {}
_language = ENGLISH
_translations: gettext.NullTranslations = gettext.NullTranslations()
# Every text `_` has returned, in any language, with its message id: a running app looks its
# labels up here to show them again in another language (see `retranslate`). It holds at most
# one entry per message and language, and never a formatted value.
_shown: dict[str, str] = {}


def _(message: str) -> str:
    if not message:
        return message  # gettext("") is the catalog's header, never a message
    text = _translations.gettext(message)
    _shown[text] = message
    return text


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translations.ngettext(singular, plural, count)


def N_(message: str) -> str:
    return message


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on where it is shown (see NC_)."""
    return _translations.pgettext(context, message)


def NC_(context: str, message: str) -> str:
    """Marks a message with a context, such as a column header that must be shorter in Welsh
    than the same word as a field label; translate it with pgettext(context, message)."""
    return message


def install(translations: gettext.NullTranslations) -> None:
    global _translations
    _translations = translations


def catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog of a supported language, loaded once."""
    if language not in LANGUAGES:
        raise ValueError(_("unsupported language {language!r}").format(language=language))
    if language not in _catalogs:
        # A missing catalog is a broken install: fail loudly rather than fall back to English.
        _catalogs[language] = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])
    return _catalogs[language]


def set_language(language: str) -> None:
    global _language
    install(catalog(language))
    _language = language


def current_language() -> str:
    return _language


def retranslate(text: str) -> str | None:
    """The current language's text of a whole message shown before in any language, or None
    when `text` is not such a message (a name, or a message with values formatted in)."""
    message = _shown.get(text)
    return None if message is None else _(message)


def other_language(language: str | None = None) -> str:
    """The language the switch key changes to."""
    return WELSH if (language or _language) == ENGLISH else ENGLISH


def parse_language(text: str | None) -> str | None:
    """The supported language a code or locale name means ("cy", "cy_GB.UTF-8", "en-GB")."""
    if not text:
        return None
    code = text.strip().replace("-", "_").split("_")[0].split(".")[0].split("@")[0].lower()
    return code if code in LANGUAGES else None


def language_from_locale(env: Mapping[str, str]) -> str:
    """The language the locale asks for, read as gettext reads it; English otherwise."""
    for variable in LOCALE_VARIABLES:
        value = env.get(variable)
        if not value:
            continue
        # LANGUAGE is a list of preferences ("cy:en"); the first supported one wins.
        for entry in value.split(":"):
            language = parse_language(entry)
            if language:
                return language
        if variable != "LANGUAGE":
            return ENGLISH  # the first set variable decides, as in gettext
    return ENGLISH


def explicit_language(explicit: str | None, env: Mapping[str, str]) -> str | None:
    """The language --lang (given as `explicit`) or else HWB_LANG chooses, if either does.

    An explicit choice wins over the one a user's settings remember; HWB_LANG naming no
    language we have is refused (InvalidInput), not silently ignored.
    """
    if explicit:
        return parse_language(explicit)
    setting = env.get("HWB_LANG")
    if not setting:
        return None
    language = parse_language(setting)
    if language is None:
        from hwb_tui.domain.errors import InvalidInput  # errors import this module

        raise InvalidInput(_("HWB_LANG must be cy or en, not {value!r}.").format(value=setting))
    return language


def resolve_language(explicit: str | None, env: Mapping[str, str]) -> str:
    """--lang first, then HWB_LANG, then the locale."""
    return explicit_language(explicit, env) or language_from_locale(env)
