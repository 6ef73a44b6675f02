"""Load: several processes of mixed password work on one database, then proof nothing was lost.

    python -m bench.load [--processes 8] [--operations 200] [--postgres URL] [--real-argon2]

Each process is a member of staff (and the learners they act as) doing a random mix of reveal,
copy, reset, self-change, search and group reset on the demo database's secondary school, on
one SQLite file and on one PostgreSQL database. Afterwards:

- no error reached a user (a refused reveal of a password the learner changed is not an error);
- no update was lost: for every account, the last write the audit trail records is the one the
  account holds (its hash verifies that password; a reset's sealed copy opens to it; a
  self-change left no copy), and every hash agrees with its sealed copy;
- the audit trail has exactly one record per audited operation done.

Throughput is printed beside a baseline measured in the same run: one process alone doing the
same number of operations per process. argon2 is cheap by default (the database is what is
measured); --real-argon2 uses the deployment's parameters.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import random
import secrets
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

CHEAP_ARGON2 = {
    "HWB_ARGON2_TIME_COST": "1",
    "HWB_ARGON2_MEMORY_COST": "8",
    "HWB_ARGON2_PARALLELISM": "1",
}
STAFF = "teacher.demo"
# (operation, weight): mostly reading and single resets, as a school day is.
MIX = (
    ("reveal", 25),
    ("copy", 15),
    ("reset", 20),
    ("self-change", 15),
    ("search", 20),
    ("group-reset", 5),
)
AUDITED = {"reveal", "copy", "reset", "self-change"}  # group resets: one record per learner
SEARCH_TERMS = ("ap", "Jon", "Wil", "Hu", "Ll", "Ev", "ri", "9A", "x")


@dataclass
class WorkerReport:
    worker: int
    done: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)  # correct refusals, shown as such
    audited: int = 0
    errors: list[str] = field(default_factory=list)  # anything else a user would have seen
    # (username, password or None for a group reset, operation), in this worker's order
    writes: list[tuple[str, str | None, str]] = field(default_factory=list)


def _worker(url: str, key_file: str, worker: int, operations: int, seed: int, gates, results):
    from hwb_tui.domain.audit import AuditAction
    from hwb_tui.domain.errors import HwbError, PasswordUnavailable
    from hwb_tui.domain.model import Kind
    from hwb_tui.services.config import Settings
    from hwb_tui.services.hwb import Hwb

    report = WorkerReport(worker)
    rng = random.Random(seed)
    settings = dataclasses.replace(Settings.resolve(url, key_file), origin=f"load:{worker}")
    with Hwb.open(settings) as hwb:
        staff = hwb.users.actor(STAFF)
        learners = [row.username for row in hwb.users.list_users(staff, Kind.LEARNER)]
        names, weights = zip(*MIX, strict=True)
        ready, start = gates
        ready.release()  # opened and warmed up: start-up is not part of the timing
        start.wait()
        for number in range(operations):
            operation = rng.choices(names, weights)[0]
            learner = rng.choice(learners)
            password = f"Llwyth{worker}x{number}Q"  # unique: tells every write apart
            try:
                if operation in ("reveal", "copy"):
                    purpose = AuditAction.REVEAL if operation == "reveal" else AuditAction.COPY
                    hwb.passwords.reveal(staff, learner, purpose=purpose)
                elif operation == "reset":
                    hwb.passwords.reset(staff, learner, password)
                    report.writes.append((learner, password, operation))
                elif operation == "self-change":
                    hwb.passwords.change_own(hwb.users.actor(learner), password)
                    report.writes.append((learner, password, operation))
                elif operation == "search":
                    hwb.users.list_users(staff, Kind.LEARNER, search=rng.choice(SEARCH_TERMS))
                else:
                    chosen = rng.sample(learners, 3)
                    job = hwb.jobs.start_selected(staff, chosen)
                    report.audited += hwb.jobs.run(staff, job.id).reset
                    # A learner whose own newer password the job kept is not written.
                    reset = hwb.jobs.reset_usernames(staff, job.id)
                    report.writes.extend((name, None, operation) for name in reset)
            except PasswordUnavailable:
                report.refused[operation] += 1  # the learner changed it: the right answer
                continue
            except HwbError as error:
                report.errors.append(f"{operation}: {error}")
                continue
            except Exception as error:  # a fault a user would see as "unexpected"
                report.errors.append(f"{operation}: unexpected {type(error).__name__}: {error}")
                continue
            report.done[operation] += 1
            report.audited += operation in AUDITED
    results.put(report)


@dataclass(frozen=True)
class LoadResult:
    backend: str
    processes: int
    operations: int  # done or correctly refused
    seconds: float
    errors: tuple[str, ...]
    audit_records: int
    audited_operations: int
    lost_updates: tuple[str, ...]
    done: Counter

    @property
    def throughput(self) -> float:
        return self.operations / self.seconds


def run_load(
    url: str, key_file: Path, processes: int, operations: int, seed: int = 1
) -> LoadResult:
    """Run the workers against a database already holding the demo, then check it whole."""
    context = multiprocessing.get_context("spawn")
    ready, start, results = context.Semaphore(0), context.Event(), context.Queue()
    workers = [
        context.Process(
            target=_worker,
            args=(
                url,
                str(key_file),
                index,
                operations,
                seed * 1000 + index,
                (ready, start),
                results,
            ),
        )
        for index in range(processes)
    ]
    for process in workers:
        process.start()
    for _ in workers:
        if not ready.acquire(timeout=300):
            raise RuntimeError("a load process did not start within five minutes")
    began = time.perf_counter()
    start.set()
    reports = [results.get(timeout=1800) for _ in workers]
    seconds = time.perf_counter() - began
    for process in workers:
        process.join()
    return _check(url, key_file, reports, seconds)


def _check(url: str, key_file: Path, reports: list[WorkerReport], seconds: float) -> LoadResult:
    from hwb_tui.services.config import Settings
    from hwb_tui.services.hwb import Hwb
    from hwb_tui.store.models import Account, AuditRecord

    lost: list[str] = []
    with Hwb.open(Settings.resolve(url, key_file)) as hwb:
        sealer, hasher = hwb.context.sealer, hwb.context.hasher
        last_write_of = {
            (report.worker, name): (password, operation)
            for report in reports
            for name, password, operation in report.writes
        }
        records = (
            AuditRecord.select()
            .where(
                AuditRecord.origin.startswith("load:"),
                AuditRecord.action.in_(["reset", "self-change"]),
            )
            .order_by(AuditRecord.id)
        )
        last_record = {record.target: record for record in records}
        for row in Account.select():
            copy = (
                sealer.open_password(row.id, bytes(row.sealed_password))
                if row.sealed_password is not None
                else None
            )
            if copy is not None and not hasher.verify(row.password_hash, copy):
                lost.append(f"{row.username}: hash and sealed copy disagree")
            record = last_record.get(row.username)
            if record is None:
                continue
            worker = int(record.origin.removeprefix("load:"))
            last_write = last_write_of.get((worker, row.username))
            if last_write is None:
                lost.append(f"{row.username}: written by an operation its process saw fail")
                continue
            password, operation = last_write
            if operation == "group-reset":
                if copy is None:
                    lost.append(f"{row.username}: a group reset left no copy")
            elif not hasher.verify(row.password_hash, password):
                lost.append(f"{row.username}: holds a password other than its last write")
            elif (copy is None) != (operation == "self-change") or copy not in (None, password):
                lost.append(f"{row.username}: sealed copy does not match its last write")
        audit_records = AuditRecord.select().where(AuditRecord.origin.startswith("load:")).count()
    done = sum((report.done for report in reports), Counter())
    refused = sum((report.refused for report in reports), Counter())
    return LoadResult(
        backend="PostgreSQL" if url.startswith("postgres") else "SQLite",
        processes=len(reports),
        operations=sum(done.values()) + sum(refused.values()),
        seconds=seconds,
        errors=tuple(error for report in reports for error in report.errors),
        audit_records=audit_records,
        audited_operations=sum(report.audited for report in reports),
        lost_updates=tuple(lost),
        done=done,
    )


def prepare_demo(url: str, key_file: Path) -> None:
    from hwb_tui.services.config import Settings
    from hwb_tui.services.hwb import Hwb

    with Hwb.open(Settings.resolve(url, key_file)) as hwb:
        hwb.demo.build(force=True)


# -- the command ---------------------------------------------------------------------------------


def _fresh_postgres(admin_url: str) -> tuple[str, object]:
    import psycopg

    name = f"hwb_load_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{admin_url.rsplit('/', 1)[0]}/{name}", drop


def measure(url: str, key_file: Path, processes: int, operations: int) -> tuple[LoadResult, ...]:
    """The baseline (one process) and the load, each on a freshly built demo database."""
    results = []
    for count in (1, processes):
        prepare_demo(url, key_file)
        results.append(run_load(url, key_file, count, operations))
    return tuple(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--operations", type=int, default=200, help="per process")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "HWB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
        help="a PostgreSQL database whose server may create a scratch database ('' to skip)",
    )
    parser.add_argument("--real-argon2", action="store_true", help="hash as a deployment does")
    args = parser.parse_args(argv)
    if not args.real_argon2:
        os.environ.update(CHEAP_ARGON2)
    rows = []
    with tempfile.TemporaryDirectory(prefix="hwb-load-") as folder:
        sqlite = f"sqlite:///{Path(folder) / 'load.sqlite3'}"
        rows += measure(sqlite, Path(folder) / "sqlite.key", args.processes, args.operations)
        if args.postgres:
            url, drop = _fresh_postgres(args.postgres)
            try:
                rows += measure(url, Path(folder) / "pg.key", args.processes, args.operations)
            finally:
                drop()
    _print_table(rows, args)
    return 0 if all(_whole(row) for row in rows) else 1


def _whole(result: LoadResult) -> bool:
    return (
        not result.errors
        and not result.lost_updates
        and result.audit_records == result.audited_operations
    )


def _print_table(rows: list[LoadResult], args) -> None:
    argon2 = "deployment argon2" if args.real_argon2 else "cheap argon2 (t=1, 8 KiB)"
    print(f"Load: {args.operations} mixed operations per process, {argon2}, {os.cpu_count()} cores")
    header = (
        "backend",
        "processes",
        "operations",
        "seconds",
        "ops/s",
        "vs 1 process",
        "errors",
        "lost",
        "audit = ops",
    )
    print("  ".join(f"{title:>12}" for title in header))
    baseline: dict[str, float] = {}
    for row in rows:
        baseline.setdefault(row.backend, row.throughput)
        cells = (
            row.backend,
            row.processes,
            row.operations,
            f"{row.seconds:.1f}",
            f"{row.throughput:.0f}",
            f"{row.throughput / baseline[row.backend]:.2f}x",
            len(row.errors),
            len(row.lost_updates),
            f"{row.audit_records}={row.audited_operations}",
        )
        print("  ".join(f"{cell!s:>12}" for cell in cells))
    for row in rows:
        mix = ", ".join(f"{name} {row.done[name]}" for name, _ in MIX)
        print(f"{row.backend}, {row.processes} processes, done: {mix}")
    for row in rows:
        for problem in (*row.errors, *row.lost_updates)[:10]:
            print(f"{row.backend}: {problem}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
