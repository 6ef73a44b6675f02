"""The app in a real pseudo-terminal (120x40, TERM=xterm-256color): bytes it writes, start-up
time and memory, beside a bare Textual app with the same kind of widgets in the same run.

What a user on a slow link pays for is what the app writes to the terminal, so every figure
counts the bytes read from the pty's master side. The app runs as the bench's teacher (a
forced SSH session, `--as`) on the school of 2,000 learners in the 500,000-user database.

`python -m bench` runs these with the rest; the start-up figure alone, on a database built
before:

    python -m bench.terminal --db sqlite:///DIR/national.sqlite3 --key-file DIR/national.key
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import termios
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import hwb_tui
from bench.generate import TEACHER
from bench.measure import Figure, render

COLUMNS, LINES = 120, 40
QUIET_SECONDS = 0.25  # no output for this long: the app has finished drawing
START_TIMEOUT_SECONDS = 30
IDLE_SECONDS = 10
# Pairs of starts (bare app, then app). This shared machine's speed wanders from second to
# second: the ratio of the two medians gave 1.04 to 1.55 in runs of 10 to 15 pairs a few
# minutes apart, and 1.21 with the 3 pairs the bench took before.
START_RUNS = 15
KEY_DOWN = b"\x1b[B"
KEY_F1 = b"\x1bOP"
KEY_ESCAPE = b"\x1b"
SURNAME = b"Pritch"  # typed into the search field one key at a time
TYPING_GAP_SECONDS = 0.12  # a brisk typist
CURSOR_POSITION = re.compile(rb"\x1b\[(\d+);(\d+)H")
ESCAPE_SEQUENCE = re.compile(rb"\x1b(?:\[[0-9;?<>=$]*[ -/]*[@-~]|[()][0-9A-Za-z]|[@-Z\\-_])")
MOUSE_REPORTING = re.compile(rb"\x1b\[\?100[0-3]h")
RICH_COLOUR = re.compile(rb"\x1b\[[0-9;]*[34]8;[25];")
HEAVY_LIBRARIES = ("_argon2_cffi_bindings", "cryptography", "fpdf")


class Terminal:
    """A process on a pseudo-terminal, with everything it writes counted."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: a 120x40 terminal, then the program
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
            os.execve(argv[0], argv, env)
        self.output = bytearray()
        self.first_byte_at: float | None = None

    def read(self, seconds: float) -> bytes:
        """Everything written in the next `seconds`."""
        chunk = bytearray()
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            chunk += self._read_ready(left)
        return bytes(chunk)

    def read_until_quiet(self, quiet: float = QUIET_SECONDS, limit: float = 10.0) -> bytes:
        chunk = bytearray()
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            data = self._read_ready(quiet)
            if not data:
                break
            chunk += data
        return bytes(chunk)

    def wait_for(self, needle: bytes, limit: float) -> float | None:
        """Seconds from the start until `needle` has been written, or None."""
        deadline = time.perf_counter() + limit
        while needle not in self.output and time.perf_counter() < deadline:
            self._read_ready(0.05)
        return time.perf_counter() - self.started if needle in self.output else None

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))

    def loaded(self, library: str) -> bool:
        return library in Path(f"/proc/{self.pid}/maps").read_text()

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
            deadline = time.perf_counter() + 5
            while time.perf_counter() < deadline:
                self._read_ready(0.05)  # keep draining, or the app blocks writing its exit
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    break
            else:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)

    def _read_ready(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return b""
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # the program has gone
            time.sleep(timeout)
            return b""
        if data and self.first_byte_at is None:
            self.first_byte_at = time.perf_counter()
        self.output += data
        return data


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TEXTUAL", "HWB_LOW", "TMUX", "COLORTERM", "NO_COLOR"))
    }
    env.update(TERM="xterm-256color", LANG="C.UTF-8", HWB_LANG="en", **(extra or {}))
    return env


def _app(url: str, key_file: Path, extra_env: dict[str, str] | None = None) -> Terminal:
    argv = [sys.executable, "-m", "hwb_tui", "--db", url, "--key-file", str(key_file)]
    argv += ["--as", TEACHER, "--view", "learners"]
    return Terminal(argv, _environment(extra_env))


def _bare(url: str) -> Terminal:
    argv = [sys.executable, "-m", "bench.bare_app", url.removeprefix("sqlite:///")]
    return Terminal(argv, _environment())


def _lines_touched(data: bytes) -> set[int]:
    return {int(match.group(1)) for match in CURSOR_POSITION.finditer(data)}


def _text(data: bytes) -> str:
    return ESCAPE_SEQUENCE.sub(b"", data).decode("utf-8", "replace")


@dataclass
class Session:
    """What one run of the app showed and cost."""

    start_seconds: float
    start_bytes: int
    list_lines: set[int]


