"""Signing in, revealing, resetting and changing passwords, and the audit trail they leave."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PasswordUnavailable,
    PermissionDenied,
    PolicyViolation,
    StoreProblem,
)
from hwb_tui.domain.model import PasswordStatus
from hwb_tui.domain.policy import unmet_rules
from hwb_tui.domain.rights import Download
from hwb_tui.services.config import Settings
from hwb_tui.store.models import Account, AuditRecord
from tests.credential_files import break_audit_trail
from tests.population import Population, build_population
from tests.stored import password_is

SSH_CLIENT = "203.0.113.7"
TEACHER = "staff.s1"
LEARNER = "learner.s1"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """As over SSH, so every audit record must carry the client's address."""
    env = {**os.environ, "SSH_CONNECTION": f"{SSH_CLIENT} 50022 192.0.2.1 22"}
    return Settings.resolve(database_url, tmp_path / "hwb.key", env=env)


@pytest.fixture
def population(hwb) -> Population:
    return build_population(hwb)


def audit_rows() -> list[AuditRecord]:
    return list(AuditRecord.select().order_by(AuditRecord.id))


def new_records(before: int) -> list[AuditRecord]:
    return audit_rows()[before:]


def the_one_record(before: int) -> AuditRecord:
    records = new_records(before)
    assert len(records) == 1, [(r.action, r.target) for r in records]
    return records[0]


def account(username: str) -> Account:
    return Account.get(Account.username == username)


# -- each action writes one record: who, what, to whom, when and from where -----------------------


def test_sign_in_and_failed_sign_in_are_recorded(hwb, population):
    before = len(audit_rows())
    actor = hwb.passwords.sign_in(LEARNER, population.password(LEARNER))
    assert actor.username == LEARNER
    record = the_one_record(before)
    assert (record.actor, record.action, record.target) == (LEARNER, "sign-in", LEARNER)
    assert record.origin == f"ssh:{SSH_CLIENT}"
    assert record.at is not None

    for username in (LEARNER, "nobody.here"):
        before = len(audit_rows())
        with pytest.raises(AuthenticationFailed, match="username or password is incorrect"):
            hwb.passwords.sign_in(username, "Wrong-password-1")
        record = the_one_record(before)
        assert (record.actor, record.action, record.target) == (None, "sign-in-failed", username)
        assert record.origin == f"ssh:{SSH_CLIENT}"


@pytest.mark.parametrize("purpose", [AuditAction.REVEAL, AuditAction.COPY, AuditAction.PRINT])
def test_each_reveal_is_recorded_with_its_purpose(hwb, population, purpose):
    before = len(audit_rows())
    shown = hwb.passwords.reveal(hwb.users.actor(TEACHER), LEARNER, purpose)
    assert shown == population.password(LEARNER)
    record = the_one_record(before)
    assert (record.actor, record.action, record.target) == (TEACHER, str(purpose), LEARNER)
    assert record.school_id == population.school_ids["s1"]
    assert record.origin == f"ssh:{SSH_CLIENT}"


def test_rights_are_checked_before_the_status_is_told(hwb, population):
    """Someone who may not see a password does not learn whether there is one."""
    Account.update(password_status=str(PasswordStatus.UNAVAILABLE), sealed_password=None).where(
        Account.username == "champion.s1"
    ).execute()
    with pytest.raises(PermissionDenied):
        hwb.passwords.reveal(hwb.users.actor(TEACHER), "champion.s1")


def test_a_row_marked_available_without_a_copy_says_it_must_be_reset(hwb, population):
    Account.update(sealed_password=None).where(Account.username == LEARNER).execute()
    with pytest.raises(PasswordUnavailable, match=r"No password to show: - \(it must be reset\)"):
        hwb.passwords.reveal(hwb.users.actor(TEACHER), LEARNER)


def test_a_reveal_for_another_purpose_is_refused(hwb, population):
    with pytest.raises(InvalidInput):
        hwb.passwords.reveal(hwb.users.actor(TEACHER), LEARNER, AuditAction.DOWNLOAD)


