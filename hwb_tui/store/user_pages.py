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

from hwb_tui.store.search_ranks import INDEXED_COLUMNS, kind_range

# Search terms this long or longer are one FTS5 phrase (SQLite) or walk one trigram's postings
# (PostgreSQL); shorter ones read every trigram that begins with them (each value is indexed
# with two U+001F after it, so every letter of it begins one: migration 0012).
TRIGRAM_LENGTH = 3
# SQLite, one letter: the accounts just beyond the key that are checked one by one before the
# index is read. A common letter fills a page among them: through the index, merging the
# hundreds of trigrams it begins, it took 40 to 110 ms at 500,000 users ("e", "k", "0"). A
# letter in fewer than 1 in 100 accounts goes on to the index, which has few trigrams for it
# ("q" 0.4 ms, "z" 18 ms). Counting each trigram's accounts to choose took up to 120 ms.
NEAR_ROWS = 4000
# Two letters with more postings than this are found sooner by reading the list in order than
# by gathering and sorting their postings (PostgreSQL). With fewer, their accounts may all lie
# far down the list. Measured on 500,000 users: "ff" (39,000 postings) 5 ms read in order, 15 ms
# through its postings; "ap" (19,000) 810 ms and 9 ms; "ae" (31,000) 120 ms and 13 ms.
COMMON_LETTERS_POSTINGS = 35_000
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
    "a.expires_on",
)


def _haystack_matches(param: str) -> str:
    """PostgreSQL: the term (a LIKE pattern) is in one of the searched values, in any case.

    `search_text` holds them lower-cased, joined by a character no term holds (migration 0011).
    The term is lower-cased once, in a subquery: psycopg prepares a statement run often, and
    PostgreSQL's generic plan for it then lower-cased the term again for every row it checked
    (a school's "ritch": 0.75 ms instead of 0.5 ms reading 2,000 learners).
    """
    return f"a.search_text LIKE (SELECT lower({param}))"


_SEARCHED_COLUMNS = tuple(f"a.{column}" for column in INDEXED_COLUMNS)


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
    if search_mode != "ranked":
        return _in_order_query(
            db.param, kind, school_id, search_mode, search, key, backwards, limit
        )
    ranked = _ranked_query(
        db.param, postgres, kind, kind_range(kind), search, key, backwards, limit
    )
    if not postgres or len(search) >= TRIGRAM_LENGTH:
        return ranked
    # One or two letters on PostgreSQL: the list read in order when they are common, else their
    # postings; one statement, the choice made by the server from the trigram counts.
    in_order = _in_order_query(db.param, kind, None, "haystack", search, key, backwards, limit)
    sql = _common_letters_sql(db.param, in_order[0], ranked[0], backwards)
    return sql, [COMMON_LETTERS_POSTINGS, search, search, *in_order[1], *ranked[1]]


def _in_order_query(
    param: str,
    kind: str,
    school_id: int | None,
    search_mode: str,
    search: str,
    key: tuple[str, str, str] | None,
    backwards: bool,
    limit: int,
) -> tuple[str, list]:
    sql = _page_sql(param, school_id is not None, search_mode, key is not None, backwards)
    params: list = [kind]
    if school_id is not None:
        params.append(school_id)
    params.extend(_search_params(search_mode, search))
    if key is not None:
        params.extend(key)
    params.append(limit)
    return sql, params


@lru_cache(maxsize=16)
def _common_letters_sql(param: str, in_order: str, ranked: str, backwards: bool) -> str:
    """PostgreSQL: one or two letters, as one statement. Letters with more postings than
    COMMON_LETTERS_POSTINGS are found by reading the list in order, which meets a page of them
    sooner than their postings can be gathered and sorted; rarer ones through their postings.
    Only the chosen side runs (a one-time filter)."""
    direction = " DESC" if backwards else ""
    order = ", ".join(f"{column}{direction}" for column in ("surname", "forename", "username"))
    return (
        f"WITH letters AS MATERIALIZED (SELECT coalesce(sum(postings), 0) > {param} AS common "
        f"FROM account_gram_count WHERE {_grams_beginning_with('gram', param)}) "
        f"SELECT * FROM ({in_order}) AS l WHERE (SELECT common FROM letters) UNION ALL "
        f"SELECT * FROM ({ranked}) AS r WHERE NOT (SELECT common FROM letters) "
        f"ORDER BY {order}"
    )


