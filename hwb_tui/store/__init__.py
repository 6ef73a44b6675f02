"""Persistence through Peewee: the database, its models and its migrations."""

import sys

# Peewee imports psycopg, when installed, as it is itself imported: a tenth of a second that a
# SQLite session never needs. Hidden from Peewee here, it is handed over when a PostgreSQL
# database is opened (db.connect). This package is imported before anything imports Peewee,
# since services take Peewee's names through the store.
if "peewee" not in sys.modules and "psycopg" not in sys.modules:
    sys.modules["psycopg"] = None  # type: ignore[assignment]  # import psycopg: ImportError
    try:
        import peewee  # noqa: F401
    finally:
        del sys.modules["psycopg"]
