"""SSH keys bound to users by forced commands: the lines written, and every refusal."""

from __future__ import annotations

import base64
import shlex
import stat
import struct
import subprocess
import threading
from pathlib import Path

import pytest

from hwb_tui.cli import main
from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import InvalidInput, NotFound, PermissionDenied
from hwb_tui.services.config import Settings
from hwb_tui.services.ssh_keys import authorized_line, forced_command, parse_public_key
from hwb_tui.store.models import Account, AuditRecord

PROGRAM = Path("/opt/hwb tui/bin/hwb-tui")  # a space, to show the quoting holds


def make_key(tmp_path: Path, name: str, kind: str = "ed25519", bits: int | None = None) -> Path:
    path = tmp_path / name
    command = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", f"{name}@laptop", "-f", str(path)]
    if bits:
        command += ["-b", str(bits)]
    subprocess.run(command, check=True)
    return path.with_suffix(".pub")


def ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    return tmp_path / "ssh" / "authorized_keys"


def add(demo, user: str, public_key: Path, keys_file: Path):
    return demo.ssh_keys.add(user, public_key.read_text(), keys_file, PROGRAM)


def test_add_writes_a_forced_command_line_readable_by_the_owner_only(demo, tmp_path, keys_file):
    public_key = make_key(tmp_path, "teacher")
    binding = add(demo, "teacher.demo", public_key, keys_file)
    [line] = keys_file.read_text().splitlines()
    options, key_type, blob, comment = _fields(line)
    assert options.endswith('",restrict,pty')
    assert (key_type, blob) == tuple(public_key.read_text().split()[:2])
    assert comment == "hwb-tui:teacher.demo"
    command = options[len('command="') : -len('",restrict,pty')]
    argv = shlex.split(command)
    settings: Settings = demo.settings
    assert argv == [
        str(PROGRAM),
        "--db",
        argv[2],
        "--key-file",
        str(settings.key_file.resolve()),
        "--as",
        "teacher.demo",
    ]
    assert argv[2].startswith(("sqlite:////", "postgresql://"))
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    assert binding.key.fingerprint == _keygen_fingerprint(public_key)
    assert demo.ssh_keys.bindings(keys_file) == (binding,)


def _fields(line: str) -> tuple[str, str, str, str]:
    options, rest = line.rsplit('",restrict,pty ', 1)
    key_type, blob, comment = rest.split()
    return options + '",restrict,pty', key_type, blob, comment


