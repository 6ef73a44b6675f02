"""End to end over a real OpenSSH server on 127.0.0.1: a bound key opens the app, and only it.

The server runs as the current user (root in CI) with a temporary host key, reading the
authorized_keys that `hwb-tui keys add` wrote. A real `ssh -tt` client runs in a
pseudo-terminal; what it shows is rendered by a terminal emulator (pyte) and read as text.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
import pyte
import pytest

from hwb_tui.cli import main
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import PermissionDenied
from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.models import Account, AuditRecord

COLUMNS, ROWS = 120, 32
# Bounds on waiting for a screen or a process, not measurements: generous for a loaded CI.
SCREEN_WAIT_SECONDS = 60
DOWN, QUIT = "\x1b[B", "\x11"  # the down arrow, ctrl+q
BOUND_USER = "teacher.demo"


def _require(program: str) -> str:
    found = shutil.which(program) or shutil.which(program, path="/usr/sbin:/sbin")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{program} is missing: .ci/run installs OpenSSH")
        pytest.skip(f"{program} is not installed (apt-get install openssh-server)")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + SCREEN_WAIT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"sshd stopped: {server.stderr.read().decode(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("sshd did not start listening")


class SshServer:
    def __init__(self, port: int, client_key: Path) -> None:
        self.port = port
        self.client_key = client_key
        self.ssh = _require("ssh")

    def command(self, *extra: str) -> list[str]:
        return [
            self.ssh,
            "-F",
            "/dev/null",
            "-i",
            str(self.client_key),
            "-p",
            str(self.port),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            *extra,
            f"{getpass.getuser()}@127.0.0.1",
        ]


@pytest.fixture
def served(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Hwb, SshServer]]:
    """A demo database, BOUND_USER's key in authorized_keys, and sshd serving it."""
    sshd = _require("sshd")
    settings = Settings.resolve(sqlite_url, tmp_path / "hwb.key", env=os.environ)
    with Hwb.open(settings) as hwb:
        hwb.demo.build()
    client_key = tmp_path / "client_key"
    host_key = tmp_path / "host_key"
    for path in (client_key, host_key):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    authorized_keys = tmp_path / "authorized_keys"
    base = ["--db", sqlite_url, "--key-file", str(settings.key_file)]
    added = main(
        [
            *base,
            "keys",
            "add",
            BOUND_USER,
            f"{client_key}.pub",
            "--authorized-keys",
            str(authorized_keys),
        ]
    )
    assert added == 0
    port = _free_port()
    config = tmp_path / "sshd_config"
    config.write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {host_key}\n"
        f"PidFile {tmp_path / 'sshd.pid'}\nAuthorizedKeysFile {authorized_keys}\n"
        # tmp_path's folders are not root-owned 0755 all the way up, as StrictModes wants.
        "StrictModes no\nPermitRootLogin prohibit-password\nUsePAM no\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        # Forwarding is allowed here so that the test shows the key's `restrict` refusing it.
        "AllowTcpForwarding yes\nPrintMotd no\nPrintLastLog no\nLogLevel VERBOSE\n"
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation
    server = subprocess.Popen(
        [sshd, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _wait_for_port(port, server)
        with Hwb.open(settings) as hwb:
            yield hwb, SshServer(port, client_key)
    finally:
        server.terminate()
        server.wait(timeout=SCREEN_WAIT_SECONDS)


class Terminal:
    """A client in a pseudo-terminal, its output rendered as a screen of text."""

    def __init__(self, command: list[str]) -> None:
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
        self.child = pexpect.spawn(
            command[0], command[1:], dimensions=(ROWS, COLUMNS), env=env, timeout=None
        )

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_until(self, shown: Callable[[str], bool], what: str) -> str:
        deadline = time.monotonic() + SCREEN_WAIT_SECONDS
        while not shown(self.text):
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {what}; the screen was:\n{self.text}")
            try:
                self.stream.feed(self.child.read_nonblocking(65536, timeout=0.2))
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                raise AssertionError(f"the session ended before {what}:\n{self.text}") from None
        return self.text

    def press(self, keys: str) -> None:
        self.child.send(keys)

    def finish(self) -> int:
        """Read to the end of the session; its exit status."""
        deadline = time.monotonic() + SCREEN_WAIT_SECONDS
        while self.child.isalive() and time.monotonic() < deadline:
            try:
                self.stream.feed(self.child.read_nonblocking(65536, timeout=0.2))
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                break
        self.child.close(force=True)
        return self.child.exitstatus


def _learners(hwb: Hwb):
    return hwb.users.list_users(hwb.users.actor(BOUND_USER), Kind.LEARNER)


def _reveals(hwb: Hwb) -> list[AuditRecord]:
    return list(
        AuditRecord.select()
        .where((AuditRecord.actor == BOUND_USER) & (AuditRecord.action == str(AuditAction.REVEAL)))
        .order_by(AuditRecord.id)
    )


def _open_app(server: SshServer, hwb: Hwb, *remote_command: str) -> Terminal:
    terminal = Terminal(server.command("-tt") + list(remote_command))
    first = _learners(hwb)[0]
    terminal.wait_until(lambda text: first.surname in text, "the learners list")
    return terminal


def test_the_bound_key_opens_the_learners_list_moves_reveals_and_quits(served):
    hwb, server = served
    terminal = _open_app(server, hwb)
    learners = _learners(hwb)
    # The screen may still be arriving in pieces: wait for the first rows, not just the first.
    terminal.wait_until(
        lambda text: all(learner.username in text for learner in learners[:3]),
        "the first three learners",
    )
    # Move down to the first learner whose password can be shown: it appears in place.
    target = next(i for i, row in enumerate(learners) if row.status is PasswordStatus.AVAILABLE)
    terminal.press(DOWN * target)
    terminal.wait_until(
        lambda _text: any(r.target == learners[target].username for r in _reveals(hwb)),
        "the reveal recorded",
    )
    password = hwb.passwords.reveal(hwb.users.actor("admin.demo"), learners[target].username)
    terminal.wait_until(lambda text: password in text, "the revealed password")
    [sign_in] = AuditRecord.select().where(
        (AuditRecord.actor == BOUND_USER) & (AuditRecord.action == str(AuditAction.SIGN_IN))
    )
    assert sign_in.detail == "forced command"
    assert sign_in.origin == "ssh:127.0.0.1"
    assert {r.origin for r in _reveals(hwb)} == {"ssh:127.0.0.1"}
    terminal.press(QUIT)
    assert terminal.finish() == 0


@pytest.mark.parametrize("remote_command", [("id",), ("/bin/sh", "-c", "echo escaped")])
def test_the_key_runs_nothing_but_the_app(served, remote_command):
    hwb, server = served
    terminal = _open_app(server, hwb, *remote_command)
    assert "uid=" not in terminal.text and "escaped" not in terminal.text
    terminal.press(QUIT)
    assert terminal.finish() == 0
    assert "uid=" not in terminal.text and "escaped" not in terminal.text


@pytest.mark.parametrize(
    "forwarding",
    [
        ("-W", "127.0.0.1:{port}"),  # a connection through the server (to sshd itself, open)
        ("-N", "-R", "0:127.0.0.1:{port}"),  # a port opened on the server
    ],
)
def test_the_key_cannot_forward_ports(served, forwarding):
    _hwb, server = served
    options = [option.format(port=server.port) for option in forwarding]
    done = subprocess.run(
        server.command("-o", "ExitOnForwardFailure=yes", *options),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=SCREEN_WAIT_SECONDS,
    )
    assert done.returncode != 0
    assert "forwarding failed" in done.stderr


def test_a_key_of_someone_who_has_left_opens_nothing(served):
    _hwb, server = served
    Account.update(left_at=Account.created_at).where(Account.username == BOUND_USER).execute()
    terminal = Terminal(server.command("-tt"))
    status = terminal.finish()
    assert status == PermissionDenied.exit_code
    assert "left" in terminal.text
    assert (
        not AuditRecord.select()
        .where((AuditRecord.actor == BOUND_USER) & (AuditRecord.action == str(AuditAction.SIGN_IN)))
        .exists()
    )
