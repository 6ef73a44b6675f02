"""Reading a school MIS's CSV file of learners or staff: every row checked before anything is used.

The columns are those of the portal's download without Password (see services/csv_export.py),
matched by name in any order and case; other columns are ignored. Two optional columns carry
what the download does not: "Classes" (class names separated by ";") and, for staff,
"Digital Champion" (Yes or No). Left out, classes and Digital Champion flags stay as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from hwb_tui.domain.errors import InvalidInput
from hwb_tui.domain.i18n import _
from hwb_tui.domain.model import Kind, parse_year
from hwb_tui.domain.text import clean_field

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_FIELD_LENGTH = 100
CLASS_SEPARATOR = ";"
CLASSES_COLUMN = "Classes"
CHAMPION_COLUMN = "Digital Champion"
# An import never sets passwords; a file carrying them is refused rather than quietly ignored.
PASSWORD_COLUMN = "Password"
_YES = frozenset({"yes", "y", "true", "1", "ie", "do"})  # "Ie"/"Do" are Welsh for yes
_NO = frozenset({"no", "n", "false", "0", "na", "naddo", "nac ydy"})
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True, slots=True)
class FileLayout:
    """The columns of one kind of MIS file: the key that matches people, and what is required."""

    kind: Kind
    key_column: str
    required: tuple[str, ...]  # the header must name these, and every row must fill them
    optional: tuple[str, ...]  # the header may name these; a row may leave them empty


LEARNER_LAYOUT = FileLayout(
    Kind.LEARNER,
    key_column="Admission number",
    required=("Forename", "Surname", "Year", "Admission number"),
    optional=("Reg group", "Consent", CLASSES_COLUMN),
)
STAFF_LAYOUT = FileLayout(
    Kind.STAFF,
    key_column="Staff code",
    required=("Forename", "Surname", "Staff code"),
    optional=(CHAMPION_COLUMN, CLASSES_COLUMN),
)
LAYOUTS = {Kind.LEARNER: LEARNER_LAYOUT, Kind.STAFF: STAFF_LAYOUT}


@dataclass(frozen=True, slots=True)
class MisPerson:
    """One row of the file, checked. None means "the file does not say": keep what is stored."""

    line: int
    key: str
    forename: str
    surname: str
    year: str | None = None
    reg_group: str | None = None
    consent: bool | None = None
    is_digital_champion: bool | None = None
    classes: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class MisFile:
    layout: FileLayout
    people: tuple[MisPerson, ...]
    columns: frozenset[str]  # the known columns the header names; only these are applied

    def says(self, column: str) -> bool:
        return column in self.columns


class FileRefused(InvalidInput):
    """The whole file is refused; `problems` lists each one, by line number."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            _("The file was refused and nothing was changed ({count} problems):").format(
                count=len(self.problems)
            )
            + "\n"
            + "\n".join(self.problems)
        )


def read_mis_file(data: bytes, kind: Kind) -> MisFile:
    """Every row of the file, checked; FileRefused listing every problem if any row is bad."""
    layout = LAYOUTS[kind]
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(
            [_("The file is larger than {mib} MiB.").format(mib=MAX_FILE_BYTES >> 20)]
        )
    text = _decode(data)
    first_line = text.partition("\n")[0]
    if not first_line.strip():
        raise FileRefused([_("line 1: the header row is missing.")])
    delimiter = max(_DELIMITERS, key=first_line.count)  # Excel may save with ";" or tabs
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[str] = []
    header = next(reader)
    columns = _columns(header, layout, problems)
    if problems:
        raise FileRefused(problems)
    people: list[MisPerson] = []
    first_line_of_key: dict[str, int] = {}
    for line, cells in _records(reader, problems):
        person = _person(line, cells, len(header), columns, layout, problems)
        if person is None:
            continue
        earlier = first_line_of_key.setdefault(person.key, line)
        if earlier != line:
            problems.append(
                _("line {line}: {column} {key} is also on line {earlier}.").format(
                    line=line, column=layout.key_column, key=person.key, earlier=earlier
                )
            )
        people.append(person)
    if problems:
        raise FileRefused(problems)
    return MisFile(layout=layout, people=tuple(people), columns=frozenset(columns))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileRefused(
            [
                _(
                    "line {line}: the file is not UTF-8 text; in Excel, save it as "
                    '"CSV UTF-8 (Comma delimited)".'
                ).format(line=line)
            ]
        ) from None


