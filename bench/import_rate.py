"""MIS import speed: a 2,000-learner school file, and a 50,000-line local authority file.

Targets (issue 9): the 2,000-learner file imports in under 5 s; the 50,000-line file at
10,000 rows/s or more. The baseline, measured in the same run on the same machine, is the
least an import can do: parse the same file with `csv` and `executemany` the rows into a bare
`sqlite3` table in one transaction (on PostgreSQL: COPY them into a bare table). The service
adds the checks of every field, matching against the stored rows, unique usernames, class
memberships and the audit record.

    python -m bench.import_rate [--runs 3] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import secrets
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hwb_tui.domain.model import Kind
from hwb_tui.services.config import Settings
from hwb_tui.services.demo import (
    ENGLISH_FORENAMES,
    ENGLISH_SURNAMES,
    WELSH_FORENAMES,
    WELSH_SURNAMES,
)
from hwb_tui.services.hwb import Hwb
from hwb_tui.services.mis_import import ChangeKind

SCHOOL_LEARNERS = 2_000
AUTHORITY_LINES = 50_000
SCHOOL_TARGET_SECONDS = 5.0
AUTHORITY_TARGET_RATE = 10_000
HEADER = ("Forename", "Surname", "Year", "Reg group", "Consent", "Admission number", "Classes")
SUBJECTS = ("Ma", "En", "Cy", "Sc")


def learner_file(learners: int, seed: int = 2026) -> bytes:
    """An MIS export as Excel saves it: UTF-8 with a byte-order mark, CRLF, Welsh names."""
    rng = random.Random(seed)
    forenames = (*WELSH_FORENAMES, *ENGLISH_FORENAMES)
    surnames = (*WELSH_SURNAMES, *ENGLISH_SURNAMES)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for number in range(learners):
        year = str(7 + number % 7)
        group = f"{year}{'ABCD'[number // 7 % 4]}"
        classes = ";".join(f"{year}{subject}{rng.randint(1, 3)}" for subject in SUBJECTS)
        writer.writerow(
            (
                rng.choice(forenames),
                rng.choice(surnames),
                year,
                group,
                rng.choice(("Yes", "No", "")),
                f"{100000 + number}",
                classes,
            )
        )
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def import_seconds(
    url: str, key_file: Path, name: str, data: bytes, repeat: bool
) -> tuple[float, float]:
    """(seconds for a first import into an empty school, seconds for the same file again)."""
    with Hwb.open(Settings.resolve(url, key_file)) as hwb:
        hwb.demo.build()
        champion = hwb.users.actor("champion.demo")
        hwb.mis_import.import_data(champion, Kind.LEARNER, _header_only(data), source="empty")
        first = _timed(
            lambda: hwb.mis_import.import_data(champion, Kind.LEARNER, data, source=name)
        )
        again = 0.0
        if repeat:
            result, again = _timed_result(
                lambda: hwb.mis_import.import_data(champion, Kind.LEARNER, data, source=name)
            )
            assert result.count(ChangeKind.NEW) == 0
    return first, again


def _header_only(data: bytes) -> bytes:
    return data.split(b"\r\n", 1)[0] + b"\r\n"


def baseline_seconds(workdir: Path, name: str, data: bytes) -> float:
    """Parse the file with csv and executemany its rows into sqlite3, in one transaction."""
    connection = sqlite3.connect(workdir / f"{name}-raw.sqlite3", isolation_level=None)
    connection.execute("PRAGMA journal_mode=wal")
    connection.execute("PRAGMA synchronous=normal")
    connection.execute(
        "CREATE TABLE account (id INTEGER PRIMARY KEY, forename TEXT, surname TEXT, year TEXT, "
        "reg_group TEXT, consent TEXT, admission_number TEXT, classes TEXT)"
    )

    def load() -> None:
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
        next(reader)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("DELETE FROM account")
        connection.executemany(
            "INSERT INTO account (forename, surname, year, reg_group, consent, admission_number,"
            " classes) VALUES (?, ?, ?, ?, ?, ?, ?)",
            reader,
        )
        connection.execute("COMMIT")

    try:
        return _timed(load)
    finally:
        connection.close()


def _timed(call: Callable[[], object]) -> float:
    return _timed_result(call)[1]


def _timed_result(call: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def measure(runs: int) -> list[tuple[str, str, str, str, str, str]]:
    school = learner_file(SCHOOL_LEARNERS)
    authority = learner_file(AUTHORITY_LINES)
    results: dict[str, list[float]] = {key: [] for key in ("school", "authority", "again")}
    baselines: dict[str, list[float]] = {"school": [], "authority": []}
    for run in range(runs):
        with tempfile.TemporaryDirectory(prefix="hwb-import-bench-") as folder:
            workdir = Path(folder)
            for name, data in (("school", school), ("authority", authority)):
                url = f"sqlite:///{workdir / f'{name}{run}.sqlite3'}"
                key_file = workdir / f"{name}{run}.key"
                first, again = import_seconds(url, key_file, name, data, name == "authority")
                results[name].append(first)
            results["again"].append(again)
            baselines["school"].append(baseline_seconds(workdir, f"school{run}", school))
            baselines["authority"].append(baseline_seconds(workdir, f"authority{run}", authority))
    median = {key: statistics.median(values) for key, values in results.items()}
    base = {key: statistics.median(values) for key, values in baselines.items()}
    rate = AUTHORITY_LINES / median["authority"]
    again_rate = AUTHORITY_LINES / median["again"]
    base_rate = AUTHORITY_LINES / base["authority"]
    return [
        (
            f"{SCHOOL_LEARNERS:,}-learner file, first import",
            f"< {SCHOOL_TARGET_SECONDS:g} s",
            f"{median['school']:.2f} s",
            f"{base['school']:.3f} s",
            f"{median['school'] / base['school']:.1f}x",
            "yes" if median["school"] < SCHOOL_TARGET_SECONDS else "NO",
        ),
        (
            f"{AUTHORITY_LINES:,}-line file, first import",
            f">= {AUTHORITY_TARGET_RATE:,} rows/s",
            f"{rate:,.0f} rows/s",
            f"{base_rate:,.0f} rows/s",
            f"{base_rate / rate:.1f}x",
            "yes" if rate >= AUTHORITY_TARGET_RATE else "NO",
        ),
        (
            f"{AUTHORITY_LINES:,}-line file again (nothing to change)",
            f">= {AUTHORITY_TARGET_RATE:,} rows/s",
            f"{again_rate:,.0f} rows/s",
            f"{base_rate:,.0f} rows/s",
            f"{base_rate / again_rate:.1f}x",
            "yes" if again_rate >= AUTHORITY_TARGET_RATE else "NO",
        ),
    ]


def postgres_row(admin_url: str, data: bytes) -> tuple[str, str, str, str, str, str]:
    """The 50,000-line first import into a fresh PostgreSQL database (made and dropped here),
    beside COPY of the same parsed file into a bare table of that database."""
    import psycopg

    name = f"hwb_import_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
    columns = ", ".join(f"c{index} text" for index in range(len(HEADER)))
    try:
        with tempfile.TemporaryDirectory(prefix="hwb-import-bench-") as folder:
            first, _again = import_seconds(url, Path(folder) / "pg.key", "authority", data, False)
        with psycopg.connect(url) as connection:
            connection.execute(f"CREATE TABLE raw_account ({columns})")

            def load() -> None:
                reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
                next(reader)
                with connection.cursor().copy("COPY raw_account FROM STDIN") as copy:
                    for row in reader:
                        copy.write_row(row)
                connection.commit()

            baseline = _timed(load)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    rate, base_rate = AUTHORITY_LINES / first, AUTHORITY_LINES / baseline
    return (
        f"{AUTHORITY_LINES:,}-line file, first import (PostgreSQL, 1 run)",
        f">= {AUTHORITY_TARGET_RATE:,} rows/s",
        f"{rate:,.0f} rows/s",
        f"{base_rate:,.0f} rows/s (csv + COPY)",
        f"{base_rate / rate:.1f}x",
        "yes" if rate >= AUTHORITY_TARGET_RATE else "NO",
    )


def render(rows: list[tuple[str, ...]], runs: int) -> str:
    headers = ("figure", "target", "measured", "baseline", "slower by", "met")
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(len(headers))]

    def line(cells) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    title = f"MIS import: each figure into a fresh database; SQLite the median of {runs} runs"
    return "\n".join([title, "", line(headers), rule, *(line(row) for row in rows)])


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also PostgreSQL: a server URL whose user may create databases "
        "(e.g. postgresql://postgres@127.0.0.1:5432/test); a database is made and dropped",
    )
    args = parser.parse_args()
    runs = max(1, args.runs)
    rows = measure(runs)
    if args.postgres:
        rows.append(postgres_row(args.postgres, learner_file(AUTHORITY_LINES)))
    print(render(rows, runs))


if __name__ == "__main__":
    run()