def _search_mode(postgres: bool, by_school: bool, search: str) -> str:
    if not search:
        return ""
    # A school's list (a few thousand rows at most) is read in order faster than the trigram
    # index can list every school's matches; the index in list order (store/search_ranks.py)
    # serves the national lists, one or two letters too unless they are common (page_query).
    if not by_school:
        return "ranked"
    return "haystack" if postgres else _case_folding(search)


def _case_folding(search: str) -> str:
    """SQLite: how a term is matched in any case. LIKE folds the case of ASCII letters alone,
    so "ŵyn" would not find "Ŵyn"; such a term is a GLOB of each letter's cases."""
    return "like" if search.isascii() else "glob"


def _grams_beginning_with(column: str, param: str) -> str:
    """PostgreSQL: the trigrams in `column` that begin with two letters (the parameter, given
    twice), as a range of the key; the trigrams are stored lower-cased."""
    return f"{column} >= lower({param}) AND {column} < lower({param}) || chr({ord(LAST_CHARACTER)})"


def _search_params(mode: str, search: str) -> Sequence[str]:
    if mode == "haystack":
        return [_like_pattern(search)]
    if mode == "like":
        return [_like_pattern(search)] * len(_SEARCHED_COLUMNS)
    if mode == "glob":
        return [_glob_pattern(search)] * len(_SEARCHED_COLUMNS)
    return []


def _short_match(param: str, gated: bool) -> str:
    """An FTS5 query: any trigram of the index between two bounds (or none: `""`). Listing
    them counts each one's accounts (60-90 ms for all of those "e" begins), so when `gated`
    they are listed only if the accounts near the key (`_nearest_first_sql`) hold fewer
    matches than a page."""
    quoted = "'\"' || replace(term, '\"', '\"\"') || '\"'"
    gate = f" AND (SELECT count(*) FROM near) < {param}" if gated else ""
    return (
        f"coalesce((SELECT group_concat({quoted}, ' OR ') FROM account_search_terms "
        f"WHERE term BETWEEN {param} AND {param}{gate}), '\"\"')"
    )


def _like_matches(param: str) -> str:
    """Any searched column holds the pattern (ASCII letters in any case)."""
    matches = " OR ".join(f"{column} LIKE {param} ESCAPE '\\'" for column in _SEARCHED_COLUMNS)
    return f"({matches})"


def _matches(mode: str, param: str) -> str:
    """The term (the parameter) is in one of the searched values, in any case, as `mode`
    ("haystack", "like" or "glob") compares them."""
    match = {"haystack": _haystack_matches, "like": _like_matches, "glob": _glob_matches}
    return match[mode](param)


def _glob_matches(param: str) -> str:
    """Any searched column holds the pattern (SQLite's GLOB, which compares case exactly)."""
    matches = " OR ".join(f"{column} GLOB {param}" for column in _SEARCHED_COLUMNS)
    return f"({matches})"


def _glob_pattern(search: str) -> str:
    """A GLOB pattern for the term in any case: each letter a set of its cases ("[Ŵŵ]yn")."""
    pattern = []
    for character in search:
        # One character each: "ß".upper() is "SS".
        cases = sorted(c for c in {character, character.lower(), character.upper()} if len(c) == 1)
        if character in "*?[":  # GLOB's own characters, matched as themselves
            pattern.append(f"[{character}]")
        elif len(cases) > 1:
            pattern.append(f"[{''.join(cases)}]")
        else:
            pattern.append(character)
    return f"*{''.join(pattern)}*"


def _like_pattern(search: str) -> str:
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@lru_cache(maxsize=64)
def _page_sql(
    param: str, by_school: bool, search_mode: str, after_key: bool, backwards: bool
) -> str:
    # People who have left stay in the table but in no list (services/membership.still_listed).
    where = [f"a.kind = {param}", "a.left_at IS NULL"]
    if by_school:
        where.append(f"a.school_id = {param}")
    if search_mode:
        where.append(_matches(search_mode, param))
    if after_key:
        where.append(
            f"(a.surname, a.forename, a.username) {'<' if backwards else '>'} "
            f"({param}, {param}, {param})"
        )
    direction = " DESC" if backwards else ""
    order = ", ".join(f"a.{column}{direction}" for column in ("surname", "forename", "username"))
    return (
        f"SELECT {', '.join(PAGE_COLUMNS)} FROM account AS a "
        "LEFT JOIN school AS s ON s.id = a.school_id "
        f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT {param}"
    )


