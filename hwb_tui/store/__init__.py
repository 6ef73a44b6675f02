"""Persistence through Peewee: the database, its models and its migrations."""
