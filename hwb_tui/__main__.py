"""The `hwb-tui` command, and `python -m hwb_tui`."""

from __future__ import annotations

import sys

from hwb_tui.startup import hold_collection


def run() -> int:
    hold_collection()
    from hwb_tui.cli import main

    return main()


if __name__ == "__main__":
    sys.exit(run())