def _start(terminal: Terminal, first_username: bytes) -> Session:
    painted = terminal.wait_for(first_username, START_TIMEOUT_SECONDS)
    if painted is None:
        raise RuntimeError(
            "the learners list never appeared; the app wrote: " + _text(terminal.output)[-2000:]
        )
    terminal.read_until_quiet(quiet=1.0)
    # The list's rows: the lines the first screen drew with a learner's username on them.
    rows_at = [m.start() for m in CURSOR_POSITION.finditer(terminal.output)]
    list_lines = set()
    for start, end in zip(rows_at, [*rows_at[1:], len(terminal.output)], strict=True):
        line = CURSOR_POSITION.match(terminal.output, start)
        if re.search(rb"[a-z]{3,}\d{3,}", ESCAPE_SEQUENCE.sub(b"", terminal.output[start:end])):
            list_lines.add(int(line.group(1)))
    return Session(painted, len(terminal.output), list_lines)


def _byte_compile() -> None:
    """The app and the bare app both start from bytecode, as an installed package does (pip
    compiles it when installing): a checkout run with PYTHONDONTWRITEBYTECODE=1 would compile
    the app's source, some 200 KB, on every start, which no user's start pays."""
    for package in (Path(hwb_tui.__file__).parent, Path(__file__).parent):
        compileall.compile_dir(package, quiet=1)


@dataclass
class StartUps:
    """Start-up pairs, bare app then app, run by turns so that load on the machine weighs on
    both alike. The last app is left running, for the figures measured on it next."""

    figure: Figure
    app: Terminal
    session: Session
    bare_rss_kib: int


def start_ups(url: str, key_file: Path, first_username: bytes, runs: int) -> StartUps:
    app_starts, bare_starts = [], []
    for run in range(runs):
        bare = _bare(url)
        bare_starts.append(_start(bare, first_username).start_seconds)
        bare_rss = bare.rss_kib()
        bare.close()
        app = _app(url, key_file)
        session = _start(app, first_username)
        app_starts.append(session.start_seconds)
        if run < runs - 1:
            app.close()
    start, bare_start = statistics.median(app_starts), statistics.median(bare_starts)
    # Each app start against the bare start just before it: a slow spell then weighs on the
    # pair it falls on, not on whichever side most of it happened to fall.
    ratio = statistics.median(a / b for a, b in zip(app_starts, bare_starts, strict=True))
    figure = Figure(
        "start-up to the learners list painted",
        "ratio <= 1.2 x bare Textual",
        f"{start:.2f} s",
        f"{bare_start:.2f} s",
        ratio,
        ratio <= 1.2,
    )
    return StartUps(figure, app, session, bare_rss)


def figures(url: str, key_file: Path, workdir: Path) -> list[Figure]:
    first = _first_username(url, key_file)
    _byte_compile()
    measured = start_ups(url, key_file, first, START_RUNS)
    app, session, bare_rss = measured.app, measured.session, measured.bare_rss_kib
    results = [measured.figure]
    heavy = [name for name in HEAVY_LIBRARIES if app.loaded(name)]
    results.append(
        Figure(
            "argon2, cryptography, fpdf loaded at start-up",
            "none",
            ", ".join(heavy) or "none",
            met=not heavy,
        )
    )
    try:
        results += _session_figures(app, session, "")
        app.send(b"/")
        app.read_until_quiet()
        results.append(_typing_figure(app, session))
        app.send(KEY_ESCAPE)
        app.read_until_quiet()
        results += _idle_figures(app)
        for _ in range(20):  # browse: 20 pages down through the list
            app.send(b"\x1b[6~")
            app.read_until_quiet(quiet=0.1)
        rss = app.rss_kib()
        results.append(
            Figure(
                "app memory (RSS), 500k-user database open, after browsing",
                "<= 80 MB",
                f"{rss / 1024:.1f} MB",
                f"{bare_rss / 1024:.1f} MB",
                rss / bare_rss,
                rss <= 80 * 1024,
            )
        )
    finally:
        app.close()
    low = _app(url, key_file, {"HWB_LOW_BANDWIDTH": "1"})
    try:
        results += _low_bandwidth_figures(low, _start(low, first))
    finally:
        low.close()
    return results


def _low_bandwidth_figures(app: Terminal, session: Session) -> list[Figure]:
    label = " (low bandwidth)"
    mouse = MOUSE_REPORTING.search(app.output) is not None
    rich_colours = len(RICH_COLOUR.findall(app.output))
    return [
        *_keyboard_figures(app, session, label),
        Figure(f"asks the terminal for mouse reports{label}", "no", "yes" if mouse else "no",
               met=not mouse),
        Figure(f"256-colour or true-colour codes written{label}", "0", str(rich_colours),
               met=rich_colours == 0),
    ]  # fmt: skip


def _session_figures(app: Terminal, session: Session, label: str) -> list[Figure]:
    return _keyboard_figures(app, session, label) + _mouse_figures(app, session, label)


