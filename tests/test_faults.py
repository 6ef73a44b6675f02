"""Faults: a process killed (SIGKILL) in the middle of resets, and an audit trail that cannot be
written, leave every account whole and nothing done without its record."""

from __future__ import annotations

import random
import sqlite3
import threading

import pytest

from hwb_tui.domain.errors import StoreProblem
from hwb_tui.domain.model import Kind
from hwb_tui.domain.rights import Download
from hwb_tui.services import context as context_module
from hwb_tui.services.hwb import Hwb
from hwb_tui.store import db as store_db
from hwb_tui.store.models import Account, AuditRecord
from tests.robustness import assert_database_sound, kill_at_random, start_child
from tests.stored import password_is
from tests.test_mis_import import LEARNER_HEADER, csv_bytes, learner_rows

TEACHER = "teacher.demo"
LEARNER = "learner.demo"

RESET_FOREVER = """
import random
from hwb_tui.domain.model import Kind
teacher = hwb.users.actor("teacher.demo")
learners = [row.username for row in hwb.users.list_users(teacher, Kind.LEARNER)]
while True:
    hwb.passwords.reset(teacher, random.choice(learners))
"""


def test_sigkill_at_random_points_of_resets_leaves_every_account_whole(demo, settings):
    demo.close()
    rng = random.Random(7)
    for _ in range(5):
        child = start_child(settings, RESET_FOREVER)
        kill_at_random(child, rng, longest=1.0)
        with Hwb.open(settings) as again:
            assert_database_sound(again)
            teacher = again.users.actor(TEACHER)
            # The reset audited last is the one whose password is stored.
            last = (
                AuditRecord.select()
                .where(AuditRecord.action == "reset")
                .order_by(AuditRecord.id.desc())
                .first()
            )
            assert last is not None, "the child was killed before its first reset"
            assert again.passwords.reveal(teacher, last.target)


# -- the audit trail cannot be written ------------------------------------------------------------


def refuse_audit_records() -> None:
    """What a full disk or a broken audit table does: every new audit record is refused."""
    if store_db.is_postgres():
        store_db.database.execute_sql(
            "CREATE FUNCTION audit_refused() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit trail unavailable'; END; $$ LANGUAGE plpgsql"
        )
        store_db.database.execute_sql(
            "CREATE TRIGGER audit_refused BEFORE INSERT ON audit_record "
            "FOR EACH ROW EXECUTE FUNCTION audit_refused()"
        )
    else:
        store_db.database.execute_sql(
            "CREATE TRIGGER audit_refused BEFORE INSERT ON audit_record "
            "BEGIN SELECT RAISE(ABORT, 'audit trail unavailable'); END"
        )


@pytest.fixture
def unaudited(demo) -> Hwb:
    refuse_audit_records()
    return demo


def account_state(username: str) -> tuple:
    row = Account.get(Account.username == username)
    return (row.password_hash, bytes(row.sealed_password or b""), row.password_status)


@pytest.mark.parametrize("purpose", ["reveal", "copy", "print"])
def test_no_password_is_shown_copied_or_printed_without_its_record(unaudited, purpose):
    teacher = unaudited.users.actor(TEACHER)
    with pytest.raises(StoreProblem, match="audit record could not be written"):
        unaudited.passwords.reveal(teacher, LEARNER, purpose=purpose)


def test_no_slip_with_passwords_is_printed_without_its_record(unaudited, tmp_path):
    teacher = unaudited.users.actor(TEACHER)
    target = tmp_path / "slips.pdf"
    with pytest.raises(StoreProblem, match="audit record could not be written"):
        unaudited.printing.print_users(teacher, [LEARNER], target, with_password=True)
    assert list(tmp_path.glob("*.pdf*")) == []
    assert not list(tmp_path.glob(".slips*"))


def test_no_download_is_written_without_its_record(unaudited, tmp_path):
    teacher = unaudited.users.actor(TEACHER)
    target = tmp_path / "pupils.csv"
    with pytest.raises(StoreProblem, match="audit record could not be written"):
        unaudited.exports.download(teacher, Download.ALL_PUPILS, target)
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if ".csv" in p.name]


def test_no_reset_or_self_change_happens_without_its_record(unaudited):
    teacher = unaudited.users.actor(TEACHER)
    before = account_state(LEARNER)
    with pytest.raises(StoreProblem):
        unaudited.passwords.reset(teacher, LEARNER, "Ailosod2026x")
    with pytest.raises(StoreProblem):
        unaudited.passwords.change_own(unaudited.users.actor(LEARNER), "FyNghyfrinair7")
    assert account_state(LEARNER) == before
    assert unaudited.users.list_users(teacher, Kind.LEARNER)  # reading still works


# -- a busy database -----------------------------------------------------------------------------


