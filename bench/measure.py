"""Timing and the results table: every figure is a median, beside a baseline from the same run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

MIN_RUNS = 3
# A quick call gets up to this many rounds: with 15, a 0.3 ms page's ratio to its baseline
# ranged from 1.36 to 1.60 over 30 runs on this shared machine, across a 1.5 limit.
MAX_RUNS = 201
TIME_BUDGET_SECONDS = 3.0  # per measured call; slow calls get fewer runs, never fewer than 3


def paired_medians(
    measured: Callable[[], object], baseline: Callable[[], object], warm_up: bool = True
) -> tuple[float, float]:
    """The median wall times of `measured` and `baseline`, run by turns (A B, then B A) over 3
    to 201 rounds, as many as fit in about 3 s of the measured call: a busy moment on a shared
    machine then falls on both sides of the ratio rather than on one."""
    if warm_up:
        measured()
        baseline()
    times: tuple[list[float], list[float]] = ([], [])
    spent = 0.0
    calls = (measured, baseline)
    while len(times[0]) < MIN_RUNS or (len(times[0]) < MAX_RUNS and spent < TIME_BUDGET_SECONDS):
        order = (0, 1) if len(times[0]) % 2 == 0 else (1, 0)
        for side in order:
            started = time.perf_counter()
            calls[side]()
            times[side].append(time.perf_counter() - started)
        spent += times[0][-1]
    return statistics.median(times[0]), statistics.median(times[1])


@dataclass(frozen=True, slots=True)
class Figure:
    """One row of the table. `ratio` is measured/baseline for times, measured/baseline rate
    for rates; `met` is None where a figure has no target."""

    name: str
    target: str
    measured: str
    baseline: str = "-"
    ratio: float | None = None
    met: bool | None = None


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def time_figure(
    name: str, target_ms: float | None, measured: float, baseline: float, max_ratio: float = 1.5
) -> Figure:
    """A time beside its baseline: met when under the target (if any) and within the ratio."""
    ratio = measured / baseline if baseline else None
    met = ratio is not None and ratio <= max_ratio
    target = f"ratio <= {max_ratio}"
    if target_ms is not None:
        met = met and measured * 1000 <= target_ms
        target = f"<= {target_ms:g} ms, {target}"
    return Figure(name, target, milliseconds(measured), milliseconds(baseline), ratio, met)


def render(figures: list[Figure], title: str) -> str:
    headers = ("figure", "target", "measured", "baseline", "ratio", "met")
    rows = [
        (
            f.name,
            f.target,
            f.measured,
            f.baseline,
            "-" if f.ratio is None else f"{f.ratio:.2f}",
            "-" if f.met is None else ("yes" if f.met else "NO"),
        )
        for f in figures
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([title, "", line(headers), rule, *(line(r) for r in rows)])