def _keyboard_figures(app: Terminal, session: Session, label: str) -> list[Figure]:
    first_screen = zlib.compress(bytes(app.output[: session.start_bytes]), 6)
    results = [
        Figure(f"start-up bytes to the first full screen{label}", "<= 45 KB",
               f"{session.start_bytes / 1024:.1f} KB", met=session.start_bytes <= 45 * 1024),
        Figure(f"  the same through ssh -C (zlib){label}", "-",
               f"{len(first_screen) / 1024:.1f} KB"),
    ]  # fmt: skip
    app.send(KEY_DOWN)
    one_row = len(app.read_until_quiet())
    results.append(
        Figure(f"highlight one row down within the view{label}", "<= 700 B", f"{one_row} B",
               met=one_row <= 700)
    )  # fmt: skip
    sent, compressed = [], []
    # ssh -C: one zlib stream for the session, flushed with every packet it sends.
    ssh_compression = zlib.compressobj(6)
    for _ in range(200):
        app.send(KEY_DOWN)
        data = app.read_until_quiet(quiet=0.05)
        sent.append(len(data))
        compressed.append(
            len(ssh_compression.compress(data) + ssh_compression.flush(zlib.Z_SYNC_FLUSH))
        )
    per_key = sum(sent) / len(sent)
    results += [
        Figure(f"highlight 200 rows down, per key{label}", "<= 1.5 KB", f"{per_key:.0f} B",
               met=per_key <= 1536),
        Figure(f"  the same through ssh -C (zlib){label}", "-",
               f"{sum(compressed) / len(compressed):.0f} B"),
    ]  # fmt: skip
    return results


def _mouse_figures(app: Terminal, session: Session, label: str) -> list[Figure]:
    if not session.list_lines:
        return [Figure(f"mouse over the list{label}", "-", "not measured: no list rows found")]
    line = sorted(session.list_lines)[len(session.list_lines) // 2]

    def move(x: int, y: int) -> bytes:
        app.send(f"\x1b[<35;{x};{y}M".encode())
        return app.read_until_quiet(quiet=0.1)

    move(10, line)
    within = sum(len(move(x, line)) for x in range(11, 31))
    onto = len(move(30, line + 1))
    return [
        Figure(f"mouse moves within one row (20 moves){label}", "0 B", f"{within} B",
               met=within == 0),
        Figure(f"mouse moves onto another row{label}", "<= 1 KB", f"{onto} B", met=onto <= 1024),
    ]  # fmt: skip


def _typing_figure(app: Terminal, session: Session) -> Figure:
    """How many times the list is repainted while a surname is typed, key by key."""
    bursts = []
    for letter in SURNAME:
        app.send(bytes([letter]))
        bursts.append(app.read(TYPING_GAP_SECONDS))
    bursts.append(app.read_until_quiet(quiet=1.0))
    half = max(1, len(session.list_lines) // 2)
    repaints = sum(1 for burst in bursts if len(_lines_touched(burst) & session.list_lines) >= half)
    total = sum(len(burst) for burst in bursts)
    return Figure(
        f"typing '{SURNAME.decode()}' into search: list repaints",
        "<= 2",
        f"{repaints} ({total / 1024:.1f} KB in all)",
        met=repaints <= 2,
    )


IDLE_SCREENS = (
    ("learners list", b""),
    ("search field", b"/"),
    ("details", KEY_ESCAPE + b"\r"),
    ("staff list", KEY_ESCAPE + b"3"),
    ("governors list", b"4"),
    ("non-MIS list", b"5"),
    ("My Profile", b"1"),
    ("help", KEY_F1),
)


def _idle_figures(app: Terminal) -> list[Figure]:
    results = []
    for name, keys in IDLE_SCREENS:
        if keys:
            app.send(keys)
            app.read_until_quiet(quiet=1.0)
        idle = len(app.read(IDLE_SECONDS))
        results.append(Figure(f"idle {IDLE_SECONDS} s: {name}", "0 B", f"{idle} B", met=idle == 0))
    app.send(KEY_ESCAPE + b"2")
    app.read_until_quiet(quiet=1.0)
    return results


def _first_username(url: str, key_file: Path) -> bytes:
    from hwb_tui.domain.model import Kind
    from hwb_tui.services.config import Settings
    from hwb_tui.services.hwb import Hwb

    with Hwb.open(Settings.resolve(url, key_file)) as hwb:
        teacher = hwb.users.actor(TEACHER)
        return hwb.users.page(teacher, Kind.LEARNER, limit=1).rows[0].username.encode()


def main(argv: list[str] | None = None) -> int:
    """Only the start-up figure, on a database already built (`python -m bench --keep DIR`
    leaves one): quicker than the whole bench while working on start-up."""
    parser = argparse.ArgumentParser(prog="python -m bench.terminal", description=main.__doc__)
    parser.add_argument("--db", required=True, metavar="URL", help="a bench database's URL")
    parser.add_argument("--key-file", required=True, type=Path, help="its key file")
    parser.add_argument(
        "--runs", type=int, default=START_RUNS, help=f"start-up pairs (default {START_RUNS})"
    )
    args = parser.parse_args(argv)
    _byte_compile()
    measured = start_ups(args.db, args.key_file, _first_username(args.db, args.key_file), args.runs)
    measured.app.close()
    print(render([measured.figure], title=f"start-up, median of {args.runs} pairs"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
