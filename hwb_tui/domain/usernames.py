"""The username pattern: forename initial + surname, ASCII letters only, then a number if taken.

"Siôn Ó Briain" becomes "sobriain"; a second one "sobriain2".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable


def _ascii_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed.lower() if "a" <= char <= "z")


def base_username(forename: str, surname: str) -> str:
    return (_ascii_letters(forename)[:1] + _ascii_letters(surname))[:30] or "user"


def unique_username(forename: str, surname: str, taken: Callable[[str], bool]) -> str:
    base = base_username(forename, surname)
    candidate, number = base, 1
    while taken(candidate):
        number += 1
        candidate = f"{base}{number}"
    return candidate
