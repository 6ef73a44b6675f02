"""The garbage collector while the process starts: off, then on once the first screen is up
or a command begins.

Start-up makes what the process keeps to its end (modules, classes, the services, the first
screen); the collector would only walk those again and again, which was a tenth of the app's
start (one full collection alone took 40 ms). What start-up made is then frozen out of the
collector's sight, and collection goes on as usual for everything after.
"""

from __future__ import annotations

import gc

_held = False


def hold_collection() -> None:
    """At the entry point, before the imports."""
    global _held
    _held = gc.isenabled()
    gc.disable()


def resume_collection() -> None:
    """When start-up is over; nothing where `hold_collection` was not called (tests, or a
    program that uses the package)."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()
