"""The guide's credential CSVs: exact columns, Excel-friendly, and inert in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

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


def neutralise(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading apostrophe disarms a formula."""
    if not value or value[0] not in _FORMULA_STARTS or value in _LITERAL_VALUES:
        return value
    return "'" + value


def render_csv(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a byte-order mark (Excel reads Welsh letters right), RFC 4180 quoting, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(columns)
    # Values are kept exactly (quotes, commas and newlines are quoted), only disarmed.
    writer.writerows([neutralise(value) for value in row] for row in rows)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
