"""Benchmark databases: a national one (500,000 users in about 1,500 schools) in seconds.

The schema comes from the migrations (through Hwb.open); the rows go in with batched inserts
in one transaction (COPY on PostgreSQL). Hashing 500,000 passwords with argon2 would take
hours, so most accounts have the status "-" with no hash, and a small share carries one
precomputed hash and a real sealed copy (AES-GCM, bound to its account's id).

Names: about half come from the demo's Welsh and English name lists (so "Jones" is as common
as it is in Wales), the rest from a long tail of made-up place-like surnames.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from hwb_tui.domain.model import Kind, PasswordStatus, Phase
from hwb_tui.domain.usernames import base_username
from hwb_tui.services.config import Settings
from hwb_tui.services.demo import (
    ENGLISH_FORENAMES,
    ENGLISH_SURNAMES,
    WELSH_FORENAMES,
    WELSH_SURNAMES,
)
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.db import is_postgres
from hwb_tui.store.search_ranks import (
    POSTINGS_INSERT,
    RANKED_KINDS,
    clear_postings,
    key_postings,
    rebuild_index,
    set_aside_triggers,
    spaced_rank,
)

BENCH_PASSWORD = "Croeso2026"
ADMIN = "bench.admin"  # a Hwb administrator: sees every school
TEACHER = "bench.teacher"  # staff at the first school

_PREFIXES = (
    "Aber", "Bryn", "Car", "Dol", "Glyn", "Hen", "Llan", "Maen",
    "Pen", "Rhos", "Tre", "Ystrad", "Caer", "Cwm", "Gwern", "Nant",
)  # fmt: skip
_SUFFIXES = (
    "ffordd", "wen", "ddu", "fach", "fawr", "lyn", "ton", "field",
    "wood", "ley", "ford", "by", "stone", "well", "more", "hurst",
)  # fmt: skip
SURNAMES = (*WELSH_SURNAMES, *ENGLISH_SURNAMES)
TAIL_SURNAMES = tuple(prefix + suffix for prefix in _PREFIXES for suffix in _SUFFIXES)
FORENAMES = (*WELSH_FORENAMES, *ENGLISH_FORENAMES)

ACCOUNT_COLUMNS = (
    "id",
    "username",
    "forename",
    "surname",
    "kind",
    "school_id",
    "is_digital_champion",
    "year",
    "reg_group",
    "admission_number",
    "staff_code",
    "consent",
    "created_at",
    "password_hash",
    "sealed_password",
    "password_status",
)
# A list's order: by kind, then surname, forename and username.
_SORT_KEY_COLUMNS = tuple(
    ACCOUNT_COLUMNS.index(column) for column in ("kind", "surname", "forename", "username")
)


@dataclass(frozen=True, slots=True)
class SchoolSize:
    learners: int
    staff: int = 12
    governors: int = 3
    non_mis: int = 2

    @property
    def users(self) -> int:
        return self.learners + self.staff + self.governors + self.non_mis


@dataclass(frozen=True, slots=True)
class Built:
    url: str
    key_file: Path
    schools: int
    users: int
    seconds: float


def national_plan(users: int = 500_000, schools: int = 1_500) -> list[SchoolSize]:
    """Wales-like: most schools primary and small, a few large secondaries; `users` in all.

    The first school has 2,000 learners (the terminal figures' list); the rest share the
    remainder, secondaries (every eighth school) about six times the learners of a primary.
    """
    first = SchoolSize(learners=2_000)
    others = schools - 1
    fixed = first.users + others * (SchoolSize(0).users)
    weights = [6 if index % 8 == 0 else 1 for index in range(others)]
    per_weight = (users - fixed) / sum(weights)
    sizes = [first] + [SchoolSize(learners=int(per_weight * weight)) for weight in weights]
    shortfall = users - sum(size.users for size in sizes)
    sizes[1] = SchoolSize(learners=sizes[1].learners + shortfall)
    return sizes


def build(
    url: str,
    key_file: Path,
    plan: list[SchoolSize],
    *,
    available_share: float = 0.01,
    seed: int = 2026,
) -> Built:
    """A fresh database at `url` (which must be empty) holding the planned schools."""
    started = time.perf_counter()
    settings = Settings.resolve(url, key_file)
    with Hwb.open(settings) as hwb:
        ctx = hwb.context
        sealer = ctx.sealer
        # Hashed once, before the transaction, and shared: a bench needs a valid hash, not many.
        shared_hash = ctx.hasher.hash(BENCH_PASSWORD)
        rng = random.Random(seed)
        created = dt.datetime(2025, 9, 1, 8, 30)
        schools = [
            (
                number,
                f"66{number:05d}",
                f"Ysgol Bench {number}",
                str(Phase.SECONDARY if number % 8 == 1 else Phase.PRIMARY),
            )
            for number in range(1, len(plan) + 1)
        ]

        def accounts() -> Iterator[tuple]:
            account_id = 0
            for sign_in, kind, school in ((ADMIN, Kind.HWB_ADMIN, None), (TEACHER, Kind.STAFF, 1)):
                account_id += 1
                yield (
                    account_id, sign_in, "Bench", sign_in.split(".")[1].title(), str(kind),
                    school, False, None, None, None, None, None, created, shared_hash,
                    sealer.seal_password(account_id, BENCH_PASSWORD),
                    str(PasswordStatus.AVAILABLE),
                )  # fmt: skip
            for school_id, size in enumerate(plan, start=1):
                primary = school_id % 8 != 1
                years = ("N", "R", "1", "2", "3", "4", "5", "6") if primary else YEARS_SECONDARY
                for kind, count in (
                    (Kind.LEARNER, size.learners),
                    (Kind.STAFF, size.staff),
                    (Kind.GOVERNOR, size.governors),
                    (Kind.NON_MIS, size.non_mis),
                ):
                    for serial in range(count):
                        account_id += 1
                        yield _account(
                            rng, account_id, kind, school_id, serial, years, created,
                            shared_hash, sealer, available_share,
                        )  # fmt: skip

        if is_postgres():
            _copy_postgres(ctx.db, url, schools, accounts())
        else:
            with ctx.db.atomic():
                _insert_sqlite(ctx.db, schools, accounts())
        total = sum(size.users for size in plan) + 2
    return Built(url, key_file, len(plan), total, time.perf_counter() - started)


YEARS_SECONDARY = ("7", "8", "9", "10", "11", "12", "13")
# 2,000 name pairs among 500,000 people: work each username stem out once.
_base_username = lru_cache(maxsize=None)(base_username)


def _account(rng, account_id, kind, school_id, serial, years, created, shared_hash, sealer, share):
    forename = rng.choice(FORENAMES)
    surname = rng.choice(SURNAMES) if rng.random() < 0.55 else rng.choice(TAIL_SURNAMES)
    username = f"{_base_username(forename, surname)}{account_id}"
    roll = rng.random()
    if roll < share:
        status, password_hash = PasswordStatus.AVAILABLE, shared_hash
        sealed = sealer.seal_password(account_id, BENCH_PASSWORD)
    elif roll < share * 2:
        status, password_hash, sealed = PasswordStatus.USER_CHANGED, shared_hash, None
    else:
        status, password_hash, sealed = PasswordStatus.UNAVAILABLE, None, None
    learner = kind is Kind.LEARNER
    year = years[serial % len(years)] if learner else None
    return (
        account_id,
        username,
        forename,
        surname,
        str(kind),
        school_id,
        False,
        year,
        f"{year}{'ABCD'[serial // len(years) % 4]}" if learner else None,
        f"{account_id:07d}" if learner else None,
        f"S{account_id:06d}" if kind is Kind.STAFF else None,
        (account_id % 7 != 0) if learner else None,
        created,
        password_hash,
        sealed,
        str(status),
    )


def _insert_sqlite(db, schools: list[tuple], accounts: Iterator[tuple]) -> None:
    connection = db.connection()
    # Five indexes fill in random order; a big page cache keeps them from going to disk.
    connection.execute("PRAGMA cache_size = -400000")
    connection.executemany(
        "INSERT INTO school (id, code, name, phase) VALUES (?, ?, ?, ?)", schools
    )
    columns = (*ACCOUNT_COLUMNS, "search_rank")
    sql = f"INSERT INTO account ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    with set_aside_triggers(db, ("account_rank_insert",)), _indexes_set_aside(connection):
        connection.executemany(sql, _ranked(accounts))
    rebuild_index(db)


@contextmanager
def _indexes_set_aside(connection) -> Iterator[None]:
    """The account table's indexes dropped for the block and made again from their own stored
    SQL after it: each is then built in one sort, instead of filled a row at a time in random
    order (most of the insert's time)."""
    made = connection.execute(
        "SELECT name, sql FROM sqlite_master "
        "WHERE type = 'index' AND tbl_name = 'account' AND sql IS NOT NULL"
    ).fetchall()
    for name, _sql in made:
        connection.execute(f'DROP INDEX "{name}"')
    yield
    for _name, sql in made:
        connection.execute(sql)


def _ranked(accounts: Iterator[tuple]) -> list[tuple]:
    """Every account with its search rank (store/search_ranks.py) after it: its place in its
    kind's list, worked out here in one sort, costs far less than placing each one as it
    arrives or numbering them all afterwards; the index is then built once."""
    rows = list(accounts)
    kind_at, sort_key = ACCOUNT_COLUMNS.index("kind"), itemgetter(*_SORT_KEY_COLUMNS)
    ranks = [0] * len(rows)
    position = dict.fromkeys(RANKED_KINDS, 0)
    for n in sorted(range(len(rows)), key=lambda n: sort_key(rows[n])):
        kind = rows[n][kind_at]
        position[kind] += 1
        ranks[n] = spaced_rank(kind, position[kind])
    return [(*row, rank) for row, rank in zip(rows, ranks, strict=True)]


def _copy_postgres(db, url: str, schools: list[tuple], accounts: Iterator[tuple]) -> None:
    """COPY on a psycopg 3 connection of its own, in one transaction, with the triggers that
    place and index each account set aside and the account table's indexes dropped; then the
    indexes and the search index, built once each."""
    import psycopg

    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        with cursor.copy("COPY school (id, code, name, phase) FROM STDIN") as copy:
            for row in schools:
                copy.write_row(row)
        columns = (*ACCOUNT_COLUMNS, "search_rank")
        cursor.execute("ALTER TABLE account DISABLE TRIGGER USER")
        # Filled a row at a time in random order, these indexes were half the COPY's time;
        # the primary key, filled in order, stays.
        indexes = cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'account' "
            "AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = 'account'::regclass)"
        ).fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        with cursor.copy(f"COPY account ({', '.join(columns)}) FROM STDIN") as copy:
            for row in _ranked(accounts):
                copy.write_row(row)
        cursor.execute("ALTER TABLE account ENABLE TRIGGER USER")
        for table in ("school", "account"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE school, account")  # as autovacuum would soon after a load
    _index_postgres(db, url, [definition for _name, definition in indexes])


def _index_postgres(db, url: str, account_indexes: list[str]) -> None:
    """The account table's indexes, and the search index as rebuild_index builds it but with
    its postings written in two halves: each statement on a connection of its own, two at a
    time, for PostgreSQL runs each one on one core."""
    import psycopg

    with db.atomic():
        clear_postings(db)
    (middle,) = db.execute_sql(
        "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY search_rank) FROM account"
    ).fetchone()
    statements = [
        (f"{POSTINGS_INSERT} AND a.search_rank {condition}", (middle,))
        for condition in ("< %s", ">= %s")
    ] + [(definition, ()) for definition in account_indexes]

    def run(statement: tuple[str, tuple]) -> None:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(*statement)

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, statements))
    with db.atomic():
        key_postings(db)
    # As autovacuum would soon after: searches read the postings from their key alone once
    # the table's pages are known to be all visible.
    db.execute_sql("VACUUM (ANALYZE) account_gram")
