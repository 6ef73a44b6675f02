"""Credential files are written as a stream, yet delivered whole or not at all: the bytes go to
a hidden owner-only file, the audit record comes next, and only then is the file renamed into
place (or, down a stream, the first byte sent)."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from hwb_tui.services.files import deliver_private_writing, write_private_file_writing

CHUNKS = [b"Forename,Surname\r\n", *("Siôn,Ó Briain\r\n".encode() for _ in range(5000))]
WHOLE = b"".join(CHUNKS)


def write_all(handle) -> None:
    for chunk in CHUNKS:
        handle.write(chunk)


def test_the_record_is_written_after_every_byte_and_before_the_file_appears(tmp_path: Path):
    target = tmp_path / "pupils.csv"
    seen = []

    def commit() -> None:
        assert not target.exists()
        [hidden] = tmp_path.iterdir()
        assert hidden.name.startswith(".pupils.csv.") and hidden.name.endswith(".part")
        assert stat.S_IMODE(os.stat(hidden).st_mode) == 0o600
        seen.append(hidden.read_bytes())

    assert write_private_file_writing(target, write_all, commit) == target
    assert seen == [WHOLE]
    assert target.read_bytes() == WHOLE
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert list(tmp_path.iterdir()) == [target]


def test_a_write_that_fails_midway_leaves_no_file_and_no_record(tmp_path: Path):
    committed = []

    def write_half(handle) -> None:
        for chunk in CHUNKS[:2500]:
            handle.write(chunk)
        raise RuntimeError("a row would not open")

    with pytest.raises(RuntimeError, match="would not open"):
        write_private_file_writing(tmp_path / "pupils.csv", write_half, lambda: committed.append(1))
    assert committed == []
    assert list(tmp_path.iterdir()) == []


def test_a_failed_record_leaves_no_file(tmp_path: Path):
    def commit() -> None:
        raise OSError("the audit trail is unavailable")

    with pytest.raises(OSError, match="audit trail"):
        write_private_file_writing(tmp_path / "pupils.csv", write_all, commit)
    assert list(tmp_path.iterdir()) == []


def test_down_a_stream_nothing_is_sent_before_the_record(tmp_path: Path):
    stream = io.BytesIO()

    def commit() -> None:
        assert stream.getvalue() == b""

    assert deliver_private_writing(stream, write_all, commit) is None
    assert stream.getvalue() == WHOLE

    untouched = io.BytesIO()

    def write_half(handle) -> None:
        handle.write(CHUNKS[0])
        raise RuntimeError("a row would not open")

    with pytest.raises(RuntimeError):
        deliver_private_writing(untouched, write_half, pytest.fail)
    assert untouched.getvalue() == b""