def _keygen_fingerprint(public_key: Path) -> str:
    out = subprocess.run(
        ["ssh-keygen", "-l", "-E", "sha256", "-f", str(public_key)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.split()[1]


def test_a_command_with_quotes_and_spaces_survives_sshds_unquoting():
    key = parse_public_key(
        "ssh-ed25519 "
        + base64.b64encode(ssh_string(b"ssh-ed25519") + ssh_string(b"k" * 32)).decode()
    )
    database = 'sqlite:////srv/a "b" \\ c/hwb.sqlite3'
    command = forced_command(PROGRAM, database, Path("/srv/it's/hwb.key"), "o'brien")
    line = authorized_line(command, key, "o'brien")
    quoted = line[len('command="') : line.index('",restrict')]
    # sshd: inside command="…", \" is a quote and every other character stands for itself.
    assert shlex.split(quoted.replace('\\"', '"')) == [
        str(PROGRAM),
        "--db",
        database,
        "--key-file",
        "/srv/it's/hwb.key",
        "--as",
        "o'brien",
    ]


def test_keys_from_ssh_keygen_of_each_type_are_accepted(tmp_path):
    for kind, bits in (("ed25519", None), ("ecdsa", 256), ("rsa", 3072)):
        key = parse_public_key(make_key(tmp_path, kind, kind, bits).read_text())
        assert key.key_type in ("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa")


def _malformed(tmp_path: Path) -> list[tuple[str, str]]:
    good = make_key(tmp_path, "good").read_text()
    key_type, blob = good.split()[:2]
    raw = base64.b64decode(blob)
    other_type = base64.b64encode(ssh_string(b"ssh-rsa") + raw[15:]).decode()
    return [
        ("", "exactly one key"),
        (good + good, "exactly one key"),
        ("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "Not an OpenSSH public key"),
        (f"{key_type} {blob[:-8]}", "damaged"),
        (f"{key_type} not*base64", "damaged"),
        (f"{key_type} {other_type}", "damaged"),
        ('command="sh" ' + good, "Not an OpenSSH public key"),
        ((tmp_path / "good").read_text(), "private key"),
        (make_key(tmp_path, "small", "rsa", 1024).read_text(), "at least 2048 bits"),
    ]


def test_malformed_keys_are_refused_and_the_file_is_untouched(demo, tmp_path, keys_file):
    add(demo, "champion.demo", make_key(tmp_path, "first"), keys_file)
    before = keys_file.read_bytes()
    for text, problem in _malformed(tmp_path):
        with pytest.raises(InvalidInput, match=problem):
            demo.ssh_keys.add("teacher.demo", text, keys_file, PROGRAM)
    assert keys_file.read_bytes() == before


def test_a_key_bound_to_someone_else_or_to_a_shell_is_refused(demo, tmp_path, keys_file):
    public_key = make_key(tmp_path, "shared")
    add(demo, "teacher.demo", public_key, keys_file)
    with pytest.raises(InvalidInput, match=r"already bound to teacher\.demo"):
        add(demo, "champion.demo", public_key, keys_file)
    with pytest.raises(InvalidInput, match=r"already bound to teacher\.demo"):
        add(demo, "teacher.demo", public_key, keys_file)
    shell_key = make_key(tmp_path, "shell")
    keys_file.write_text(keys_file.read_text() + shell_key.read_text())
    with pytest.raises(InvalidInput, match=r"line 2 .* must not also open a shell"):
        add(demo, "champion.demo", shell_key, keys_file)


def test_the_user_must_exist_and_not_have_left(demo, tmp_path, keys_file):
    public_key = make_key(tmp_path, "key")
    with pytest.raises(NotFound):
        add(demo, "nobody.here", public_key, keys_file)
    Account.update(left_at=Account.created_at).where(Account.username == "teacher.demo").execute()
    with pytest.raises(PermissionDenied, match="left"):
        add(demo, "teacher.demo", public_key, keys_file)
    assert not keys_file.exists()


def test_remove_takes_only_that_users_lines_and_keeps_the_rest(demo, tmp_path, keys_file):
    keys_file.parent.mkdir()
    other = "# the service account's own key\n" + make_key(tmp_path, "own").read_text()
    keys_file.write_text(other)
    add(demo, "teacher.demo", make_key(tmp_path, "t1"), keys_file)
    add(demo, "teacher.demo", make_key(tmp_path, "t2"), keys_file)
    kept = add(demo, "champion.demo", make_key(tmp_path, "c1"), keys_file)
    assert demo.ssh_keys.remove("teacher.demo", keys_file) == 2
    assert demo.ssh_keys.bindings(keys_file) == (kept,)
    assert keys_file.read_text().startswith(other)
    with pytest.raises(NotFound):
        demo.ssh_keys.remove("teacher.demo", keys_file)


def test_adding_and_removing_are_audited_with_the_fingerprint(demo, tmp_path, keys_file):
    before = AuditRecord.select().count()
    binding = add(demo, "teacher.demo", make_key(tmp_path, "k"), keys_file)
    demo.ssh_keys.remove("teacher.demo", keys_file)
    records = list(AuditRecord.select().where(AuditRecord.id > before).order_by(AuditRecord.id))
    assert [(r.action, r.target, r.actor) for r in records] == [
        (AuditAction.SSH_KEY_ADD, "teacher.demo", None),
        (AuditAction.SSH_KEY_REMOVE, "teacher.demo", None),
    ]
    assert records[0].detail == binding.key.fingerprint


def test_the_cli(demo, settings, tmp_path, keys_file, capsys):
    base = ["--db", settings.database_url, "--key-file", str(settings.key_file)]
    public_key = make_key(tmp_path, "cli")
    keys = ["--authorized-keys", str(keys_file)]
    assert main([*base, "keys", "add", "teacher.demo", str(public_key), *keys]) == 0
    assert "opens hwb-tui as teacher.demo" in capsys.readouterr().err
    assert main([*base, "keys", "add", "champion.demo", str(public_key), *keys]) == 5
    assert "already bound" in capsys.readouterr().err
    assert main([*base, "keys", "add", "teacher.demo", str(tmp_path / "none.pub"), *keys]) == 5
    capsys.readouterr()
    assert main([*base, "keys", "list", *keys]) == 0
    assert capsys.readouterr().out == (
        f"teacher.demo\tssh-ed25519\t{_keygen_fingerprint(public_key)}\n"
    )
    line = keys_file.read_text()
    assert shlex.split(line[len('command="') : line.index('",')])[0].endswith("/hwb-tui")
    assert main([*base, "keys", "remove", "teacher.demo", *keys]) == 0
    assert main([*base, "keys", "list", *keys]) == 0
    assert capsys.readouterr().out == ""


def test_adds_at_the_same_time_lose_no_line(demo, tmp_path, keys_file):
    users = ("teacher.demo", "champion.demo", "admin.demo", "governor.demo", "nonmis.demo")
    keys = {user: make_key(tmp_path, user.replace(".", "-")).read_text() for user in users}
    start = threading.Barrier(len(users))

    def bind(user: str) -> None:
        start.wait()
        demo.ssh_keys.add(user, keys[user], keys_file, PROGRAM)

    threads = [threading.Thread(target=bind, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(binding.username for binding in demo.ssh_keys.bindings(keys_file)) == sorted(
        users
    )
