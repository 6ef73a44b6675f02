"""PostgreSQL's search index keyed by each account's place in its list (store/search_ranks.py).

0007's pg_trgm GIN index finds a search's matches in no particular order, so a search had to
fetch all of them to sort them (13,000 for "Jones"). Here PostgreSQL gets SQLite's ranks (0008)
and `account_gram`: one row per trigram of an account's searched values and its rank, whose
primary key lists each trigram's accounts in list order. SQLite is unchanged.

Each value is indexed lower-cased (as ILIKE compares) with U+001F after it, so every two
letters of a value, even at its end, begin one of its trigrams: a two-letter search reads the
index too. `account_gram_count` says how many accounts hold each trigram; a search walks the
postings of its rarest one. 0007's GIN index, which no search uses any more, is dropped.
"""

from peewee import PostgresqlDatabase

from hwb_tui.store.search_ranks import (
    IN_BULK,
    INDEXED_VALUES,
    PLACING_LOCK,
    create_account_grams,
    placement_sql,
    renumber,
)

# 0007's index, as it made it (frozen here, for going back down).
PG_HAYSTACK = (
    "(surname || E'\\x1f' || forename || E'\\x1f' || username || E'\\x1f' "
    "|| coalesce(admission_number, ''))"
)

_NAMED = "kind, surname, forename, username"
_INDEXED = "surname, forename, username, admission_number"


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql("DROP INDEX account_search_trigram")
    db.execute_sql("ALTER TABLE account ADD COLUMN search_rank bigint")
    db.execute_sql("CREATE UNIQUE INDEX account_search_rank ON account (search_rank)")
    # The accounts still waiting for a rank, in list order: every search reads them too.
    db.execute_sql(
        "CREATE INDEX account_unranked ON account (kind, surname, forename, username) "
        "WHERE search_rank IS NULL"
    )
    # COLLATE "C": trigrams in code point order, so those that begin with two letters are one
    # range of the key.
    db.execute_sql(
        'CREATE TABLE account_gram (gram text COLLATE "C" NOT NULL, rank bigint NOT NULL, '
        "CONSTRAINT account_gram_pkey PRIMARY KEY (gram, rank))"
    )
    db.execute_sql(
        'CREATE TABLE account_gram_count (gram text COLLATE "C" PRIMARY KEY, '
        "postings integer NOT NULL)"
    )
    # An account's trigrams: of each value, lower-cased, with U+001F after it.
    create_account_grams(db, terminator_length=1)
    # A search term's trigrams, lower-cased as the index is (three letters or more).
    db.execute_sql(
        "CREATE FUNCTION term_grams(term text) RETURNS SETOF text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
        "SELECT DISTINCT substr(lower(term), i, 3) FROM generate_series(1, length(term) - 2) "
        "AS i $$"
    )
    # A new or renamed account takes the rank between its neighbours' (NULL when they are
    # adjacent). Before the row is written, so it is written once; a renamed account's old
    # version may be its own neighbour, which is harmless: that rank goes with it. Writers
    # place accounts one at a time, or two could take the same free rank. Both triggers stand
    # aside while a transaction writes accounts in bulk (search_ranks.accounts_in_bulk), which
    # places and indexes them all at once afterwards.
    unchanged = " AND ".join(
        f"new.{column} IS NOT DISTINCT FROM old.{column}" for column in _NAMED.split(", ")
    )
    db.execute_sql(
        "CREATE FUNCTION account_rank_place() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF {IN_BULK} OR (tg_op = 'UPDATE' AND {unchanged}) THEN RETURN new; END IF; "
        f"PERFORM pg_advisory_xact_lock({PLACING_LOCK}); "
        f"new.search_rank := {placement_sql('new')}; "
        "RETURN new; END $$"
    )
    db.execute_sql(
        f"CREATE TRIGGER account_rank_place BEFORE INSERT OR UPDATE OF {_NAMED} ON account "
        "FOR EACH ROW EXECUTE FUNCTION account_rank_place()"
    )
    # Whenever an account's rank or searched values change, its postings follow (a new kind
    # is a new rank, set by the trigger above, which is why kind is watched too).
    same = " AND ".join(
        f"new.{column} IS NOT DISTINCT FROM old.{column}"
        for column in ("search_rank", *_INDEXED.split(", "))
    )
    db.execute_sql(
        "CREATE FUNCTION account_gram_index() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF {IN_BULK} OR (tg_op = 'UPDATE' AND {same}) THEN RETURN NULL; END IF; "
        "IF tg_op <> 'INSERT' AND old.search_rank IS NOT NULL THEN "
        "DELETE FROM account_gram WHERE rank = old.search_rank AND gram IN "
        f"(SELECT account_grams({INDEXED_VALUES.format(row='old')})); END IF; "
        "IF tg_op <> 'DELETE' AND new.search_rank IS NOT NULL THEN "
        "INSERT INTO account_gram (gram, rank) SELECT g, new.search_rank "
        f"FROM account_grams({INDEXED_VALUES.format(row='new')}) AS g; END IF; "
        "RETURN NULL; END $$"
    )
    db.execute_sql(
        "CREATE TRIGGER account_gram_index "
        f"AFTER INSERT OR DELETE OR UPDATE OF kind, search_rank, {_INDEXED} ON account "
        "FOR EACH ROW EXECUTE FUNCTION account_gram_index()"
    )
    # Accounts written before this migration; the function is the one later repairs use.
    renumber(db)


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql("DROP TRIGGER account_gram_index ON account")
    db.execute_sql("DROP TRIGGER account_rank_place ON account")
    for function in ("account_gram_index()", "account_rank_place()", "term_grams(text)",
                     "account_grams(text[])"):  # fmt: skip
        db.execute_sql(f"DROP FUNCTION {function}")
    db.execute_sql("DROP TABLE account_gram_count")
    db.execute_sql("DROP TABLE account_gram")
    db.execute_sql("DROP INDEX account_unranked")
    db.execute_sql("DROP INDEX account_search_rank")
    db.execute_sql("ALTER TABLE account DROP COLUMN search_rank")
    db.execute_sql(
        f"CREATE INDEX account_search_trigram ON account USING gin ({PG_HAYSTACK} gin_trgm_ops)"
    )