def test_reset_self_change_and_download_are_recorded(hwb, population, tmp_path):
    teacher = hwb.users.actor(TEACHER)
    before = len(audit_rows())
    hwb.passwords.reset(teacher, LEARNER)
    record = the_one_record(before)
    assert (record.actor, record.action, record.target, record.detail) == (
        TEACHER,
        "reset",
        LEARNER,
        "generated",
    )

    before = len(audit_rows())
    hwb.passwords.change_own(teacher, "Athro Newydd 5")
    record = the_one_record(before)
    assert (record.actor, record.action, record.target) == (TEACHER, "self-change", TEACHER)

    before = len(audit_rows())
    hwb.exports.download(teacher, Download.ALL_PUPILS, tmp_path / "pupils.csv")
    record = the_one_record(before)
    assert (record.actor, record.action) == (TEACHER, "download")
    assert record.school_id == population.school_ids["s1"]
    assert "All Pupils" in record.detail
    for record in new_records(0):
        assert record.origin == f"ssh:{SSH_CLIENT}"


def test_no_password_hash_or_sealed_copy_reaches_the_audit_trail(hwb, population, tmp_path):
    admin = hwb.users.actor("admin.hwb")
    secrets_seen = [p.password for p in population.people.values()]
    hwb.passwords.sign_in(LEARNER, population.password(LEARNER))
    with pytest.raises(AuthenticationFailed):
        hwb.passwords.sign_in(LEARNER, "Nearly-right-1")
    secrets_seen.append("Nearly-right-1")
    secrets_seen.append(hwb.passwords.reset(admin, LEARNER).password)
    hwb.passwords.reset(admin, "staff.p1", "Typed Password 9")
    secrets_seen.append("Typed Password 9")
    for purpose in (AuditAction.REVEAL, AuditAction.COPY, AuditAction.PRINT):
        hwb.passwords.reveal(admin, LEARNER, purpose)
    hwb.passwords.change_own(hwb.users.actor("governor.s1"), "Llywodraethwr 7")
    secrets_seen.append("Llywodraethwr 7")
    hwb.exports.download(
        admin, Download.ALL_STAFF, tmp_path / "staff.csv", population.school_ids["s1"]
    )
    for row in Account.select():
        secrets_seen.append(row.password_hash)
        if row.sealed_password is not None:
            sealed = bytes(row.sealed_password)
            secrets_seen += [sealed.hex(), sealed.decode("latin-1")]

    records = audit_rows()
    assert {r.action for r in records} >= {
        "sign-in",
        "sign-in-failed",
        "reset",
        "reveal",
        "copy",
        "print",
        "self-change",
        "download",
    }
    columns = [field.name for field in AuditRecord._meta.sorted_fields]
    for record in records:
        for column in columns:
            value = str(getattr(record, column))
            leaked = [secret for secret in secrets_seen if secret and secret in value]
            assert leaked == [], f"audit {record.action}.{column} holds a secret"


# -- the trail is append-only, and an action whose record cannot be written does not happen ------


def test_the_audit_trail_refuses_update_and_delete(hwb, population):
    hwb.passwords.reveal(hwb.users.actor(TEACHER), LEARNER)
    before = [(r.id, r.actor, r.action, r.target) for r in audit_rows()]
    db = hwb.context.db
    for statement in (
        "UPDATE audit_record SET actor = 'someone.else'",
        "DELETE FROM audit_record",
    ):
        with pytest.raises(Exception, match="append-only"), db.atomic():
            db.execute_sql(statement)
    with pytest.raises(Exception, match="append-only"), db.atomic():
        AuditRecord.delete().execute()
    assert [(r.id, r.actor, r.action, r.target) for r in audit_rows()] == before


def test_a_limit_gives_the_latest_records_oldest_first(hwb, population):
    admin = hwb.users.actor("admin.hwb")
    for username in ("learner.p1", "learner.p2", "learner.s1"):
        hwb.passwords.reveal(admin, username)
    latest = hwb.audit.entries(admin, limit=2)
    assert [entry.target for entry in latest] == ["learner.p2", "learner.s1"]
    for limit in (0, -1):
        with pytest.raises(InvalidInput, match="at least 1"):
            hwb.audit.entries(admin, limit=limit)


