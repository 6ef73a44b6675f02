"""Sign-in throttling kept in the database, lifting locks, and re-authentication."""

from __future__ import annotations

import dataclasses

import pytest

from hwb_tui.domain.audit import AuditAction
from hwb_tui.domain.errors import (
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    SignInThrottled,
)
from hwb_tui.services.config import SecurityParams, Settings
from hwb_tui.services.hwb import Hwb
from hwb_tui.store.models import AuditRecord, SignInThrottle
from tests.population import build_population

LEARNER = "learner.s1"
WRONG = "Anghywir999"


@pytest.fixture
def population(hwb):
    return build_population(hwb)


def services(hwb: Hwb, origin: str = "ssh:192.0.2.10", **security) -> Hwb:
    """The same database seen from one origin, with its own throttling settings."""
    context = hwb.context
    params = dataclasses.replace(SecurityParams(), **security)
    context.settings = dataclasses.replace(context.settings, origin=origin, security=params)
    return Hwb(context)


def fail(hwb: Hwb, username: str, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationFailed):
            hwb.passwords.sign_in(username, WRONG)


def actions(target: str) -> list[str]:
    return [
        row.action
        for row in AuditRecord.select().where(AuditRecord.target == target).order_by(AuditRecord.id)
    ]


def test_a_failure_makes_the_next_attempt_wait_even_with_the_right_password(hwb, population):
    here = services(hwb, first_delay_seconds=60, max_delay_seconds=600)
    fail(here, LEARNER)
    with pytest.raises(SignInThrottled, match="wait 60 seconds") as refused:
        here.passwords.sign_in(LEARNER, population.password(LEARNER))
    assert refused.value.wait_seconds == 60
    assert actions(LEARNER) == ["sign-in-failed", "sign-in-refused"]


def test_the_wait_doubles_up_to_its_ceiling(hwb, population):
    here = services(hwb, first_delay_seconds=0, max_delay_seconds=0, max_failures=99)
    fail(here, LEARNER, times=4)
    slower = services(hwb, first_delay_seconds=10, max_delay_seconds=60, max_failures=99)
    assert slower.throttle.wait_seconds(LEARNER) == 60  # 10 * 2**3 = 80, capped at 60
    fail(services(hwb, first_delay_seconds=0, max_delay_seconds=0, max_failures=99), LEARNER)
    assert (
        services(hwb, first_delay_seconds=1, max_delay_seconds=3600).throttle.wait_seconds(LEARNER)
        == 16
    )  # five failures: 1 * 2**4


def test_repeated_failures_lock_the_origin_and_are_audited(hwb, population):
    here = services(hwb, first_delay_seconds=0, max_failures=3, lock_seconds=900)
    fail(here, LEARNER, times=3)
    with pytest.raises(SignInThrottled, match="locked for 15 more minutes"):
        here.passwords.sign_in(LEARNER, population.password(LEARNER))
    assert actions(LEARNER) == [
        "sign-in-failed",
        "sign-in-failed",
        "sign-in-failed",
        "sign-in-locked",
        "sign-in-refused",
    ]


def test_a_stranger_cannot_lock_the_user_out_of_their_own_origin(hwb, population):
    stranger = services(hwb, origin="ssh:198.51.100.7", first_delay_seconds=0, max_failures=3)
    fail(stranger, LEARNER, times=3)
    with pytest.raises(SignInThrottled):
        stranger.passwords.sign_in(LEARNER, population.password(LEARNER))
    owner = services(hwb, origin="ssh:192.0.2.10", first_delay_seconds=0, max_failures=3)
    assert owner.passwords.sign_in(LEARNER, population.password(LEARNER)).username == LEARNER


def test_unknown_usernames_are_throttled_with_the_same_words(hwb, population):
    here = services(hwb, first_delay_seconds=0, max_failures=2)
    messages = []
    for username in (LEARNER, "nobody.at.all"):
        fail(here, username, times=2)
        with pytest.raises(SignInThrottled) as refused:
            here.passwords.sign_in(username, WRONG)
        messages.append(str(refused.value))
    assert messages[0] == messages[1]


def test_a_right_password_clears_the_count(hwb, population):
    here = services(hwb, first_delay_seconds=0, max_failures=3)
    fail(here, LEARNER, times=2)
    here.passwords.sign_in(LEARNER, population.password(LEARNER))
    assert SignInThrottle.select().count() == 0
    fail(here, LEARNER, times=2)  # two more do not lock: the count started again


def test_a_lock_ends_by_itself(hwb, population):
    here = services(hwb, first_delay_seconds=0, max_failures=2, lock_seconds=0)
    fail(here, LEARNER, times=2)
    assert here.passwords.sign_in(LEARNER, population.password(LEARNER)).username == LEARNER


