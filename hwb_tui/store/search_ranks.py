"""SQLite's search index, kept in list order, so a search reads only the rows it shows.

A list is ordered by (surname, forename, username), and a search shows the first page of its
matches in that order. An index that hands matches over in some other order must fetch every
one of them to sort them: "Jones" is 13,000 people at national scale. So each account carries
a `search_rank`, an integer that grows with its place in its kind's list, and the FTS5 trigram
index is keyed by that rank: FTS5 returns matches in key order and stops after a page.

- Each kind has its own span of ranks (`KIND_SPAN` wide), so a kind's list is one rank range.
- Triggers (migration 0008) give a new or renamed account the rank half-way between its
  neighbours'. When there is no room between them its rank stays NULL: it is still found,
  because every search also reads the unranked matches (a partial index holds them) and merges
  the two by key. `renumber` spaces every rank out evenly again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from peewee import Database, SqliteDatabase

# The kinds in list order of their names: every Kind (tests/test_search_ranks.py checks).
RANKED_KINDS = ("governor", "hwb-admin", "learner", "non-mis", "staff")
KIND_SPAN = 1 << 52  # ranks of one kind: [base, base + KIND_SPAN)
RANK_SPACING = 1 << 24  # between neighbours after `renumber`: 24 halvings before none is left
# When more accounts than this wait for a rank, writes renumber every account (see `tidy`).
UNRANKED_LIMIT = 500

KIND_BASE_SQL = (
    "(CASE {kind} "
    + " ".join(f"WHEN '{kind}' THEN {(n + 1) * KIND_SPAN}" for n, kind in enumerate(RANKED_KINDS))
    + " END)"
)


def kind_range(kind: str) -> tuple[int, int]:
    """The ranks of `kind`'s accounts lie strictly inside this pair."""
    base = (RANKED_KINDS.index(kind) + 1) * KIND_SPAN
    return base, base + KIND_SPAN


def spaced_rank(kind: str, position: int) -> int:
    """The rank `renumber` gives the account at `position` (from 1) in `kind`'s list."""
    low, _high = kind_range(kind)
    return low + RANK_SPACING * position


def placement_sql(row: str) -> str:
    """The rank half-way between `row`'s ranked neighbours in its kind's list, or NULL if they
    are adjacent. `row` is the trigger's `new`; the row itself must be unranked."""
    base = KIND_BASE_SQL.format(kind=f"{row}.kind")
    key = f"({row}.surname, {row}.forename, {row}.username)"
    neighbour = (
        "(SELECT o.search_rank FROM account AS o WHERE o.kind = {row}.kind "
        "AND o.search_rank IS NOT NULL AND (o.surname, o.forename, o.username) {op} {key} "
        "ORDER BY o.surname {dir}, o.forename {dir}, o.username {dir} LIMIT 1)"
    )
    low = f"coalesce({neighbour.format(row=row, op='<', key=key, dir='DESC')}, {base})"
    after = neighbour.format(row=row, op=">", key=key, dir="ASC")
    high = f"coalesce({after}, {base} + {KIND_SPAN})"
    return (
        f"(SELECT CASE WHEN high - low >= 2 THEN low + (high - low) / 2 END "
        f"FROM (SELECT {low} AS low, {high} AS high))"
    )


def unranked_count(db: Database) -> int:
    return db.execute_sql("SELECT count(*) FROM account WHERE search_rank IS NULL").fetchone()[0]


def renumber(db: Database) -> None:
    """Every account's rank afresh, evenly spaced, and the search index rebuilt to match.

    Seconds at national scale; run inside the caller's transaction.
    """
    db.execute_sql("UPDATE account SET search_rank = NULL WHERE search_rank IS NOT NULL")
    # Indexing row by row as each rank is set costs several times one rebuild at the end, so
    # the trigger that does it is set aside meanwhile and put back from its own stored SQL.
    with set_aside_trigger(db, "account_rank_index"):
        db.execute_sql(
            "UPDATE account SET search_rank = ranked.rank FROM ("
            f"SELECT id, {KIND_BASE_SQL.format(kind='kind')} + {RANK_SPACING} * "
            "row_number() OVER (PARTITION BY kind ORDER BY surname, forename, username) AS rank "
            "FROM account) AS ranked WHERE account.id = ranked.id AND ranked.rank IS NOT NULL"
        )
        db.execute_sql("INSERT INTO account_search (account_search) VALUES ('rebuild')")


@contextmanager
def set_aside_trigger(db: Database, name: str) -> Iterator[None]:
    """The trigger dropped for the block and made again from its own stored SQL; inside a
    transaction, so a failure in the block rolls the drop back with the rest."""
    (sql,) = db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
    ).fetchone()
    db.execute_sql(f'DROP TRIGGER "{name}"')
    yield
    db.execute_sql(sql)


def tidy(db: Database) -> None:
    """Renumber once many accounts wait for a rank (a handful are found without one). For the
    end of a transaction that added or renamed accounts; PostgreSQL has no ranks."""
    if isinstance(db, SqliteDatabase) and unranked_count(db) > UNRANKED_LIMIT:
        renumber(db)
