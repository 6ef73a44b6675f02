"""The username pattern: forename initial + surname, ASCII letters only, then a number if taken.

"Siôn Ó Briain" becomes "sobriain"; a second one "sobriain2".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable


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


def unique_usernames(people: Iterable[tuple[str, str]], taken: set[str]) -> list[str]:
    """unique_username for many (forename, surname) pairs at once, as an MIS import needs.

    The same names result, without probing each base from the start again: every number below
    the last one given for a base was taken then, and `taken` only grows (it gains each name).
    """
    next_number: dict[str, int] = {}
    bases: dict[tuple[str, str], str] = {}
    names = []
    for forename, surname in people:
        base = bases.get((forename, surname))
        if base is None:
            base = bases[forename, surname] = base_username(forename, surname)
        number = next_number.get(base, 1)
        candidate = base if number == 1 else f"{base}{number}"
        while candidate in taken:
            number += 1
            candidate = f"{base}{number}"
        next_number[base] = number + 1
        taken.add(candidate)
        names.append(candidate)
    return names
