"""Group resets of 1,000 learners with the real argon2 parameters, beside argon2 hashing alone.

    python -m bench.group_reset [--learners 1000] [--rounds 1] [--db URL]

Hashing alone goes through the same process pool (Hasher.hash_batches) on as many passwords
as the job resets, in the same run. With one round (the default) that is one job of all the
learners between two halves of hashing alone. On a machine that others are loading too, use
--rounds 4: the learners are split into four registration groups, and jobs and hashing alone
take turns in the order alone, job, job, alone, alone, job, job, alone, so a load that rises
or falls over the run weighs on both alike. The job's rate counts everything from start to
finish (recording the job, hashing, sealing, writing in batches, auditing); the target is at
least 0.9 of hashing alone. Not a test: about two minutes on two quiet cores.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from bench.school import create_school_with_operator
from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.domain.policy import generate_password
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.services.jobs import BATCH_SIZE, GroupType
from hwb_tui.store.models import Account

OPERATOR = "bench.groups.teacher"
VERIFIED_SAMPLE = 20


def reg_group(round_number: int) -> str:
    return f"9B{round_number + 1}"


def populate(hwb: Hwb, learners: int, rounds: int) -> None:
    """One school, one member of staff and the learners ("-": no password yet), one
    registration group per round."""
    with hwb.context.db.atomic():
        school_id = create_school_with_operator("6619999", OPERATOR)
        Account.insert_many(
            [
                {
                    "username": f"bench.learner.{number}",
                    "forename": "Llŷr",
                    "surname": f"Dysgwr {number:04d}",
                    "kind": str(Kind.LEARNER),
                    "school": school_id,
                    "year": "9",
                    "reg_group": reg_group(number % rounds),
                    "password_status": str(PasswordStatus.UNAVAILABLE),
                }
                for number in range(learners)
            ]
        ).execute()


def hashing_alone(hwb: Hwb, count: int) -> float:
    """Seconds to hash `count` fresh passwords in job-sized batches on the same pool."""
    passwords = [generate_password() for _ in range(count)]
    batches = [passwords[i : i + BATCH_SIZE] for i in range(0, count, BATCH_SIZE)]
    started = time.perf_counter()
    hashed = sum(len(batch) for batch in hwb.context.hasher.hash_batches(batches))
    elapsed = time.perf_counter() - started
    assert hashed == count
    return elapsed


def group_reset(hwb: Hwb, group: str) -> tuple[float, float, int]:
    """Wall seconds, this process's CPU seconds (all but the hashing), and learners reset."""
    teacher = hwb.users.actor(OPERATOR)
    started, cpu_started = time.perf_counter(), time.process_time()
    job = hwb.jobs.start(teacher, GroupType.REG_GROUP, group)
    job = hwb.jobs.run(teacher, job.id)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert job.is_finished
    return elapsed, cpu, job.reset


def verify_sample(hwb: Hwb) -> None:
    """A few of the new passwords open from their sealed copy and verify against the hash."""
    rows = list(Account.select().where(Account.kind == str(Kind.LEARNER)))
    for row in random.sample(rows, min(VERIFIED_SAMPLE, len(rows))):
        password = hwb.context.sealer.open_password(row.id, bytes(row.sealed_password))
        assert hwb.context.hasher.verify(row.password_hash, password), row.username


def measure(hwb: Hwb, learners: int, rounds: int) -> list[tuple[str, int, float, float]]:
    """(what, passwords, wall seconds, CPU seconds of the job's process) for each phase."""
    per_round = [learners // rounds + (1 if r < learners % rounds else 0) for r in range(rounds)]
    phases: list[tuple[str, int, float, float]] = []

    def alone(count: int, when: str = "") -> None:
        phases.append((f"argon2 alone{when}", count, hashing_alone(hwb, count), 0.0))

    def job(round_number: int) -> None:
        seconds, cpu, reset = group_reset(hwb, reg_group(round_number))
        phases.append((f"group reset job {reg_group(round_number)}", reset, seconds, cpu))

    if rounds == 1:
        alone(learners // 2, ", before the job")
        job(0)
        alone(learners - learners // 2, ", after the job")
        return phases
    for round_number, count in enumerate(per_round):
        if round_number % 2 == 0:
            alone(count)
            job(round_number)
        else:
            job(round_number)
            alone(count)
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1, help="jobs, taking turns with hashing")
    parser.add_argument(
        "--db", metavar="URL", help="an empty database (default: a new SQLite file)"
    )
    args = parser.parse_args()
    rounds = max(1, min(args.rounds, args.learners))
    with tempfile.TemporaryDirectory(prefix="hwb-bench-groups-") as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        # No HWB_ARGON2_* from the environment: the real, default parameters.
        settings = Settings.resolve(url, Path(folder) / "bench.key", env={})
        with Hwb.open(settings) as hwb:
            populate(hwb, args.learners, rounds)
            phases = measure(hwb, args.learners, rounds)
            verify_sample(hwb)
    params = settings.argon2
    print(
        f"Group resets of {args.learners:,} learners in {rounds} job(s); argon2id "
        f"t={params.time_cost}, m={params.memory_cost} KiB, p={params.parallelism}; "
        f"{os.cpu_count()} worker processes; batches of {BATCH_SIZE}; {url.split(':', 1)[0]}"
    )
    print(f"{'measured, in the order run':<34}{'passwords':>10}{'seconds':>10}{'per second':>12}")
    for label, count, seconds, _cpu in phases:
        print(f"{label:<34}{count:>10,}{seconds:>10.1f}{count / seconds:>12.1f}")
    # bench/run.py reads the two total lines by these labels.
    total_labels = {
        "argon2 alone": "argon2 alone, both halves" if rounds == 1 else "argon2 alone, all",
        "group reset job": "group reset job (start + run)",
    }
    totals = {}
    for kind, label in total_labels.items():
        rows = [phase for phase in phases if phase[0].startswith(kind)]
        count, seconds = sum(row[1] for row in rows), sum(row[2] for row in rows)
        totals[kind] = count / seconds
        print(f"{label:<34}{count:>10,}{seconds:>10.1f}{count / seconds:>12.1f}")
    job_cpu = sum(phase[3] for phase in phases)
    print(f"CPU of the job's own process (generating, sealing, writing, auditing): {job_cpu:.1f} s")
    ratio = totals["group reset job"] / totals["argon2 alone"]
    verdict = "meets" if ratio >= 0.9 else "misses"
    print(f"ratio job / argon2 alone: {ratio:.2f} ({verdict} the target of 0.90)")
    # Other work on the machine slows both sides; a high load makes the ratio noisy.
    print("load average at the end: " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
