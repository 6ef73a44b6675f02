"""The bench's generator makes a database the app reads like any other (small, on both DBs)."""

from __future__ import annotations

from pathlib import Path

from bench.generate import ADMIN, BENCH_PASSWORD, TEACHER, SchoolSize, build
from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.services.config import Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.db import is_postgres
from hwb_tui.store.models import Account
from tests.stored import password_is

PLAN = [SchoolSize(learners=40), SchoolSize(learners=25, staff=3, governors=1, non_mis=1)]


def test_the_generated_database_lists_searches_and_opens(database_url: str, tmp_path: Path):
    key_file = tmp_path / "bench.key"
    built = build(database_url, key_file, PLAN, available_share=0.3)
    assert built.users == sum(size.users for size in PLAN) + 2
    with Hwb.open(Settings.resolve(database_url, key_file)) as hwb:
        admin = hwb.users.actor(ADMIN)
        learners = hwb.users.list_users(admin, Kind.LEARNER)
        assert len(learners) == 65
        teacher = hwb.users.actor(TEACHER)
        assert len(hwb.users.page(teacher, Kind.LEARNER, limit=100).rows) == 40
        available = [row for row in learners if row.status is PasswordStatus.AVAILABLE]
        assert available
        assert {hwb.passwords.reveal(admin, row.username) for row in available} == {BENCH_PASSWORD}
        assert password_is(hwb, TEACHER, BENCH_PASSWORD)
        # The search index holds the loaded rows, and still follows rows written afterwards.
        someone = learners[len(learners) // 2]
        found = hwb.users.page(admin, Kind.LEARNER, search=someone.username).rows
        assert [row.username for row in found] == [someone.username]
        Account.create(
            username="zzbenchnew1",
            forename="Newydd",
            surname="Qwertyuiop",
            kind=str(Kind.LEARNER),
            school=1,
            password_status=str(PasswordStatus.UNAVAILABLE),
        )
        found = hwb.users.page(admin, Kind.LEARNER, search="wertyu").rows
        assert [row.username for row in found] == ["zzbenchnew1"]


def _schema_objects(hwb: Hwb) -> set[tuple]:
    """Every index and trigger, with its definition (and on PostgreSQL whether it is on)."""
    db = hwb.context.db
    if is_postgres():
        sql = (
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "UNION ALL SELECT tgname, tgenabled::text FROM pg_trigger WHERE NOT tgisinternal"
        )
    else:
        sql = "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
    return set(db.execute_sql(sql).fetchall())


def test_the_generator_puts_back_every_index_and_trigger_it_sets_aside(
    database_url: str, tmp_path: Path
):
    key_file = tmp_path / "bench.key"
    with Hwb.open(Settings.resolve(database_url, key_file)) as hwb:
        migrated = _schema_objects(hwb)
    build(database_url, key_file, PLAN)
    with Hwb.open(Settings.resolve(database_url, key_file)) as hwb:
        assert _schema_objects(hwb) == migrated
    assert len(migrated) > 10
