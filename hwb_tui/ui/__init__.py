"""The Textual app: screens, modals and widgets. Never imports Peewee."""
