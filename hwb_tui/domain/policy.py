"""The Hwb password policy and the password generator.

"At least 8 characters with a mix of uppercase and lowercase letters and numbers."
Passwords are taken exactly as typed: nothing is trimmed, folded or normalised.
"""

from __future__ import annotations

import secrets
import unicodedata
from enum import StrEnum

from hwb_tui.domain.errors import PolicyViolation
from hwb_tui.domain.i18n import N_, _

MIN_LENGTH = 8
MAX_LENGTH = 128  # the guide sets no maximum; 128 leaves room for pass-phrases


class Rule(StrEnum):
    """Each value is the rule's English text (a message id); `text` is it in the current language.

    The lengths are written out, not interpolated, so that gettext can extract them; a test
    checks they agree with MIN_LENGTH and MAX_LENGTH.
    """

    MIN_LENGTH = N_("at least 8 characters")
    MAX_LENGTH = N_("at most 128 characters")
    UPPER = N_("an upper-case letter")
    LOWER = N_("a lower-case letter")
    DIGIT = N_("a number")
    NO_CONTROL = N_("no control or invisible formatting characters")

    @property
    def text(self) -> str:
        return _(self.value)


# Unicode categories refused in a password: controls, invisible formatting (bidi overrides,
# zero-width characters), surrogates, private use, unassigned, and line/paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def is_refused_character(char: str) -> bool:
    return unicodedata.category(char) in _REFUSED_CATEGORIES


def unmet_rules(password: str) -> list[Rule]:
    """Every rule of the policy the password does not meet, in the order they are listed."""
    unmet = []
    if len(password) < MIN_LENGTH:
        unmet.append(Rule.MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        unmet.append(Rule.MAX_LENGTH)
    if not any(char.isupper() for char in password):
        unmet.append(Rule.UPPER)
    if not any(char.islower() for char in password):
        unmet.append(Rule.LOWER)
    if not any(char.isdecimal() for char in password):
        unmet.append(Rule.DIGIT)
    if any(is_refused_character(char) for char in password):
        unmet.append(Rule.NO_CONTROL)
    return unmet


def check_password(password: str) -> None:
    """Raise PolicyViolation naming every unmet rule."""
    unmet = unmet_rules(password)
    if unmet:
        raise PolicyViolation([rule.text for rule in unmet])


# Letters a child can read aloud and type without confusion: no 0/O, 1/l/I, q or x, and nothing
# a spreadsheet (=, +, -, @) or console markup ([, ]) treats specially.
_CONSONANTS = "bdfghjkmnprstvwz"
_VOWELS = "aeiu"
_DIGITS = "23456789"
GENERATED_SYLLABLES = 4
GENERATED_DIGITS = 3


def generate_password() -> str:
    """A password like "Tobamiru472": pronounceable syllables, the first capitalised, then digits.

    About 33 bits of entropy: 16^4 consonants x 4^4 vowels x 8^3 digits.
    """
    syllables = "".join(
        secrets.choice(_CONSONANTS) + secrets.choice(_VOWELS) for _ in range(GENERATED_SYLLABLES)
    )
    digits = "".join(secrets.choice(_DIGITS) for _ in range(GENERATED_DIGITS))
    return syllables[0].upper() + syllables[1:] + digits
