"""Run every benchmark and print one table: figure, target, measured, baseline, ratio.

    python -m bench [--skip-postgres] [--skip-terminal] [--skip-group-reset] [--keep DIR]

It builds its own data in a temporary folder (a 500,000-user SQLite file, the same in a fresh
PostgreSQL database, and a 100,000-learner school for the CSV export) and takes about ten
minutes on two cores. Not part of the test run. Each figure is a median of several runs,
measured beside its baseline in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import secrets
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.measure import Figure, render

POSTGRES_ADMIN_URL = os.environ.get(
    "HWB_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
GENERATOR_TARGET_SECONDS = 60
GROUP_RESET_LEARNERS = 400
GROUP_RESET_MIN_RATIO = 0.9


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-terminal", action="store_true")
    parser.add_argument("--skip-group-reset", action="store_true")
    parser.add_argument("--keep", metavar="DIR", help="build the data here and keep it")
    args = parser.parse_args(argv)
    # The deployment's argon2 parameters: the bench must not inherit a test run's cheap ones.
    for name in ("HWB_ARGON2_TIME_COST", "HWB_ARGON2_MEMORY_COST", "HWB_ARGON2_PARALLELISM"):
        os.environ.pop(name, None)
    if args.keep:
        workdir = Path(args.keep)
        workdir.mkdir(parents=True, exist_ok=True)
        figures = run_all(workdir, args)
    else:
        with tempfile.TemporaryDirectory(prefix="hwb-bench-") as folder:
            figures = run_all(Path(folder), args)
    print()
    print(render(figures, title=heading()))
    return 0


def run_all(workdir: Path, args: argparse.Namespace) -> list[Figure]:
    from bench import bulk, database
    from bench.generate import build, national_plan
    from hwb_tui.services.config import Settings

    figures: list[Figure] = []
    url = f"sqlite:///{workdir / 'national.sqlite3'}"
    key_file = workdir / "national.key"
    step("building the 500,000-user SQLite database")
    built = build(url, key_file, national_plan())
    figures.append(_generator_figure("SQLite", built))
    step("lists and search on SQLite")
    figures += database.sqlite_figures(Settings.resolve(url, key_file))
    # These two before PostgreSQL: once its database is loaded, and after it is dropped, the
    # server writes a gigabyte back to disk for minutes, which fell unevenly on their rounds
    # (start-up measured 1.59x the bare app there, 1.14-1.19x on its own just after).
    step("CSV export of 100,000 learners")
    figures.append(bulk.csv_export_figure(workdir))
    if not args.skip_terminal:
        from bench import terminal

        step("the app in a pseudo-terminal")
        figures += terminal.figures(url, key_file, workdir)
    if not args.skip_postgres:
        figures += _postgres(workdir)
    if not args.skip_group_reset:
        step(f"group reset of {GROUP_RESET_LEARNERS} learners (bench/group_reset.py)")
        figures.append(_group_reset_figure())
    return figures


def step(text: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {text}…", file=sys.stderr, flush=True)


def _generator_figure(label: str, built) -> Figure:
    return Figure(
        f"{label}: generate {built.users:,} users in {built.schools:,} schools",
        f"< {GENERATOR_TARGET_SECONDS} s",
        f"{built.seconds:.1f} s",
        met=built.seconds < GENERATOR_TARGET_SECONDS,
    )


def _postgres(workdir: Path) -> list[Figure]:
    import psycopg

    from bench import database
    from bench.generate import build, national_plan
    from hwb_tui.services.config import Settings

    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as error:
        step(f"no PostgreSQL at {POSTGRES_ADMIN_URL} ({type(error).__name__}); skipped")
        return []
    name = f"hwb_bench_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    key_file = workdir / "postgres.key"
    try:
        step("building the 500,000-user PostgreSQL database")
        built = build(url, key_file, national_plan())
        # The loaded accounts vacuumed and their pages written out now, as a server would have
        # done long since (autovacuum after a large insert): not while the searches are timed.
        with psycopg.connect(url, autocommit=True) as loaded:
            loaded.execute("VACUUM (ANALYZE) account")
        admin.execute("CHECKPOINT")
        step("lists and search on PostgreSQL")
        return [
            _generator_figure("PostgreSQL", built),
            *database.postgres_figures(Settings.resolve(url, key_file)),
        ]
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _group_reset_figure() -> Figure:
    """The groups engineer's own bench, run as it is; its two rates are read off its table."""
    script = Path(__file__).with_name("group_reset.py")
    name = f"group reset of {GROUP_RESET_LEARNERS} learners, real argon2"
    target = f"rate >= {GROUP_RESET_MIN_RATIO} x hashing alone"
    if not script.exists():
        return Figure(name, target, "not measured: bench/group_reset.py is missing")
    done = subprocess.run(
        [sys.executable, "-m", "bench.group_reset", "--learners", str(GROUP_RESET_LEARNERS)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    job = re.search(r"group reset job \(start \+ run\)\s+[\d,]+\s+[\d.]+\s+([\d.]+)", done.stdout)
    alone = re.search(r"argon2 alone, both halves\s+[\d,]+\s+[\d.]+\s+([\d.]+)", done.stdout)
    if done.returncode != 0 or not job or not alone:
        return Figure(name, target, f"not measured: bench.group_reset exit {done.returncode}")
    ratio = float(job.group(1)) / float(alone.group(1))
    return Figure(
        name,
        target,
        f"{float(job.group(1)):.1f} /s",
        f"{float(alone.group(1)):.1f} /s",
        ratio,
        ratio >= GROUP_RESET_MIN_RATIO,
    )


def heading() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        cpu = model
    except (OSError, StopIteration):
        pass
    return (
        f"hwb-tui bench, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {cpu}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
