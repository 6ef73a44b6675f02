"""A school of one's own for a benchmark: the school and the member of staff who acts in it."""

from __future__ import annotations

from hwb_tui.domain.model import Kind, PasswordStatus, Phase
from hwb_tui.store.models import Account, School


def create_school_with_operator(code: str, operator: str) -> int:
    """The new school's id. Call inside the benchmark's own transaction."""
    school = School.create(code=code, name="Ysgol Meincnod", phase=str(Phase.SECONDARY))
    Account.create(
        username=operator,
        forename="Siân",
        surname="Athro",
        kind=str(Kind.STAFF),
        school=school.id,
        password_status=str(PasswordStatus.UNAVAILABLE),
    )
    return school.id
