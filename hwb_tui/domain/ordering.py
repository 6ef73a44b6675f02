"""Group names in the order a school lists them."""

from __future__ import annotations

import re

from hwb_tui.domain.model import YEARS


def natural_order(name: str) -> list[tuple[int, int | str]]:
    """Registration groups and classes as a school lists them: "7A" before "10A", then letters."""
    return [
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", name)
        if part
    ]


def year_order(name: str) -> tuple[int, str]:
    """Years from Nursery up; a name that is not a year comes last."""
    return (YEARS.index(name), name) if name in YEARS else (len(YEARS), name)
