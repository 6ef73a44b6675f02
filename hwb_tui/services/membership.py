"""Open and closed accounts: who left the MIS, and which non-MIS accounts have expired."""

from __future__ import annotations

import datetime as dt

from hwb_tui.domain.errors import PermissionDenied
from hwb_tui.domain.membership import closed_reason
from hwb_tui.store.models import Account


def today() -> dt.date:
    """The school's calendar day: end dates are days at the school, so local time."""
    return dt.date.today()


def reason_closed(row: Account) -> str:
    return closed_reason(row.left_at, row.expires_on, today())


def is_open(row: Account) -> bool:
    return not reason_closed(row)


def require_open(row: Account) -> Account:
    """The account, if it may still sign in or act; a clear refusal otherwise."""
    reason = reason_closed(row)
    if reason:
        raise PermissionDenied(reason)
    return row


def still_listed():
    """The condition that keeps people who have left out of every list."""
    return Account.left_at.is_null()
