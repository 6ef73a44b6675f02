"""One page of a user list as a single SQL statement, for SQLite and PostgreSQL alike.

Lists are ordered by (surname, forename, username); username is unique, so that triple is a
key, and a page starts strictly after (or before) the key of a row already shown: the index
`account_kind_sort_key` is entered at that key, never read from the start (no OFFSET).

The SQL is written out rather than built with Peewee's query builder, and cached per shape:
at 500,000 users a page takes well under a millisecond, so building the query and model
instances would otherwise cost more than running it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from peewee import Database, PostgresqlDatabase

from hwb_tui.store.search_ranks import kind_range

# Search terms this long or longer are one FTS5 phrase (SQLite) or use pg_trgm (PostgreSQL).
TRIGRAM_LENGTH = 3
LAST_CHARACTER = "\U0010ffff"  # every trigram that begins with two letters sorts below this

# The columns a page row is built from, in this order.
PAGE_COLUMNS = (
    "a.id",
    "a.username",
    "a.forename",
    "a.surname",
    "a.kind",
    "a.school_id",
    "s.name",
    "a.year",
    "a.reg_group",
    "a.password_status",
    "a.is_digital_champion",
)

# The same expression as the pg_trgm index in migration 0007, so that index serves the search.
PG_HAYSTACK = (
    "(surname || E'\\x1f' || forename || E'\\x1f' || username || E'\\x1f' "
    "|| coalesce(admission_number, ''))"
)
_SEARCHED_COLUMNS = ("a.surname", "a.forename", "a.username", "a.admission_number")


def page_query(
    db: Database,
    kind: str,
    school_id: int | None,
    search: str,
    key: tuple[str, str, str] | None,
    backwards: bool,
    limit: int,
) -> tuple[str, list]:
    """The SQL and parameters for up to `limit` rows after (or before) `key`."""
    postgres = isinstance(db, PostgresqlDatabase)
    by_school = school_id is not None
    search_mode = _search_mode(postgres, by_school, search)
    if search_mode == "ranked":
        return _ranked_query(db.param, kind, kind_range(kind), search, key, backwards, limit)
    sql = _page_sql(db.param, by_school, search_mode, key is not None, backwards)
    params: list = []
    if search_mode == "pg_trigram":  # its condition is in the FROM clause, before the rest
        params.extend(_search_params(search_mode, search))
    params.append(kind)
    if by_school:
        params.append(school_id)
    if search_mode != "pg_trigram":
        params.extend(_search_params(search_mode, search))
    if key is not None:
        params.extend(key)
    params.append(limit)
    return sql, params


def _search_mode(postgres: bool, by_school: bool, search: str) -> str:
    if not search:
        return ""
    # A school's list (a few thousand rows at most) is read in order faster than the trigram
    # index can list every school's matches; the trigram index serves the national lists.
    if postgres:
        return "pg_trigram" if len(search) >= TRIGRAM_LENGTH and not by_school else "haystack"
    # SQLite's index also serves two letters (migration 0008); one letter is read in order.
    return "ranked" if len(search) >= 2 and not by_school else "like"


def _search_params(mode: str, search: str) -> Sequence[str]:
    if mode in ("haystack", "pg_trigram"):
        return [_like_pattern(search)]
    if mode == "like":
        return [_like_pattern(search)] * len(_SEARCHED_COLUMNS)
    return []


def _short_match(param: str) -> str:
    """An FTS5 query: any trigram of the index between two bounds (or none: `""`)."""
    quoted = "'\"' || replace(term, '\"', '\"\"') || '\"'"
    return (
        f"coalesce((SELECT group_concat({quoted}, ' OR ') FROM account_search_terms "
        f"WHERE term BETWEEN {param} AND {param}), '\"\"')"
    )


def _like_matches(param: str) -> str:
    """Any searched column holds the pattern (ASCII letters in any case)."""
    matches = " OR ".join(f"{column} LIKE {param} ESCAPE '\\'" for column in _SEARCHED_COLUMNS)
    return f"({matches})"


def _like_pattern(search: str) -> str:
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@lru_cache(maxsize=64)
def _page_sql(
    param: str, by_school: bool, search_mode: str, after_key: bool, backwards: bool
) -> str:
    source = "account AS a"
    # People who have left stay in the table but in no list (services/membership.still_listed).
    where = [f"a.kind = {param}", "a.left_at IS NULL"]
    if by_school:
        where.append(f"a.school_id = {param}")
    if search_mode == "pg_trigram":
        # The same plan on PostgreSQL: OFFSET 0 keeps the planner from walking the list index.
        source = f"(SELECT * FROM account WHERE {PG_HAYSTACK} ILIKE {param} OFFSET 0) AS a"
    elif search_mode == "haystack":
        # Unqualified: the school table has no column of these names.
        where.append(f"{PG_HAYSTACK} ILIKE {param}")
    elif search_mode == "like":
        where.append(_like_matches(param))
    if after_key:
        where.append(
            f"(a.surname, a.forename, a.username) {'<' if backwards else '>'} "
            f"({param}, {param}, {param})"
        )
    direction = " DESC" if backwards else ""
    order = ", ".join(f"a.{column}{direction}" for column in ("surname", "forename", "username"))
    return (
        f"SELECT {', '.join(PAGE_COLUMNS)} FROM {source} "
        "LEFT JOIN school AS s ON s.id = a.school_id "
        f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT {param}"
    )


def _ranked_query(
    param: str,
    kind: str,
    ranks: tuple[int, int],
    search: str,
    key: tuple[str, str, str] | None,
    backwards: bool,
    limit: int,
) -> tuple[str, list]:
    """SQLite's national search (store/search_ranks.py): the trigram index read in rank order,
    which is list order, from the key's rank on; merged by key with the few accounts that wait
    for a rank, which the partial index `account_unranked` holds."""
    low, high = ranks
    ranked: list = [kind, *key] if key is not None else []
    ranked += [high if backwards else low, low if backwards else high]
    short = len(search) < TRIGRAM_LENGTH
    if short:  # every trigram that begins with the two letters, as the index folds them
        folded = search.lower()
        ranked += [folded, folded + LAST_CHARACTER]
    else:  # one FTS5 phrase: with the trigram tokenizer, a substring
        ranked.append('"' + search.replace('"', '""') + '"')
    ranked += [kind, limit]
    unranked = [kind, *[_like_pattern(search)] * len(_SEARCHED_COLUMNS), *(key or ()), limit]
    return _ranked_sql(param, short, key is not None, backwards), [*ranked, *unranked, limit]


@lru_cache(maxsize=16)
def _ranked_sql(param: str, short: bool, after_key: bool, backwards: bool) -> str:
    direction = " DESC" if backwards else ""
    beyond = "<" if backwards else ">"
    key_columns = ("surname", "forename", "username")
    reverse = ", ".join(f"{column}{'' if backwards else ' DESC'}" for column in key_columns)
    key = f"({param}, {param}, {param})"
    # Matches lie strictly beyond the rank of the last ranked account on this side of the key
    # (at it or before it, reading forwards); without a key, beyond the kind's own bound.
    start = param
    if after_key:
        start = (
            f"coalesce((SELECT search_rank FROM account WHERE kind = {param} "
            f"AND search_rank IS NOT NULL AND (surname, forename, username) "
            f"{'>=' if backwards else '<='} {key} ORDER BY {reverse} LIMIT 1), {param})"
        )
    page_columns = ", ".join(column for column in PAGE_COLUMNS if column != "s.name")
    ranked = (
        f"SELECT {page_columns} FROM account_search AS f "
        "CROSS JOIN account AS a ON a.search_rank = f.rowid "
        f"WHERE f.rowid {beyond} {start} AND f.rowid {'>' if backwards else '<'} {param} "
        f"AND f.account_search MATCH {_short_match(param) if short else param} "
        f"AND a.kind = {param} AND a.left_at IS NULL "
        f"ORDER BY f.rowid{direction} LIMIT {param}"
    )
    waiting = [f"a.search_rank IS NULL AND a.kind = {param} AND a.left_at IS NULL"]
    waiting.append(_like_matches(param))
    if after_key:
        waiting.append(f"(a.surname, a.forename, a.username) {beyond} {key}")
    unranked = (
        f"SELECT {page_columns} FROM account AS a WHERE {' AND '.join(waiting)} "
        f"ORDER BY {', '.join(f'a.{column}{direction}' for column in key_columns)} "
        f"LIMIT {param}"
    )
    outer = ", ".join(
        f"m.{column.split('.')[1]}" if column != "s.name" else column for column in PAGE_COLUMNS
    )
    return (
        f"SELECT {outer} FROM (SELECT * FROM ({ranked}) UNION ALL SELECT * FROM ({unranked})) "
        f"AS m LEFT JOIN school AS s ON s.id = m.school_id "
        f"ORDER BY {', '.join(f'm.{column}{direction}' for column in key_columns)} LIMIT {param}"
    )