def _columns(header: list[str], layout: FileLayout, problems: list[str]) -> dict[str, int]:
    """Where each known column is in the header, matched without regard to case or spaces."""
    wanted = {name.casefold(): name for name in (*layout.required, *layout.optional)}
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = " ".join(cell.split()).casefold()
        if name == PASSWORD_COLUMN.casefold():
            problems.append(
                _(
                    "line 1: the file has a Password column; an import never sets passwords, "
                    "so remove the column (and keep such files safe)."
                )
            )
        if name in wanted:
            if wanted[name] in columns:
                problems.append(
                    _("line 1: the column {column} appears twice.").format(column=wanted[name])
                )
            columns[wanted[name]] = index
    for name in layout.required:
        if name not in columns:
            problems.append(_("line 1: the header has no {column} column.").format(column=name))
    return columns


def _records(reader, problems: list[str]) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of each non-blank record; a quoted field may span lines."""
    next_line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(
                _("line {line}: cannot be read as CSV ({reason}).").format(
                    line=next_line, reason=error
                )
            )
            return
        line, next_line = next_line, reader.line_num + 1
        if any(cell.strip() for cell in cells):  # Excel leaves rows of empty cells
            yield line, cells


def _person(
    line: int,
    cells: list[str],
    width: int,
    columns: dict[str, int],
    layout: FileLayout,
    problems: list[str],
) -> MisPerson | None:
    before = len(problems)
    if len(cells) > width:
        problems.append(
            _("line {line}: has {count} fields but the header has {width}.").format(
                line=line, count=len(cells), width=width
            )
        )
        return None
    cells = cells + [""] * (width - len(cells))  # a short row's missing cells are empty
    values = {
        name: _cleaned(line, cells[columns[name]], name, problems) for name in layout.required
    }
    optional = {
        name: _cleaned(line, cells[columns[name]], name, problems)
        for name in layout.optional
        if name in columns and name != CLASSES_COLUMN and cells[columns[name]].strip()
    }
    year = _parsed(line, "Year", values.get("Year"), parse_year, problems)
    consent = _parsed(line, "Consent", optional.get("Consent"), _yes_no, problems)
    champion = _parsed(line, CHAMPION_COLUMN, optional.get(CHAMPION_COLUMN), _yes_no, problems)
    has_classes = CLASSES_COLUMN in columns
    classes = _classes(line, cells[columns[CLASSES_COLUMN]], problems) if has_classes else None
    if len(problems) > before:
        return None
    return MisPerson(
        line=line,
        key=values[layout.key_column],
        forename=values["Forename"],
        surname=values["Surname"],
        year=year,
        reg_group=optional.get("Reg group"),
        consent=consent,
        is_digital_champion=(bool(champion) if CHAMPION_COLUMN in columns else None),
        classes=classes,
    )


def _parsed(line: int, column: str, value: str | None, parse, problems: list[str]):
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as error:
        problems.append(
            _("line {line}: {column}: {problem}").format(line=line, column=column, problem=error)
        )
        return None


def _yes_no(value: str) -> bool:
    answer = value.strip().casefold()
    if answer in _YES:
        return True
    if answer in _NO:
        return False
    raise ValueError(_("{value!r} is neither Yes nor No").format(value=value))


def _classes(line: int, value: str, problems: list[str]) -> tuple[str, ...]:
    """The class names in a Classes cell, each as long as a name may be; the cell is unlimited."""
    parts = [part.strip() for part in value.split(CLASS_SEPARATOR)]
    if value.isprintable() and all(len(part) <= MAX_FIELD_LENGTH for part in parts):
        names = [part for part in parts if part]
    else:
        cleaned = (_cleaned(line, part, CLASSES_COLUMN, problems) for part in parts if part)
        names = [name for name in cleaned if name is not None]
    return tuple(dict.fromkeys(names))


def _cleaned(line: int, value: str, column: str, problems: list[str]) -> str | None:
    """The value without surrounding spaces, or None with the problem noted."""
    # The cheap test first: nearly every cell is short, printable and filled in.
    if len(value) <= MAX_FIELD_LENGTH and value.isprintable() and value.strip():
        return value.strip()
    try:
        return clean_field(value, column, max_length=MAX_FIELD_LENGTH)
    except InvalidInput as error:
        problems.append(_("line {line}: {problem}").format(line=line, problem=error))
        return None
