"""What the database holds, read by tests without going through a service."""

from __future__ import annotations

from hwb_tui.services.hwb import Hwb
from hwb_tui.store.models import Account


def password_is(hwb: Hwb, username: str, password: str) -> bool:
    """Whether `password` is the user's, checked against the stored hash. The service's own
    check is recorded and throttled like a sign-in, which a test's look must not be."""
    row = Account.get_or_none(Account.username == username)
    return hwb.context.hasher.verify(row.password_hash if row else None, password)