def test_without_an_audit_record_nothing_happens(hwb, population, tmp_path):
    teacher = hwb.users.actor(TEACHER)
    hwb.context.sealer  # noqa: B018 - the key is loaded (and its check written) beforehand
    break_audit_trail(hwb)
    learner_before = account(LEARNER)
    teacher_before = account(TEACHER)
    records_before = len(audit_rows())

    with pytest.raises(StoreProblem, match="audit record could not be written"):
        hwb.passwords.reveal(teacher, LEARNER)
    with pytest.raises(StoreProblem, match="audit record could not be written"):
        hwb.passwords.reset(teacher, LEARNER, "Never Stored 1")
    with pytest.raises(StoreProblem, match="audit record could not be written"):
        hwb.passwords.reset(teacher, LEARNER)
    with pytest.raises(StoreProblem, match="audit record could not be written"):
        hwb.passwords.change_own(teacher, "Never Stored 2")
    with pytest.raises(StoreProblem, match="audit record could not be written"):
        hwb.exports.download(teacher, Download.ALL_PUPILS, tmp_path / "pupils.csv")
    with pytest.raises(StoreProblem, match="audit record could not be written"):
        hwb.passwords.sign_in(LEARNER, population.password(LEARNER))

    for before in (learner_before, teacher_before):
        after = account(before.username)
        assert after.password_hash == before.password_hash
        assert bytes(after.sealed_password) == bytes(before.sealed_password)
        assert after.password_status == before.password_status
    # Checked against the stored hash directly: a password check is itself audited.
    stored = account(LEARNER).password_hash
    assert hwb.context.hasher.verify(stored, population.password(LEARNER))
    assert not hwb.context.hasher.verify(stored, "Never Stored 1")
    assert [path.name for path in tmp_path.iterdir() if "pupils" in path.name] == []
    assert len(audit_rows()) == records_before


# -- passwords are kept exactly as typed ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "  Spaced Out 42  ",
        "Cyfrinair Ŵŷ 2026",
        unicodedata.normalize("NFD", "Gwenllïan Ŵyn 7"),
        "x" * 100 + "Ab1",
    ],
)
def test_a_reset_password_is_kept_exactly(hwb, population, typed):
    admin = hwb.users.actor("admin.hwb")
    result = hwb.passwords.reset(admin, LEARNER, typed)
    assert (result.password, result.generated) == (typed, False)
    assert hwb.passwords.reveal(admin, LEARNER) == typed
    assert password_is(hwb, LEARNER, typed)
    assert not password_is(hwb, LEARNER, typed.strip()) or typed == typed.strip()
    assert not password_is(hwb, LEARNER, unicodedata.normalize("NFC", typed)) or (
        typed == unicodedata.normalize("NFC", typed)
    )
    assert hwb.passwords.sign_in(LEARNER, typed).username == LEARNER


def test_a_generated_reset_meets_the_policy_and_can_be_shown_again(hwb, population):
    teacher = hwb.users.actor(TEACHER)
    result = hwb.passwords.reset(teacher, LEARNER)
    assert result.generated and unmet_rules(result.password) == []
    assert hwb.passwords.reveal(teacher, LEARNER) == result.password
    assert account(LEARNER).password_status == PasswordStatus.AVAILABLE


def test_a_password_refused_by_the_policy_changes_nothing(hwb, population):
    teacher = hwb.users.actor(TEACHER)
    before = account(LEARNER)
    records_before = len(audit_rows())
    with pytest.raises(PolicyViolation) as refused:
        hwb.passwords.reset(teacher, LEARNER, "short")
    assert refused.value.failures == (
        "at least 8 characters",
        "an upper-case letter",
        "a number",
    )
    with pytest.raises(PolicyViolation, match="control"):
        hwb.passwords.change_own(teacher, "Abcdefg1\x1b[2J")
    assert account(LEARNER).password_hash == before.password_hash
    assert password_is(hwb, TEACHER, population.password(TEACHER))
    assert len(audit_rows()) == records_before


def test_an_unknown_user_is_not_found_and_changes_nothing(hwb, population):
    records_before = len(audit_rows())
    with pytest.raises(NotFound, match="no user"):
        hwb.passwords.reset(hwb.users.actor("admin.hwb"), "nobody.here")
    with pytest.raises(NotFound):
        hwb.passwords.reveal(hwb.users.actor("admin.hwb"), "nobody.here")
    with pytest.raises(NotFound):
        hwb.users.actor("nobody.here")
    assert len(audit_rows()) == records_before
    assert not hwb.passwords.check("nobody.here", "Anything1")


def test_after_a_self_change_the_status_is_user_changed_and_a_reset_makes_it_available(
    hwb, population
):
    learner = hwb.users.actor(LEARNER)
    hwb.passwords.change_own(learner, "Fy Nghyfrinair 3")
    assert account(LEARNER).password_status == PasswordStatus.USER_CHANGED
    assert account(LEARNER).sealed_password is None
    assert hwb.passwords.sign_in(LEARNER, "Fy Nghyfrinair 3").username == LEARNER
    result = hwb.passwords.reset(hwb.users.actor(TEACHER), LEARNER)
    assert account(LEARNER).password_status == PasswordStatus.AVAILABLE
    assert hwb.passwords.reveal(hwb.users.actor(TEACHER), LEARNER) == result.password