@pytest.fixture
def impatient_sqlite(demo, settings):
    """The demo on SQLite with no busy wait of its own, so a held lock fails at once."""
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("SQLite's database-wide write lock")
    demo.context.db.execute_sql("PRAGMA busy_timeout = 0")
    return demo


def hold_write_lock(settings) -> sqlite3.Connection:
    """Another session holding SQLite's write lock."""
    other = sqlite3.connect(
        settings.database_url.removeprefix("sqlite:///"),
        isolation_level=None,
        check_same_thread=False,
    )
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_busy_database_is_tried_again_until_it_is_free(impatient_sqlite, settings):
    teacher = impatient_sqlite.users.actor(TEACHER)
    other = hold_write_lock(settings)
    threading.Timer(0.3, other.rollback).start()
    result = impatient_sqlite.passwords.reset(teacher, LEARNER, "Ailosod2026x")
    other.close()
    assert impatient_sqlite.passwords.reveal(teacher, LEARNER) == result.password


def test_a_database_that_stays_busy_is_refused_in_plain_words(
    impatient_sqlite, settings, monkeypatch
):
    monkeypatch.setattr(context_module, "WRITE_ATTEMPTS", 2)
    teacher = impatient_sqlite.users.actor(TEACHER)
    before = account_state(LEARNER)
    other = hold_write_lock(settings)
    try:
        with pytest.raises(StoreProblem) as refusal:
            impatient_sqlite.passwords.reset(teacher, LEARNER, "Ailosod2026x")
    finally:
        other.rollback()
        other.close()
    assert "locked" not in str(refusal.value)
    assert "nothing was changed" in str(refusal.value)
    assert account_state(LEARNER) == before


def test_sigkill_at_random_points_of_an_mis_import_applies_it_whole_or_not_at_all(
    demo, settings, tmp_path
):
    rng = random.Random(11)
    new_learners = 300
    for attempt in range(4):
        marker = f"ZZ{attempt}"
        rows = [LEARNER_HEADER, *learner_rows(demo)]
        rows += [
            ["Llwyth", f"Dysgwr{i}", "", "01/09/2026", "9", "9Z", "Yes", f"{marker}{i:05d}"]
            for i in range(new_learners)
        ]
        path = tmp_path / f"mis-{attempt}.csv"
        path.write_bytes(csv_bytes(rows))
        demo.close()
        child = start_child(
            settings,
            f"""
            from pathlib import Path
            from hwb_tui.domain.model import Kind
            champion = hwb.users.actor("champion.demo")
            hwb.mis_import.import_file(
                champion, Kind.LEARNER, Path({str(path)!r}), generate_passwords=True
            )
            """,
        )
        kill_at_random(child, rng, longest=3.0)
        with Hwb.open(settings) as again:
            assert_database_sound(again)
            imported = Account.select().where(Account.admission_number.startswith(marker)).count()
            assert imported in (0, new_learners)


# -- a learner's own change racing a staff reset ---------------------------------------------------


def test_a_self_change_racing_a_reset_ends_as_one_of_the_two_whole(demo, settings, tmp_path):
    demo.close()
    rounds = 60
    gate = tmp_path / "go"  # both start together, once both have opened the database
    wait_at_gate = f"""
        import os, time
        while not os.path.exists({str(gate)!r}):
            time.sleep(0.01)
    """
    learner = start_child(
        settings,
        wait_at_gate
        + f"""
        learner = hwb.users.actor("{LEARNER}")
        for n in range({rounds}):
            hwb.passwords.change_own(learner, f"Hunan{{n}}Xy")
        """,
    )
    staff = start_child(
        settings,
        wait_at_gate
        + f"""
        teacher = hwb.users.actor("{TEACHER}")
        for n in range({rounds}):
            hwb.passwords.reset(teacher, "{LEARNER}", f"Staff{{n}}Xy")
        """,
    )
    gate.touch()
    for child in (learner, staff):
        assert child.wait(timeout=300) == 0, child.stderr.read()
        child.stdout.close()
        child.stderr.close()
    with Hwb.open(settings) as again:
        assert_database_sound(again)
        last = (
            AuditRecord.select()
            .where(
                AuditRecord.target == LEARNER,
                AuditRecord.action.in_(["reset", "self-change"]),
            )
            .order_by(AuditRecord.id.desc())
            .first()
        )
        row = Account.get(Account.username == LEARNER)
        winner = f"{'Hunan' if last.action == 'self-change' else 'Staff'}{rounds - 1}Xy"
        assert password_is(again, LEARNER, winner)
        if last.action == "self-change":
            assert row.sealed_password is None and row.password_status == "user_changed"
        else:
            teacher = again.users.actor(TEACHER)
            assert again.passwords.reveal(teacher, LEARNER) == winner
