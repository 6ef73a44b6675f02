"""Whether an account is still open: people who left the MIS, and non-MIS end dates."""

from __future__ import annotations

import calendar
import datetime as dt
from enum import StrEnum

from hwb_tui.domain.i18n import N_, _

SCHOOL_YEAR_LAST_MONTH = 8  # the Welsh school year ends on 31 August
SCHOOL_YEAR_LAST_DAY = 31


class EndChoice(StrEnum):
    """How long a non-MIS account lasts: 1, 3 or 6 months, or to the end of the school year."""

    ONE_MONTH = "1m"
    THREE_MONTHS = "3m"
    SIX_MONTHS = "6m"
    SCHOOL_YEAR = "school-year"


END_CHOICE_LABELS = {
    EndChoice.ONE_MONTH: N_("1 month"),
    EndChoice.THREE_MONTHS: N_("3 months"),
    EndChoice.SIX_MONTHS: N_("6 months"),
    EndChoice.SCHOOL_YEAR: N_("to the end of the school year (31 August)"),
}
_MONTHS = {EndChoice.ONE_MONTH: 1, EndChoice.THREE_MONTHS: 3, EndChoice.SIX_MONTHS: 6}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later, or that month's last day (31 Jan + 1 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_of_school_year(day: dt.date) -> dt.date:
    """31 August of the school year that `day` falls in."""
    last = dt.date(day.year, SCHOOL_YEAR_LAST_MONTH, SCHOOL_YEAR_LAST_DAY)
    return last if day <= last else last.replace(year=day.year + 1)


def end_date(choice: EndChoice, start: dt.date) -> dt.date:
    if choice is EndChoice.SCHOOL_YEAR:
        return end_of_school_year(start)
    return add_months(start, _MONTHS[choice])


def is_expired(expires_on: dt.date | None, today: dt.date) -> bool:
    """An account is open to the end of its last day."""
    return expires_on is not None and today > expires_on


def closed_reason(left_at: dt.datetime | None, expires_on: dt.date | None, today: dt.date) -> str:
    """Why an account can no longer sign in, or "" when it can."""
    if left_at is not None:
        return _("This account is closed: the school's records say this person has left.")
    if is_expired(expires_on, today):
        return _("This account expired on {day}; a Digital Champion can extend it.").format(
            day=expires_on.isoformat()
        )
    return ""