def _ranked_query(
    param: str,
    postgres: bool,
    kind: str,
    ranks: tuple[int, int],
    search: str,
    key: tuple[str, str, str] | None,
    backwards: bool,
    limit: int,
) -> tuple[str, list]:
    """A national search through the index kept in list order (store/search_ranks.py), read
    in rank order from the key's rank on; merged by key with the few accounts that wait for a
    rank, which the partial index `account_unranked` holds."""
    low, high = ranks
    short = len(search) < TRIGRAM_LENGTH
    start: list = [kind, *key] if key is not None else []
    start += [high if backwards else low, low if backwards else high]
    one_letter = not postgres and len(search) == 1  # looked for near the key first
    folding = _case_folding(search)
    if postgres:
        # The postings' trigram(s) first, then the ranks, then the check of each account.
        grams = [search, search] if short else [search]
        ranked = [*grams, *start, kind, _like_pattern(search), limit]
        unranked = [kind, _like_pattern(search), *(key or ()), limit]
    else:
        if short:  # every trigram that begins with the letters, as the index folds them
            folded = search.lower()
            match = [folded, folded + LAST_CHARACTER, *([limit] if one_letter else [])]
        else:  # one FTS5 phrase: with the trigram tokenizer, a substring
            match = ['"' + search.replace('"', '""') + '"']
        ranked = [*start, *match, kind, limit]
        unranked = [kind, *_search_params(folding, search), *(key or ()), limit]
    sql = _ranked_sql(param, postgres, short, key is not None, backwards, folding, one_letter)
    params = [*ranked, *unranked, limit]
    if not one_letter:
        return sql, params
    # One letter on SQLite: the page among the accounts just beyond the key when they hold a
    # whole page of matches, else through the index; one statement, the choice made by SQLite.
    beyond_every_key = ("",) * 3 if backwards else (LAST_CHARACTER,) * 3
    bound = [kind, *(key or ()), *beyond_every_key]
    near = [kind, *(key or ()), *_search_params(folding, search), limit]
    nearest_first = _nearest_first_sql(param, sql, key is not None, backwards, folding, NEAR_ROWS)
    return nearest_first, [*bound, *near, limit, limit, *params]


@lru_cache(maxsize=16)
def _nearest_first_sql(
    param: str, ranked: str, after_key: bool, backwards: bool, folding: str, near_rows: int
) -> str:
    direction = " DESC" if backwards else ""
    beyond = "<" if backwards else ">"
    key_columns = ("surname", "forename", "username")
    order = ", ".join(f"{column}{direction}" for column in key_columns)

    def row(table: str) -> str:
        return f"({', '.join(f'{table}.{column}' for column in key_columns)})"

    after = f"AND {row('a')} {beyond} ({param}, {param}, {param}) " if after_key else ""
    school_name = "(SELECT s.name FROM school AS s WHERE s.id = full.school_id) AS school_name"
    columns = ", ".join(
        school_name if column == "s.name" else "full." + column.split(".")[1]
        for column in PAGE_COLUMNS
    )
    matches = _matches(folding, param)
    # The last of the accounts near the key, or beyond every key when the list ends sooner.
    bound = (
        "SELECT * FROM (SELECT a.surname, a.forename, a.username FROM account AS a "
        f"WHERE a.kind = {param} AND a.left_at IS NULL {after}ORDER BY {order} "
        f"LIMIT 1 OFFSET {near_rows - 1}) UNION ALL SELECT {param}, {param}, {param} LIMIT 1"
    )
    # Read from the list's index in order up to that bound, the index holding every value
    # checked (migration 0012); the table is read only for a page of matches.
    within = "<=" if not backwards else ">="
    near = (
        f"SELECT {columns} FROM account AS a CROSS JOIN account AS full ON full.id = a.id "
        f"WHERE a.kind = {param} AND a.left_at IS NULL {after}"
        f"AND {row('a')} {within} (SELECT * FROM bound) "
        f"AND {matches} ORDER BY {', '.join(f'a.{c}{direction}' for c in key_columns)} "
        f"LIMIT {param}"
    )
    # The index is read only when the near accounts do not fill the page: SQLite enters the
    # right side of a CROSS JOIN only for each row of its left (and see `_short_match`).
    enough = f"(SELECT count(*) FROM near) >= {param}"
    return (
        f"WITH bound AS MATERIALIZED ({bound}), near AS ({near}) "
        f"SELECT * FROM near WHERE {enough} UNION ALL "
        f"SELECT r.* FROM (SELECT 1 WHERE NOT {enough}) AS gate CROSS JOIN ({ranked}) AS r "
        f"ORDER BY {order}"
    )


