"""Print Registration Group (With Password) beside the All Pupils CSV of the same learners.

    python -m bench.print_slips [--sizes 30,300,1000]

Both open every sealed copy, audit once and write a 0600 file; the print also lays out and
embeds the font in a PDF. The table gives each one's time and the print's cost as a ratio of
the CSV's, measured in the same run on the same database. Not a test.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench.school import create_school_with_operator
from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.domain.rights import Download
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.models import Account

OPERATOR = "bench.print.teacher"
PASSWORD = "Bwrdd2026gwyn"


def populate(hwb: Hwb, size: int) -> int:
    """A school with one member of staff and `size` learners in one group, each with a copy."""
    with hwb.context.db.atomic():
        school_id = create_school_with_operator("6619998", OPERATOR)
        for number in range(size):
            row = Account.create(
                username=f"bench.learner.{number}",
                forename="Gwenllïan",
                surname=f"Ŵyn {number:04d}",
                kind=str(Kind.LEARNER),
                school=school_id,
                year="9",
                reg_group="9B",
                password_status=str(PasswordStatus.AVAILABLE),
            )
            row.sealed_password = hwb.context.sealer.seal_password(row.id, PASSWORD)
            row.save()
    return school_id


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def measure(size: int, folder: Path) -> tuple[float, float]:
    settings = Settings.resolve(
        f"sqlite:///{folder / f'bench-{size}.sqlite3'}",
        folder / f"bench-{size}.key",
        env=os.environ,
    )
    with Hwb.open(settings) as hwb:
        populate(hwb, size)
        actor = hwb.users.actor(OPERATOR)
        hwb.printing.print_reg_group(actor, "9B", folder / "warm.pdf", with_password=True)
        csv_seconds = timed(
            lambda: hwb.exports.download(actor, Download.ALL_PUPILS, folder / f"{size}.csv")
        )
        pdf_seconds = timed(
            lambda: hwb.printing.print_reg_group(
                actor, "9B", folder / f"{size}.pdf", with_password=True
            )
        )
    return pdf_seconds, csv_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,300,1000")
    args = parser.parse_args()
    print(f"{'learners':>8}  {'slips PDF s':>11}  {'CSV s':>7}  {'PDF/CSV':>7}  {'slips/s':>8}")
    with tempfile.TemporaryDirectory() as temporary:
        for size in (int(text) for text in args.sizes.split(",")):
            pdf_seconds, csv_seconds = measure(size, Path(temporary))
            print(
                f"{size:>8}  {pdf_seconds:>11.3f}  {csv_seconds:>7.3f}  "
                f"{pdf_seconds / csv_seconds:>7.1f}  {size / pdf_seconds:>8.0f}"
            )


if __name__ == "__main__":
    main()
