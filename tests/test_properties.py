"""Property tests (hypothesis): the text sanitiser, the password policy and the CSV writer hold
their promises for arbitrary Unicode, control characters and very long input."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hwb_tui.domain.errors import InvalidInput, PolicyViolation
from hwb_tui.domain.policy import (
    MAX_LENGTH,
    MIN_LENGTH,
    check_password,
    generate_password,
    unmet_rules,
)
from hwb_tui.domain.text import REPLACEMENT, clean_field, has_unsafe, is_unsafe, safe_text
from hwb_tui.services.csv_export import disarmed, disarmed_rows, neutralise
from tests.credential_files import render_csv

# Every code point, surrogates included, weighted towards the troublesome ones.
ANY_CHARACTER = st.characters(codec=None, exclude_categories=())
HOSTILE = st.sampled_from(
    [
        "\x1b[31m",  # an ANSI colour escape
        "\x1b]0;title\x07",  # set the terminal title
        "\x9b2J",  # C1 CSI: clear the screen
        "\u202e",  # right-to-left override
        "\u200b",  # zero-width space
        "\u2028",  # line separator
        "\x00",
        "\r\n",
        "[bold]",  # console markup
        "=cmd|' /C calc'!A0",  # a spreadsheet formula
        "Siôn Ó Briain ŵ ŷ",
        "\U0001f600",
    ]
)
TEXT = st.one_of(
    st.text(ANY_CHARACTER, max_size=200),
    st.lists(st.one_of(HOSTILE, st.text(ANY_CHARACTER, max_size=5)), max_size=30).map("".join),
)
LONG_TEXT = st.builds(lambda chunk, times: chunk * times, TEXT, st.integers(1, 2_000))
# What a database can hold and a CSV can carry: every character except lone surrogates.
STORABLE = st.text(st.characters(codec="utf-8"), max_size=200)


# -- safe_text --------------------------------------------------------------------------------


@given(st.one_of(TEXT, LONG_TEXT))
def test_safe_text_leaves_nothing_a_terminal_would_obey(text):
    shown = safe_text(text)
    assert not has_unsafe(shown)
    assert len(shown) == len(text)  # one replacement per character: tampering stays visible
    for original, kept in zip(text, shown, strict=True):
        assert kept == (REPLACEMENT if is_unsafe(original) else original)


@given(TEXT)
def test_safe_text_is_idempotent_and_keeps_safe_text_exactly(text):
    shown = safe_text(text)
    assert safe_text(shown) == shown
    if not has_unsafe(text):
        assert shown == text


@given(st.one_of(TEXT, LONG_TEXT))
def test_clean_field_returns_a_clean_value_or_refuses(text):
    try:
        value = clean_field(text, "Forename")
    except InvalidInput as refusal:
        assert "Forename" in str(refusal)
        return
    assert value == text.strip()
    assert value and len(value) <= 100 and not has_unsafe(value)


# -- the password policy -----------------------------------------------------------------------


@given(st.one_of(TEXT, LONG_TEXT))
def test_the_policy_judges_any_text_and_names_only_its_rules(password):
    unmet = unmet_rules(password)
    if not unmet:
        check_password(password)
        assert MIN_LENGTH <= len(password) <= MAX_LENGTH
        assert not has_unsafe(password)
        return
    with pytest.raises(PolicyViolation) as refusal:
        check_password(password)
    assert refusal.value.failures == tuple(str(rule) for rule in unmet)
    # The message depends on the rules alone, so it can never carry the password.
    assert str(refusal.value) == str(PolicyViolation(refusal.value.failures))


@settings(max_examples=300)
@given(st.integers())
def test_every_generated_password_meets_the_policy(_):
    password = generate_password()
    assert unmet_rules(password) == []
    assert not neutralise(password).startswith("'")  # safe in a spreadsheet as it is


# -- the CSV writer ------------------------------------------------------------------------------


def read_back(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    # Python's reader refuses a field over 128 KiB by default; the writer sets no such limit.
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))
    return list(csv.reader(io.StringIO(text, newline="")))


@given(
    st.lists(
        st.text(st.characters(codec="utf-8"), min_size=1, max_size=20), min_size=1, max_size=6
    ).flatmap(
        lambda columns: st.tuples(
            st.just(columns),
            st.lists(
                st.lists(
                    st.one_of(STORABLE, HOSTILE), min_size=len(columns), max_size=len(columns)
                ),
                max_size=20,
            ),
        )
    )
)
def test_the_csv_reads_back_cell_for_cell_and_no_cell_is_a_formula(table):
    columns, rows = table
    parsed = read_back(render_csv(columns, rows))
    assert parsed[1:] == [[neutralise(cell) for cell in row] for row in rows]
    for row in parsed[1:]:
        for cell in row:
            assert cell == "-" or not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


# Cells made of the characters that matter to the one-search check: the risky first
# characters, the "\0" it puts between cells, newlines and "-" alone.
EDGY_CELL = st.one_of(st.just("-"), st.text(st.sampled_from("=+-@\t\r\n\0a'"), max_size=4))


@settings(max_examples=500)
@given(st.lists(st.lists(EDGY_CELL, max_size=6), max_size=6))
@example([["a", "-\0"]])  # a "\0" inside a value looks like the end of the cell
@example([["-\0a", "b"]])
@example([["-", "=", "-"], ["-"]])
@example([[], ["-x"]])
def test_one_search_for_many_rows_disarms_exactly_what_neutralise_would(rows):
    """The download disarms a batch of rows with one search; it never misses a cell that
    neutralise would change, and leaves a batch that needs nothing as it is."""
    expected = [[neutralise(cell) for cell in row] for row in rows]
    assert [list(row) for row in disarmed_rows(rows)] == expected
    for row in rows:
        assert list(disarmed(row)) == [neutralise(cell) for cell in row]
    if expected == rows and not any("\0" in cell for row in rows for cell in row):
        assert disarmed_rows(rows) is rows  # the usual batch: nothing copied


@given(LONG_TEXT.map(safe_text))  # safe_text: a lone surrogate cannot be stored, so never exported
def test_a_very_long_cell_survives_whole(text):
    [_, [cell]] = read_back(render_csv(["Forename"], [[text]]))
    assert cell == neutralise(text)