def test_the_users_digital_champion_lifts_the_lock_from_every_origin(hwb, population):
    for origin in ("ssh:198.51.100.7", "ssh:203.0.113.9"):
        fail(services(hwb, origin=origin, first_delay_seconds=0, max_failures=2), LEARNER, 2)
    here = services(hwb, origin="ssh:203.0.113.9", first_delay_seconds=0, max_failures=2)
    champion = here.users.actor("champion.s1")
    assert len(here.throttle.locks(champion, LEARNER)) == 2
    assert here.throttle.unlock(champion, LEARNER) == 2
    assert here.passwords.sign_in(LEARNER, population.password(LEARNER)).username == LEARNER
    assert "sign-in-unlocked" in actions(LEARNER)


@pytest.mark.parametrize("who", ["staff.s1", "champion.s2", "learner.s1"])
def test_only_the_schools_champion_or_an_administrator_lifts_a_lock(hwb, population, who):
    here = services(hwb, first_delay_seconds=0, max_failures=1)
    fail(here, LEARNER)
    with pytest.raises(PermissionDenied):
        here.throttle.unlock(here.users.actor(who), LEARNER)
    assert SignInThrottle.select().count() == 1
    assert here.throttle.unlock(here.users.actor("admin.hwb"), LEARNER) == 1


def test_unlocking_a_user_who_does_not_exist_says_so_and_changes_nothing(hwb, population):
    here = services(hwb, first_delay_seconds=0)
    fail(here, "nobody.at.all")
    with pytest.raises(NotFound):
        here.throttle.unlock(here.users.actor("admin.hwb"), "nobody.at.all")
    assert SignInThrottle.select().count() == 1


def test_throttle_settings_come_from_the_environment(tmp_path):
    env = {"HWB_SIGN_IN_MAX_FAILURES": "7", "HWB_SIGN_IN_LOCK_SECONDS": "60"}
    settings = Settings.resolve(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "k", env=env)
    assert (settings.security.max_failures, settings.security.lock_seconds) == (7, 60)
    for bad in ("soon", "-1"):
        with pytest.raises(Exception, match="HWB_REAUTH_SECONDS"):
            Settings.resolve(None, tmp_path / "k", env={"HWB_REAUTH_SECONDS": bad})


# -- re-authentication -------------------------------------------------------------------------


def test_a_forced_session_must_confirm_before_a_sensitive_action(hwb, population):
    teacher = hwb.passwords.start_forced_session("staff.s1")
    assert hwb.passwords.requires_reauth(teacher)
    hwb.passwords.confirm_identity(teacher, population.password("staff.s1"))
    assert not hwb.passwords.requires_reauth(teacher)
    assert actions("staff.s1")[-1] == str(AuditAction.REAUTHENTICATE)


def test_a_sign_in_counts_as_a_confirmation_until_it_grows_old(hwb, population):
    here = services(hwb, reauth_seconds=300)
    teacher = here.passwords.sign_in("staff.s1", population.password("staff.s1"))
    assert not here.passwords.requires_reauth(teacher)
    at_once = services(hwb, reauth_seconds=0)
    teacher = at_once.passwords.sign_in("staff.s1", population.password("staff.s1"))
    assert at_once.passwords.requires_reauth(teacher)


def test_a_wrong_confirmation_is_refused_and_throttled(hwb, population):
    here = services(hwb, first_delay_seconds=60, max_delay_seconds=600)
    teacher = here.passwords.start_forced_session("staff.s1")
    with pytest.raises(AuthenticationFailed):
        here.passwords.confirm_identity(teacher, WRONG)
    with pytest.raises(SignInThrottled):
        here.passwords.confirm_identity(teacher, population.password("staff.s1"))
    assert here.passwords.requires_reauth(teacher)


# -- check-password ------------------------------------------------------------------------------


def test_checking_a_password_is_throttled_and_recorded_like_a_sign_in(hwb, population):
    here = services(hwb, first_delay_seconds=60, max_delay_seconds=600)
    right = population.password(LEARNER)
    assert here.passwords.check(LEARNER, right)
    assert not here.passwords.check(LEARNER, WRONG)
    with pytest.raises(SignInThrottled, match="wait 60 seconds"):
        here.passwords.check(LEARNER, right)
    assert actions(LEARNER) == ["password-check", "sign-in-failed", "sign-in-refused"]


def test_a_right_check_does_not_confirm_the_session(hwb, population):
    teacher = hwb.passwords.start_forced_session("staff.s1")
    assert hwb.passwords.check("staff.s1", population.password("staff.s1"))
    assert hwb.passwords.requires_reauth(teacher)


def test_a_check_refuses_someone_who_has_left(hwb, population):
    from hwb_tui.store.models import Account, utc_now

    Account.update(left_at=utc_now()).where(Account.username == LEARNER).execute()
    assert not hwb.passwords.check(LEARNER, population.password(LEARNER))
