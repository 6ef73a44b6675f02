"""The Hwb password policy and Generate Password, on their edges."""

from __future__ import annotations

import string

import pytest

from hwb_tui.domain.errors import PolicyViolation
from hwb_tui.domain.policy import Rule, check_password, generate_password, unmet_rules

SAMPLES = 5_000
CONFUSABLE = set("0O1lI")
# Characters that start a formula in a spreadsheet or mean something in console markup, plus
# anything a child would have to hunt for on a keyboard.
PLAIN = set(string.ascii_letters + string.digits)


def padded(length: int) -> str:
    """A password of exactly `length` characters that meets every other rule."""
    return ("Ab1" + "x" * length)[:length]


@pytest.mark.parametrize(
    ("length", "unmet"),
    [
        (7, [Rule.MIN_LENGTH]),
        (8, []),
        (64, []),
        (65, []),
        (128, []),
        (129, [Rule.MAX_LENGTH]),
    ],
)
def test_length_edges(length, unmet):
    assert len(padded(length)) == length
    assert unmet_rules(padded(length)) == unmet


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("abcdefg1", Rule.UPPER),
        ("ABCDEFG1", Rule.LOWER),
        ("Abcdefgh", Rule.DIGIT),
    ],
)
def test_each_missing_class_is_named(password, missing):
    assert unmet_rules(password) == [missing]
    with pytest.raises(PolicyViolation) as refused:
        check_password(password)
    assert str(missing) in str(refused.value)
    assert password not in str(refused.value)


def test_every_unmet_rule_is_listed_in_order():
    assert unmet_rules("") == [Rule.MIN_LENGTH, Rule.UPPER, Rule.LOWER, Rule.DIGIT]
    assert unmet_rules("ab\x07") == [Rule.MIN_LENGTH, Rule.UPPER, Rule.DIGIT, Rule.NO_CONTROL]
    with pytest.raises(PolicyViolation) as refused:
        check_password("x" * 129 + "\u202e")
    assert refused.value.failures == (
        str(Rule.MAX_LENGTH),
        str(Rule.UPPER),
        str(Rule.DIGIT),
        str(Rule.NO_CONTROL),
    )
    for rule in refused.value.failures:
        assert rule in str(refused.value)


@pytest.mark.parametrize(
    ("password", "unmet"),
    [
        ("Ŵŷŵŷŵŷ12", []),  # Welsh circumflexes count as upper and lower case
        ("ŴŶŴŶŴŶ12", [Rule.LOWER]),
        ("ŵŷŵŷŵŷ12", [Rule.UPPER]),
        ("Gwenllïan2026", []),
        ("Zoë Ó Briain 1", []),
    ],
)
def test_unicode_letters_count(password, unmet):
    assert unmet_rules(password) == unmet


def test_spaces_are_kept_and_count():
    # Nothing is trimmed or folded: these are three different, valid passwords.
    for password in (" Abcdef1", "Abcdef1 ", "Ab cd ef 1"):
        assert unmet_rules(password) == []
    assert unmet_rules(" Abcde1 ") == []  # 8 with the spaces
    assert unmet_rules(" Abcd1 ") == [Rule.MIN_LENGTH]


@pytest.mark.parametrize(
    "hidden",
    [
        "\x00",  # NUL
        "\x1b",  # ESC, starts a terminal escape sequence
        "\t",
        "\n",
        "\x9b",  # C1 CSI
        "\u202e",  # right-to-left override
        "\u2066",  # left-to-right isolate
        "\u200b",  # zero-width space
        "\u2028",  # line separator
        "\ue000",  # private use
    ],
)
def test_control_and_invisible_characters_are_refused(hidden):
    password = f"Abcdef1{hidden}x"
    assert unmet_rules(password) == [Rule.NO_CONTROL]
    with pytest.raises(PolicyViolation, match="control"):
        check_password(password)


@pytest.fixture(scope="module")
def generated() -> list[str]:
    return [generate_password() for _ in range(SAMPLES)]


def test_generated_passwords_meet_the_policy(generated):
    failing = [password for password in generated if unmet_rules(password)]
    assert failing == []


def test_generated_passwords_are_easy_to_read_and_type(generated):
    for password in generated:
        assert not CONFUSABLE & set(password), password
        assert set(password) <= PLAIN, password
        assert password[0].isalpha(), password


def test_generated_passwords_have_one_length(generated):
    assert {len(password) for password in generated} == {len(generated[0])}
    assert len(generated[0]) >= 8


def test_generated_passwords_differ(generated):
    # About 33 bits each: a repeat among 5,000 is a one-in-several-hundred event, so allow a few.
    assert len(set(generated)) >= SAMPLES - 5
    assert len({password[:4] for password in generated}) > 1_000
