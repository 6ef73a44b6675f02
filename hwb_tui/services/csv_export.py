"""The guide's credential CSVs: exact columns, Excel-friendly, and inert in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import chain
from typing import BinaryIO

PUPIL_COLUMNS = (
    "Forename",
    "Surname",
    "Username",
    "Password",
    "Date created",
    "Year",
    "Reg group",
    "Consent",
    "Admission number",
)
STAFF_COLUMNS = ("Forename", "Surname", "Username", "Password", "Date created", "Staff code")

# OWASP CSV injection: a cell starting with one of these may run as a formula.
_FORMULA_STARTS = frozenset("=+-@\t\r")
# The password status "-" is the portal's own value and stays as it is.
_LITERAL_VALUES = frozenset({"-"})

# Many cells in one search: "\0" before each cell and after the last, and the pattern finds a
# cell that neutralise would change (a formula start, or "-" followed by more). It is exact
# while the "\0"s are only those separators, which one count shows; a cell holding a "\0"
# sends its rows through neutralise cell by cell. So the usual rows cost a share of one
# search, not a call per cell.
_MAY_RUN = re.compile("\0(?:[=+@\t\r]|-(?!\0))")


def neutralise(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading apostrophe disarms a formula."""
    if not value or value[0] not in _FORMULA_STARTS or value in _LITERAL_VALUES:
        return value
    return "'" + value


def disarmed(cells: Sequence[str]) -> Sequence[str]:
    """The cells as neutralise leaves them: the same sequence when none needs it (and none
    holds a "\\0")."""
    if _inert(cells, len(cells)):
        return cells
    return [neutralise(value) for value in cells]


def disarmed_rows(rows: list[Sequence[str]]) -> list[Sequence[str]]:
    """Each row as disarmed leaves it: the same list, after one search, when no cell needs
    it (and none holds a "\\0")."""
    if _inert(chain.from_iterable(rows), sum(map(len, rows))):
        return rows
    return [disarmed(row) for row in rows]


def _inert(cells: Iterable[str], count: int) -> bool:
    """Whether neutralise leaves all `count` cells as they are; False may be a false alarm."""
    text = "\0" + "\0".join(cells) + "\0"
    return count == 0 or (text.count("\0") == count + 1 and _MAY_RUN.search(text) is None)


@contextmanager
def csv_writer(handle: BinaryIO, columns: Sequence[str]) -> Iterator[csv.writer]:
    """A writer whose rows go to handle, after the byte-order mark and the header.

    UTF-8 with a byte-order mark (Excel reads Welsh letters right), RFC 4180 quoting, CRLF.
    Values are written exactly as given (quotes, commas and newlines are quoted): disarm them
    first. The handle stays open.
    """
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    try:
        text.write("\ufeff")
        writer = csv.writer(text, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow(columns)
        yield writer
    except BaseException:
        with suppress(Exception):  # the first error is the one to tell
            text.detach()
        raise
    text.detach()  # flushes what is pending and leaves the handle open
