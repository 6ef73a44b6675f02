"""Start-up: the collector held while the process starts, and the app's options read without
building every command's parser."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from hwb_tui import startup
from hwb_tui.cli import _parse, build_parser, main


@pytest.fixture
def collection_restored() -> Iterator[None]:
    """Whatever a test does to the collector, the next test finds it on and nothing frozen."""
    yield
    startup.resume_collection()
    gc.unfreeze()
    gc.enable()


def test_collection_is_held_then_resumed_with_what_start_up_made_frozen(collection_restored):
    startup.hold_collection()
    assert not gc.isenabled()
    startup.resume_collection()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0


def test_resuming_without_holding_changes_nothing(collection_restored):
    gc.unfreeze()
    startup.resume_collection()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_command_resumes_collection_before_it_runs(collection_restored, tmp_path: Path):
    startup.hold_collection()
    missing = tmp_path / "no such folder" / "hwb.sqlite3"
    code = main(["--db", f"sqlite:///{missing}", "--key-file", str(tmp_path / "k"), "users"])
    assert code != 0  # the database cannot be opened; collection was resumed before that
    assert gc.isenabled()


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--db", "sqlite:///x.db", "--key-file", "k", "--as", "staff.s1", "--view", "learners"],
        ["--lang", "cy", "--low-bandwidth", "--output-dir", "out", "--printer", "p1"],
        ["--view=profile", "--as=admin.hwb"],
    ],
)
def test_the_apps_options_read_alone_as_the_full_parser_reads_them(argv):
    args, handlers = _parse(argv)
    parser, _handlers = build_parser()
    assert vars(args) == vars(parser.parse_args(argv))
    assert args.command is None and handlers == {}


@pytest.mark.parametrize(
    "argv",
    [["users"], ["--db", "sqlite:///x.db", "users", "--kind", "learners"], ["--help"]],
)
def test_a_command_or_help_goes_through_the_full_parser(argv, capsys):
    try:
        args, handlers = _parse(argv)
    except SystemExit:  # --help printed the full help, commands included
        assert "COMMAND" in capsys.readouterr().out
        return
    assert args.command == "users" and "users" in handlers


@pytest.mark.parametrize("argv", [["--view", "nowhere"], ["--bogus"], ["--db"]])
def test_a_mistake_is_worded_by_the_full_parser(argv, capsys):
    assert main(argv) == 2
    assert "hwb-tui: " in capsys.readouterr().err
