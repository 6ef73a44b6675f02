"""Lists and search on the 500,000-user database: the service beside the same SQL, raw.

The baseline runs the very statement the service runs (from store/user_pages.py) through the
bare driver (`sqlite3`, or psycopg 3) and fetches its rows; the service adds the rights check,
the query's shape and the frozen UserSummary rows the app gets. Both run on the same
connection, the driver's own beneath the service: on PostgreSQL each connection is a server
process of its own, and with two of them the same statement took 0.33 ms on one and 0.53 ms
on the other in one run of six (ratio 1.64; 1.10-1.28 in the others), as the two processes
happened to be placed on this 2-core machine. On one connection six runs gave 1.11-1.12.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.generate import ADMIN
from bench.measure import Figure, paired_medians, time_figure
from hwb_tui.domain.model import Kind
from hwb_tui.domain.paging import PageKey
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.user_pages import page_query

PAGE_ROWS = 40  # about one screen of the list at 120x40


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    target_ms: float
    search: str = ""
    school_id: int | None = None
    key_at_row: int | None = None  # start after the row at this position in the list
    backwards: bool = False


CASES = (
    Case("first page, all learners in Wales", 5),
    Case("10,000th page (row 400,000)", 5, key_at_row=400_000),
    Case("last page (End)", 5, backwards=True),
    Case("a school's learners, first page", 5, school_id=1),
    Case("prefix 'Nantw' (rare surname)", 2, search="Nantw"),
    Case("prefix 'Pritch' (common surname)", 2, search="Pritch"),
    Case("prefix 'Jones' (commonest surname)", 2, search="Jones"),
    Case("substring 'ntwo' (3+ chars)", 10, search="ntwo"),
    Case("substring 'ritch' (3+ chars)", 10, search="ritch"),
    Case("substring 'owri' (3+ chars)", 10, search="owri"),
    Case("1 char 'e'", 30, search="e"),
    Case("1 char 'q' (nobody has it)", 30, search="q"),
    Case("2 chars 'ff'", 30, search="ff"),
    Case("2 chars 'ap' (sparse)", 30, search="ap"),
    Case("a school's learners, prefix 'Pritch'", 2, search="Pritch", school_id=1),
    Case("a school's learners, substring 'ritch'", 10, search="ritch", school_id=1),
    Case("a school's learners, 2 chars 'ap'", 30, search="ap", school_id=1),
)


def figures(hwb: Hwb, label: str) -> list[Figure]:
    actor = hwb.users.actor(ADMIN)
    db = hwb.context.db
    raw = db.connection()  # the bare sqlite3 / psycopg connection the service's queries use
    results = []
    for case in CASES:
        key = _key_at(raw, db, case.key_at_row) if case.key_at_row else None

        def service(case=case, key=key):
            return hwb.users.page(
                actor,
                Kind.LEARNER,
                school_id=case.school_id,
                search=case.search,
                key=key,
                backwards=case.backwards,
                limit=PAGE_ROWS,
            )

        sql, params = page_query(
            db,
            str(Kind.LEARNER),
            case.school_id,
            case.search,
            (key.surname, key.forename, key.username) if key else None,
            case.backwards,
            PAGE_ROWS + 1,
        )

        def baseline(sql=sql, params=params):
            return raw.execute(sql, params).fetchall()

        assert len(service().rows) == min(len(baseline()), PAGE_ROWS)
        measured, base = paired_medians(service, baseline)
        results.append(time_figure(f"{label}: {case.name}", case.target_ms, measured, base))
    return results


def _key_at(raw, db, row: int) -> PageKey:
    sql = (
        "SELECT surname, forename, username FROM account WHERE kind = 'learner' "
        "AND left_at IS NULL ORDER BY surname, forename, username LIMIT 1 OFFSET " + str(row - 1)
    )
    return PageKey(*raw.execute(sql).fetchone())


def sqlite_figures(settings: Settings) -> list[Figure]:
    with Hwb.open(settings) as hwb:
        return figures(hwb, "SQLite")


def postgres_figures(settings: Settings) -> list[Figure]:
    with Hwb.open(settings) as hwb:  # the session as the app opens it (store/db.py), JIT off
        return figures(hwb, "PostgreSQL")
