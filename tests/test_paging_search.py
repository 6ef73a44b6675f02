"""Keyset pages and indexed search give exactly the rows of the whole list, on both databases."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from hwb_tui.domain.errors import InvalidInput, PermissionDenied
from hwb_tui.domain.model import Kind, UserSummary
from hwb_tui.domain.paging import MAX_PAGE_SIZE, PageKey
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.db import is_postgres
from hwb_tui.store.models import Account
from hwb_tui.store.user_pages import page_query


def walk_forward(hwb: Hwb, actor, kind: Kind, limit: int, **filters) -> list:
    rows, key, pages = [], None, 0
    while True:
        page = hwb.users.page(actor, kind, key=key, limit=limit, **filters)
        pages += 1
        assert page.has_before is (key is not None)
        rows.extend(page.rows)
        if not page.has_after:
            return rows
        assert len(page.rows) == limit
        key = page.last_key


def walk_backward(hwb: Hwb, actor, kind: Kind, limit: int, **filters) -> list:
    rows, key = [], None
    while True:
        page = hwb.users.page(actor, kind, key=key, backwards=True, limit=limit, **filters)
        assert page.has_after is (key is not None)
        rows[:0] = page.rows
        if not page.has_before:
            return rows
        key = page.first_key


def usernames(rows) -> list[str]:
    return [row.username for row in rows]


@pytest.mark.parametrize("kind", [Kind.LEARNER, Kind.STAFF])
def test_pages_forward_and_backward_make_the_whole_list(demo: Hwb, kind: Kind) -> None:
    admin = demo.users.actor("admin.demo")
    whole = demo.users.list_users(admin, kind)
    assert len(whole) > 14
    assert walk_forward(demo, admin, kind, limit=7) == list(whole)
    assert walk_backward(demo, admin, kind, limit=7) == list(whole)


def test_a_school_user_pages_through_their_own_school_only(demo: Hwb) -> None:
    teacher = demo.users.actor("teacher.demo")
    whole = demo.users.list_users(teacher, Kind.LEARNER)
    rows = walk_forward(demo, teacher, Kind.LEARNER, limit=10)
    assert rows == list(whole)
    assert {row.school_id for row in rows} == {teacher.school_id}


def test_a_page_starts_just_after_any_key_even_one_not_in_the_list(demo: Hwb) -> None:
    admin = demo.users.actor("admin.demo")
    whole = demo.users.list_users(admin, Kind.LEARNER)
    middle = whole[len(whole) // 2]
    page = demo.users.page(admin, Kind.LEARNER, key=PageKey.of(middle), limit=5)
    assert page.rows == whole[len(whole) // 2 + 1 : len(whole) // 2 + 6]
    between = PageKey(middle.surname, middle.forename, middle.username + "\x01")
    assert demo.users.page(admin, Kind.LEARNER, key=between, limit=5).rows == page.rows


@pytest.mark.parametrize(
    "term",
    ["a", "EV", "ll", "jon", "JONES", "ap Da", "Siôn", "ô", "00201", "0", "o'c", ".demo"],
)
def test_search_pages_match_the_searched_list(demo: Hwb, term: str) -> None:
    """Short terms are checked row by row, longer ones through the trigram index."""
    admin = demo.users.actor("admin.demo")
    expected = [
        row
        for kind in (Kind.LEARNER, Kind.STAFF)
        for row in demo.users.list_users(admin, kind)
        if any(
            term.casefold() in (value or "").casefold()
            for value in (row.surname, row.forename, row.username, _admission(demo, row))
        )
    ]
    found = [
        row
        for kind in (Kind.LEARNER, Kind.STAFF)
        for row in walk_forward(demo, admin, kind, limit=4, search=term)
    ]
    assert usernames(found) == usernames(expected)


def _admission(hwb: Hwb, row) -> str | None:
    return hwb.users.details(hwb.users.actor("admin.demo"), row.username).admission_number


@pytest.mark.parametrize(
    "term", ["%", "_", "\\", '"', "a%", "%_%", "*", "?", "[", "ô*", "[ô]", "ŵ?", "Ô%"]
)
@pytest.mark.parametrize("who", ["admin.demo", "teacher.demo"])  # all Wales, and one school
def test_wildcards_and_quotes_in_a_search_are_plain_characters(
    demo: Hwb, who: str, term: str
) -> None:
    actor = demo.users.actor(who)
    assert demo.users.page(actor, Kind.LEARNER, search=term).rows == ()


def test_search_follows_renames(demo: Hwb) -> None:
    admin = demo.users.actor("admin.demo")
    Account.update(surname="Zyxwvut").where(Account.username == "learner.demo").execute()
    found = demo.users.page(admin, Kind.LEARNER, search="xwv").rows
    assert usernames(found) == ["learner.demo"]
    assert demo.users.page(admin, Kind.LEARNER, search="Briain").rows == tuple(
        row for row in demo.users.list_users(admin, Kind.LEARNER, search="Briain")
    )
    assert "learner.demo" not in usernames(
        demo.users.page(admin, Kind.LEARNER, search="Briain").rows
    )


def test_search_works_after_the_demo_is_rebuilt(demo: Hwb) -> None:
    demo.demo.build(force=True)
    admin = demo.users.actor("admin.demo")
    assert usernames(demo.users.page(admin, Kind.LEARNER, search="Briain").rows) == usernames(
        demo.users.list_users(admin, Kind.LEARNER, search="Briain")
    )


def test_pages_keep_to_the_actors_rights(demo: Hwb) -> None:
    learner = demo.users.actor("learner.demo")
    teacher = demo.users.actor("teacher.demo")
    primary_school = demo.users.actor("primary.demo").school_id
    with pytest.raises(PermissionDenied):
        demo.users.page(learner, Kind.STAFF)
    with pytest.raises(PermissionDenied):
        demo.users.page(teacher, Kind.LEARNER, school_id=primary_school)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"limit": 0}, "A page holds"),
        ({"limit": MAX_PAGE_SIZE + 1}, "A page holds"),
        ({"search": "jo\x1bnes"}, "control characters"),
        ({"search": "x" * 101}, "at most"),
    ],
)
def test_bad_page_requests_are_refused_clearly(demo: Hwb, filters: dict, message: str) -> None:
    admin = demo.users.actor("admin.demo")
    with pytest.raises(InvalidInput, match=message):
        demo.users.page(admin, Kind.LEARNER, **filters)


def test_page_rows_are_frozen_user_summaries_equal_to_the_lists_rows(demo: Hwb) -> None:
    """Page rows are built field by field (services/users.py), not by UserSummary's __init__:
    every field, dates and the expired flag included, must come out the same."""
    import dataclasses

    admin = demo.users.actor("admin.demo")
    ended = demo.users.list_users(admin, Kind.NON_MIS)[0]
    Account.update(expires_on=dt.date(2020, 8, 31)).where(Account.id == ended.id).execute()
    for kind in (Kind.LEARNER, Kind.STAFF, Kind.GOVERNOR, Kind.NON_MIS):
        whole = demo.users.list_users(admin, kind)
        assert walk_forward(demo, admin, kind, limit=7) == list(whole)
        assert {type(row) for row in whole} == {UserSummary}
    [row] = demo.users.page(admin, Kind.NON_MIS, search=ended.username).rows
    assert row.ends_on == dt.date(2020, 8, 31) and row.expired
    assert type(row) is UserSummary
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.surname = "Changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    "part", ["one letter", "two letters", "surname", "surname in capitals", "admission number"]
)
def test_a_schools_search_matches_its_searched_list_and_leaves_out_who_has_left(
    demo: Hwb, part: str
) -> None:
    """A school's list is checked value by value (on SQLite from its index, migration 0010)."""
    teacher = demo.users.actor("teacher.demo")
    whole = demo.users.list_users(teacher, Kind.LEARNER)
    someone = whole[len(whole) // 2]
    term = {
        "one letter": "a",
        "two letters": someone.forename[:2],
        "surname": someone.surname[1:5],
        "surname in capitals": someone.surname[1:5].upper(),
        "admission number": (_admission(demo, someone) or "")[:3],
    }[part]
    leaver = next(row for row in whole if row != someone and _matches(demo, row, term))
    Account.update(left_at=dt.datetime(2026, 7, 20, 12, 0)).where(Account.id == leaver.id).execute()
    expected = [
        row for row in whole if row.username != leaver.username and _matches(demo, row, term)
    ]
    found = walk_forward(demo, teacher, Kind.LEARNER, limit=3, search=term)
    assert someone in found
    assert usernames(found) == usernames(expected)


def test_a_schools_search_finds_a_name_as_it_was_changed_by_any_writer(demo: Hwb) -> None:
    """In any case, in any alphabet. PostgreSQL checks a stored, lower-cased copy of the
    searched values (migration 0011): a change made outside the services, as a bulk load
    makes it, must reach it too. SQLite's LIKE folds ASCII letters alone."""
    teacher = demo.users.actor("teacher.demo")
    someone = demo.users.list_users(teacher, Kind.LEARNER)[0]
    Account.update(surname="Ŵyntyllfa").where(Account.id == someone.id).execute()
    for term in ("ŵyntyll", "ŴYNTYLL", "yNTyLLf"):
        found = walk_forward(demo, teacher, Kind.LEARNER, limit=3, search=term)
        assert usernames(found) == [someone.username]


def _matches(hwb: Hwb, row, term: str) -> bool:
    values = (row.surname, row.forename, row.username, _admission(hwb, row))
    return any(term.casefold() in (value or "").casefold() for value in values)


@pytest.mark.parametrize("school", [True, False], ids=["a school's list", "national"])
def test_a_prepared_search_lower_cases_its_term_once(demo: Hwb, school: bool) -> None:
    """PostgreSQL: psycopg prepares a statement run often, and the plan PostgreSQL then keeps
    is generic; in it, a term lower-cased beside each account's values was lower-cased again
    for every account checked."""
    db = demo.context.db
    if not is_postgres():
        pytest.skip("SQLite's statements hold no lower-cased term")
    school_id = demo.users.actor("teacher.demo").school_id if school else None
    sql, params = page_query(db, str(Kind.LEARNER), school_id, "ritch", None, False, 41)
    numbered = iter(range(1, len(params) + 1))
    db.execute_sql("PREPARE page AS " + re.sub("%s", lambda _: f"${next(numbered)}", sql))
    db.execute_sql("SET plan_cache_mode = force_generic_plan")
    # Written into the statement (no placeholders), so the patterns' "%" doubled for psycopg.
    literals = ", ".join(str(p) if isinstance(p, int) else f"'{p}'" for p in params)
    literals = literals.replace("%", "%%")
    plan = [row[0] for row in db.execute_sql(f"EXPLAIN EXECUTE page({literals})")]
    db.execute_sql("DEALLOCATE page")
    db.execute_sql("RESET plan_cache_mode")
    filters = [line for line in plan if "Filter:" in line]
    assert any("search_text" in line for line in filters)
    assert not [line for line in filters if "lower(" in line]
