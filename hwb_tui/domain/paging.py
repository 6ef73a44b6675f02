"""Pages of a user list, found by the key of a row rather than by a row number."""

from __future__ import annotations

from dataclasses import dataclass

from hwb_tui.domain.model import UserSummary

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class PageKey:
    """Where a row sits in a list: lists are ordered by surname, forename, then username."""

    surname: str
    forename: str
    username: str

    @classmethod
    def of(cls, row: UserSummary) -> PageKey:
        return cls(row.surname, row.forename, row.username)


@dataclass(frozen=True, slots=True)
class Page:
    """Consecutive rows of a list, in list order, and whether the list goes on either side."""

    rows: tuple[UserSummary, ...]
    has_before: bool
    has_after: bool

    @property
    def first_key(self) -> PageKey | None:
        return PageKey.of(self.rows[0]) if self.rows else None

    @property
    def last_key(self) -> PageKey | None:
        return PageKey.of(self.rows[-1]) if self.rows else None
