"""The search index is kept in list order (store/search_ranks.py), on SQLite and PostgreSQL:
whatever is written, ranks follow the list, the index holds exactly the ranked accounts, and a
search finds every match in list order, also the accounts that found no room for a rank."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from hwb_tui.domain.membership import EndChoice
from hwb_tui.domain.model import Kind, PasswordStatus
from hwb_tui.services.hwb import Hwb
from hwb_tui.store import search_ranks
from hwb_tui.store.db import is_postgres
from hwb_tui.store.models import Account
from tests.test_paging_search import usernames, walk_backward, walk_forward

SURNAMES = ("Jones", "Jonas", "Pritchard", "ap Dafydd", "Ó Briain", "Rhys", "Zeta")
FORENAMES = ("Aled", "Elin", "Siôn", "Ffion", "Osian", "Cerys")


def add(username: str, surname: str, forename: str, kind: Kind = Kind.LEARNER) -> Account:
    return Account.create(
        username=username,
        forename=forename,
        surname=surname,
        kind=str(kind),
        school=1,
        admission_number=f"A{username[-4:]}",
        password_status=str(PasswordStatus.UNAVAILABLE),
    )


def ranks_follow_the_list(hwb: Hwb) -> None:
    db = hwb.context.db
    by_rank = db.execute_sql(
        "SELECT kind, surname, forename, username FROM account "
        "WHERE search_rank IS NOT NULL ORDER BY search_rank"
    ).fetchall()
    assert by_rank == sorted(by_rank)
    for kind, low, high in db.execute_sql(
        "SELECT kind, min(search_rank), max(search_rank) FROM account GROUP BY kind"
    ).fetchall():
        span = search_ranks.kind_range(kind)
        assert span[0] < low <= high < span[1]
    if is_postgres():
        # The postings are exactly the trigrams of every ranked account, under its rank.
        indexed = db.execute_sql("SELECT gram, rank FROM account_gram ORDER BY 1, 2").fetchall()
        expected = db.execute_sql(
            "SELECT g, a.search_rank FROM account AS a, account_grams(a.surname, a.forename, "
            "a.username, a.admission_number) AS g WHERE a.search_rank IS NOT NULL ORDER BY 1, 2"
        ).fetchall()
        assert indexed == expected
        return
    # FTS5 compares its index with the content (the view of ranked accounts) row by row.
    db.execute_sql(
        "INSERT INTO account_search (account_search, rank) VALUES ('integrity-check', 1)"
    )


def matches(hwb: Hwb, term: str) -> list[str]:
    """The searched list worked out in Python: every learner with the term in a searched field."""
    rows = hwb.context.db.execute_sql(
        "SELECT surname, forename, username, admission_number FROM account "
        "WHERE kind = 'learner' AND left_at IS NULL ORDER BY surname, forename, username"
    ).fetchall()
    return [
        row[2] for row in rows if any(term.casefold() in (value or "").casefold() for value in row)
    ]


def test_ranks_follow_the_list_through_inserts_renames_and_deletes(demo: Hwb) -> None:
    rng = random.Random(8)
    made = []
    for number in range(300):
        action = rng.random()
        if action < 0.6 or not made:
            made.append(add(f"r{number:04d}", rng.choice(SURNAMES), rng.choice(FORENAMES)).username)
        elif action < 0.8:
            Account.update(surname=rng.choice(SURNAMES), admission_number=f"B{number}").where(
                Account.username == rng.choice(made)
            ).execute()
        elif action < 0.85:  # to another kind's list, and maybe back
            Account.update(kind=str(rng.choice((Kind.STAFF, Kind.LEARNER)))).where(
                Account.username == rng.choice(made)
            ).execute()
        else:
            gone = made.pop(rng.randrange(len(made)))
            Account.delete().where(Account.username == gone).execute()
    ranks_follow_the_list(demo)
    admin = demo.users.actor("admin.demo")
    add("short0001", "Ng", "Al")  # values of two letters: only a two-letter search finds them
    # Three letters and more are one phrase; two letters any trigram that begins with them.
    for term in ("Jones", "jon", "ap Da", "Siôn", "riain", "B1", "r01", "ap", "NG", "es", "ôn"):
        assert usernames(walk_forward(demo, admin, Kind.LEARNER, 7, search=term)) == (
            matches(demo, term)
        )
        assert usernames(walk_backward(demo, admin, Kind.LEARNER, 7, search=term)) == (
            matches(demo, term)
        )


def test_accounts_with_no_room_for_a_rank_are_still_found_in_order(demo: Hwb) -> None:
    # Each new account falls just after the last one, halving the same gap until none is left.
    for number in range(60):
        add(f"gap{number:04d}", "Jonesgap", f"Aa{number:04d}")
    db = demo.context.db
    waiting = search_ranks.unranked_count(db)
    assert 0 < waiting < 60
    ranks_follow_the_list(demo)
    admin = demo.users.actor("admin.demo")
    for term in ("Jonesgap", "esga", "gap00", "Jones"):
        expected = matches(demo, term)
        assert usernames(walk_forward(demo, admin, Kind.LEARNER, 9, search=term)) == (expected)
        assert usernames(walk_backward(demo, admin, Kind.LEARNER, 9, search=term)) == (expected)
    with db.atomic():
        search_ranks.renumber(db)
    assert search_ranks.unranked_count(db) == 0
    ranks_follow_the_list(demo)
    assert usernames(walk_forward(demo, admin, Kind.LEARNER, 9, search="esga")) == (
        matches(demo, "esga")
    )


def test_adding_an_account_renumbers_once_many_wait_for_a_rank(demo: Hwb, monkeypatch) -> None:
    monkeypatch.setattr(search_ranks, "UNRANKED_LIMIT", 10)
    for number in range(60):
        add(f"gap{number:04d}", "Jonesgap", f"Aa{number:04d}")
    assert search_ranks.unranked_count(demo.context.db) > 10
    champion = demo.users.actor("champion.demo")
    demo.non_mis.add(champion, "Val", "Volunteer", EndChoice.SIX_MONTHS)
    assert search_ranks.unranked_count(demo.context.db) == 0
    ranks_follow_the_list(demo)


def test_accounts_waiting_for_a_rank_are_found_in_any_case_in_any_alphabet(demo: Hwb) -> None:
    """They are checked value by value (SQLite's LIKE folds ASCII letters alone)."""
    for number in range(60):
        add(f"wgap{number:04d}", "Ŵyngap", f"Aa{number:04d}")
    assert search_ranks.unranked_count(demo.context.db) > 0
    admin = demo.users.actor("admin.demo")
    for term in ("ŵyngap", "ŴYNGAP", "yngap"):
        found = usernames(walk_forward(demo, admin, Kind.LEARNER, 9, search=term))
        assert found == matches(demo, term)
        assert len(found) == 60


@pytest.mark.parametrize("read_in_order", [False, True])
def test_one_letter_is_found_through_the_index_even_as_a_values_last(
    demo: Hwb, monkeypatch, read_in_order: bool
) -> None:
    """Every letter of a value begins one of its trigrams (two U+001F after it, migration
    0012), so one letter is a range of the index; a common one reads the list in order."""
    from hwb_tui.store import user_pages

    monkeypatch.setattr(user_pages, "NEAR_ROWS", 10**6 if read_in_order else 1)
    monkeypatch.setattr(user_pages, "COMMON_LETTERS_POSTINGS", 0 if read_in_order else 10**9)
    add("zzlast01", "Tariq", "Aled")  # "q" only as the surname's last letter
    add("zzlast02", "Ŵ", "Non")  # a value of one letter
    admin = demo.users.actor("admin.demo")
    for term in ("q", "Q", "ŵ", "Ŵ", "a", "ô", "0", ".", "x"):
        expected = matches(demo, term)
        assert usernames(walk_forward(demo, admin, Kind.LEARNER, 7, search=term)) == expected
        assert usernames(walk_backward(demo, admin, Kind.LEARNER, 7, search=term)) == expected
    assert usernames(walk_forward(demo, admin, Kind.LEARNER, 7, search="q")) == ["zzlast01"]


def test_every_kind_has_its_own_span_of_ranks_in_list_order() -> None:
    assert sorted(search_ranks.RANKED_KINDS) == sorted(str(kind) for kind in Kind)
    assert list(search_ranks.RANKED_KINDS) == sorted(search_ranks.RANKED_KINDS)


def test_migrations_go_down_to_the_index_by_id_and_up_again(demo: Hwb) -> None:
    from playhouse.migrations import Runner

    from hwb_tui.store.db import MIGRATIONS_DIR, MIGRATIONS_TABLE

    db = demo.context.db
    runner = Runner(db, str(MIGRATIONS_DIR), table_name=MIGRATIONS_TABLE)
    assert runner.down() == ["0012_search_every_letter"]
    assert runner.down() == ["0011_postgres_search_text"]  # nothing to undo on SQLite
    assert runner.down() == ["0010_school_search_index"]
    assert runner.down() == ["0009_postgres_search_rank"]  # nothing to undo on SQLite
    if is_postgres():
        # Back to 0007's GIN index, which serves a search again, unordered.
        assert db.execute_sql(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'account_search_trigram'"
        ).fetchone() == (1,)
    else:
        assert runner.down() == ["0008_search_rank"]
        by_id = db.execute_sql(
            "SELECT a.username FROM account_search AS f JOIN account AS a ON a.id = f.rowid "
            "WHERE account_search MATCH '\"Briain\"' AND a.kind = 'learner' "
            "AND a.left_at IS NULL ORDER BY a.username"
        ).fetchall()
        assert [username for (username,) in by_id] == sorted(matches(demo, "Briain"))
    assert runner.up() == (
        [
            "0009_postgres_search_rank",
            "0010_school_search_index",
            "0011_postgres_search_text",
            "0012_search_every_letter",
        ]
        if is_postgres()
        else [
            "0008_search_rank",
            "0009_postgres_search_rank",
            "0010_school_search_index",
            "0011_postgres_search_text",
            "0012_search_every_letter",
        ]
    )
    ranks_follow_the_list(demo)
    admin = demo.users.actor("admin.demo")
    found = walk_forward(demo, admin, Kind.LEARNER, 5, search="Briain")
    assert usernames(found) == matches(demo, "Briain")


def test_two_common_letters_are_read_in_list_order_with_the_same_result(
    demo: Hwb, monkeypatch
) -> None:
    """PostgreSQL reads the list in order for two letters with many postings; SQLite always
    uses its index. Either way the pages are the same."""
    from hwb_tui.store import user_pages

    admin = demo.users.actor("admin.demo")
    for threshold in (0, 10**9):
        monkeypatch.setattr(user_pages, "COMMON_LETTERS_POSTINGS", threshold)
        for term in ("on", "ap", "es"):
            assert usernames(walk_forward(demo, admin, Kind.LEARNER, 7, search=term)) == (
                matches(demo, term)
            )


def test_trigram_counts_are_made_again_once_well_behind(demo: Hwb) -> None:
    if not is_postgres():
        pytest.skip("SQLite's FTS5 index keeps no trigram counts")
    db = demo.context.db
    with db.atomic():
        db.execute_sql("TRUNCATE account_gram_count")
    champion = demo.users.actor("champion.demo")
    demo.non_mis.add(champion, "Val", "Volunteer", EndChoice.SIX_MONTHS)
    (counted,) = db.execute_sql("SELECT sum(postings) FROM account_gram_count").fetchone()
    (postings,) = db.execute_sql("SELECT count(*) FROM account_gram").fetchone()
    assert counted == postings


def test_writers_at_once_each_place_their_accounts(demo: Hwb, settings) -> None:
    """PostgreSQL places accounts one writer at a time: two transactions adding accounts into
    the same gap at once would otherwise both take the rank half-way across it."""
    if not is_postgres():
        pytest.skip("SQLite has one writer at a time already")
    import threading
    import time

    import psycopg

    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            with psycopg.connect(settings.database_url) as connection:  # one transaction
                for serial in range(8):
                    connection.execute(
                        "INSERT INTO account (username, forename, surname, kind, school_id, "
                        "is_digital_champion, created_at, password_status) VALUES "
                        "(%s, %s, 'Concurrent', 'learner', 1, false, now(), 'unavailable')",
                        (f"cc{number}x{serial:02d}", f"F{serial:02d}{number}"),
                    )
                    time.sleep(0.01)  # the other writers' transactions are open meanwhile
        except BaseException as error:  # reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    ranks_follow_the_list(demo)
    admin = demo.users.actor("admin.demo")
    found = usernames(walk_forward(demo, admin, Kind.LEARNER, 7, search="Concurrent"))
    assert found == matches(demo, "Concurrent") and len(found) == 32


@pytest.mark.parametrize("many", [False, True], ids=["placed", "renumbered"])
def test_accounts_written_in_bulk_are_placed_and_indexed(demo: Hwb, monkeypatch, many) -> None:
    """As an MIS import writes them (store/bulk.py): on PostgreSQL the triggers stand aside and
    the new accounts are placed together afterwards, or, when they are many, all renumbered."""
    from hwb_tui.store.bulk import insert_rows

    if many:
        monkeypatch.setattr(search_ranks, "UNRANKED_LIMIT", 5)
    rng = random.Random(3)
    columns = ("username", "forename", "surname", "kind", "school", "is_digital_champion",
               "admission_number", "created_at", "password_status")  # fmt: skip
    rows = [
        (
            f"bulk{n:03d}",
            rng.choice(FORENAMES),
            rng.choice(SURNAMES),
            "learner",
            1,
            False,
            f"C{n:04d}",
            dt.datetime(2026, 9, 1),
            "unavailable",
        )
        for n in range(40)
    ]
    db = demo.context.db
    with db.atomic():
        insert_rows(Account, columns, rows)
    assert search_ranks.unranked_count(db) == 0
    ranks_follow_the_list(demo)
    admin = demo.users.actor("admin.demo")
    for term in ("bulk0", "C003", "Jones", "ap"):
        assert usernames(walk_forward(demo, admin, Kind.LEARNER, 7, search=term)) == (
            matches(demo, term)
        )


def test_searches_go_on_while_a_renumber_is_under_way(demo: Hwb, settings, monkeypatch) -> None:
    """PostgreSQL: while a renumber rebuilds the postings, another session's search reads the
    ranks and postings as they were, without waiting (it waited for the whole rebuild before).
    The search runs just before the new postings are put in place: any lock the rebuild had
    taken on them by then would hold it up."""
    if not is_postgres():
        pytest.skip("SQLite readers see the last commit while one writer works, as always")
    import psycopg

    from hwb_tui.store.user_pages import page_query

    for number in range(12):
        add(f"gap{number:04d}", "Jonesgap", f"Aa{number:04d}")
    db = demo.context.db
    sql, params = page_query(db, "learner", None, "esga", None, False, 100)
    during: list[tuple] = []
    execute_sql = db.execute_sql

    with psycopg.connect(settings.database_url, autocommit=True) as reader:
        reader.execute("SET lock_timeout = '3s'")  # waiting longer fails the test

        def search_before_the_swap(statement: str, *args, **kwargs):
            if statement.startswith("DROP TABLE account_gram"):
                during.extend(reader.execute(sql, params).fetchall())  # LockNotAvailable?
            return execute_sql(statement, *args, **kwargs)

        before = reader.execute(sql, params).fetchall()
        monkeypatch.setattr(db, "execute_sql", search_before_the_swap)
        with db.atomic():
            search_ranks.renumber(db)
        monkeypatch.undo()
        after = reader.execute(sql, params).fetchall()
    names = [row[1] for row in before]
    assert names == matches(demo, "esga") and len(names) == 12
    assert [row[1] for row in during] == names
    assert [row[1] for row in after] == names
    ranks_follow_the_list(demo)


def test_a_renumber_is_vacuumed_after_its_commit(demo: Hwb, monkeypatch) -> None:
    """PostgreSQL: the service that renumbered vacuums the accounts and postings once it has
    committed, so searches do not wade through a dead version of every account meanwhile."""
    if not is_postgres():
        pytest.skip("SQLite's renumber leaves nothing for a vacuum")
    monkeypatch.setattr(search_ranks, "UNRANKED_LIMIT", 10)
    db = demo.context.db

    def last_vacuums() -> dict[str, object]:
        rows = db.execute_sql(
            "SELECT relname, last_vacuum FROM pg_stat_user_tables "
            "WHERE relname IN ('account', 'account_gram')"
        ).fetchall()
        return dict(rows)

    for number in range(60):
        add(f"gap{number:04d}", "Jonesgap", f"Aa{number:04d}")
    before = last_vacuums()  # both were vacuumed once the schema was made (store/db.py)
    champion = demo.users.actor("champion.demo")
    demo.non_mis.add(champion, "Val", "Volunteer", EndChoice.SIX_MONTHS)  # renumbers
    assert search_ranks.unranked_count(db) == 0
    after_the_service = last_vacuums()
    assert None not in after_the_service.values()
    assert after_the_service["account"] != before["account"]
    assert after_the_service["account_gram"] != before["account_gram"]
    with db.atomic():  # inside a transaction it waits: VACUUM cannot run in one
        search_ranks.renumber(db)  # (its postings are a new table, not yet vacuumed)
        search_ranks.settle(db)
    assert last_vacuums() == {"account": after_the_service["account"], "account_gram": None}
    search_ranks.settle(db)
    settled = last_vacuums()
    assert settled["account"] > after_the_service["account"] and settled["account_gram"]
    ranks_follow_the_list(demo)