@lru_cache(maxsize=32)
def _ranked_sql(
    param: str,
    postgres: bool,
    short: bool,
    after_key: bool,
    backwards: bool,
    folding: str,
    gated: bool,
) -> str:
    direction = " DESC" if backwards else ""
    beyond = "<" if backwards else ">"
    before_end = ">" if backwards else "<"
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
    if postgres:
        ranked = _postings_sql(param, short, start, beyond, before_end, direction, page_columns)
        matches = _haystack_matches(param)
    else:
        ranked = (
            f"SELECT {page_columns} FROM account_search AS f "
            "CROSS JOIN account AS a ON a.search_rank = f.rowid "
            f"WHERE f.rowid {beyond} {start} AND f.rowid {before_end} {param} "
            f"AND f.account_search MATCH {_short_match(param, gated) if short else param} "
            f"AND a.kind = {param} AND a.left_at IS NULL "
            f"ORDER BY f.rowid{direction} LIMIT {param}"
        )
        matches = _matches(folding, param)
    waiting = [f"a.search_rank IS NULL AND a.kind = {param} AND a.left_at IS NULL", matches]
    if after_key:
        waiting.append(f"(a.surname, a.forename, a.username) {beyond} {key}")
    unranked = (
        f"SELECT {page_columns} FROM account AS a WHERE {' AND '.join(waiting)} "
        f"ORDER BY {', '.join(f'a.{column}{direction}' for column in key_columns)} "
        f"LIMIT {param}"
    )
    # The schools' names looked up for the page's rows alone, once it is cut to size.
    school_name = "(SELECT s.name FROM school AS s WHERE s.id = m.school_id)"
    outer = ", ".join(
        f"m.{column.split('.')[1]}" if column != "s.name" else school_name
        for column in PAGE_COLUMNS
    )
    order = ", ".join(f"m.{column}{direction}" for column in key_columns)
    return (
        f"SELECT {outer} FROM (SELECT * FROM (SELECT * FROM ({ranked}) AS r UNION ALL "
        f"SELECT * FROM ({unranked}) AS u) AS m ORDER BY {order} LIMIT {param}) AS m "
        f"ORDER BY {order}"
    )


def _postings_sql(
    param: str, short: bool, start: str, beyond: str, before_end: str, direction: str, columns: str
) -> str:
    """PostgreSQL's ranked matches: the postings of one trigram in rank order (the rarest of
    the term's, by account_gram_count), or of every trigram that begins with two letters, and
    each account they name checked against the whole term; OFFSET 0 keeps the planner to that
    plan, which stops after a page."""
    if short:
        postings = (
            "SELECT DISTINCT p.rank FROM account_gram AS p "
            f"WHERE {_grams_beginning_with('p.gram', param)}"
        )
    else:
        rarest = (
            f"SELECT t.gram FROM term_grams({param}) AS t(gram) "
            "LEFT JOIN account_gram_count AS c ON c.gram = t.gram "
            "ORDER BY coalesce(c.postings, 0), t.gram LIMIT 1"
        )
        postings = f"SELECT p.rank FROM account_gram AS p WHERE p.gram = ({rarest})"
    return (
        f"SELECT {columns} FROM ({postings} AND p.rank {beyond} {start} "
        f"AND p.rank {before_end} {param} ORDER BY p.rank{direction} OFFSET 0) AS p "
        "CROSS JOIN LATERAL "
        "(SELECT * FROM account AS a WHERE a.search_rank = p.rank OFFSET 0) AS a "
        f"WHERE a.kind = {param} AND a.left_at IS NULL AND {_haystack_matches(param)} "
        f"ORDER BY p.rank{direction} LIMIT {param}"
    )
