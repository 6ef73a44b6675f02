"""Key rotation: every copy re-sealed in one transaction, the old key retired, and a rotation cut
short at any point (SIGKILL) leaves a key that opens everything."""

from __future__ import annotations

import os
import random
import stat
from pathlib import Path

import pytest

from hwb_tui.domain.errors import PermissionDenied
from hwb_tui.services.crypto import Sealer, read_key_file, write_new_key_file
from hwb_tui.services.hwb import Hwb
from hwb_tui.services.key_files import pending_key_path
from hwb_tui.store.models import Account, AuditRecord
from tests.population import build_population
from tests.robustness import assert_database_sound, kill_at_random, run_child, start_child

ADMIN = "admin.hwb"
TEACHER = "staff.s1"


@pytest.fixture
def population(hwb):
    return build_population(hwb)


def stored_passwords(key_file: Path) -> dict[str, str]:
    """Every stored copy opened with the key now at key_file (raises if one does not open)."""
    sealer = Sealer(read_key_file(key_file))
    return {
        row.username: sealer.open_password(row.id, bytes(row.sealed_password))
        for row in Account.select().where(Account.sealed_password.is_null(False))
    }


def expected_passwords(population) -> dict[str, str]:
    return {name: person.password for name, person in population.people.items()}


def retired_keys(key_file: Path) -> list[Path]:
    return sorted(key_file.parent.glob(key_file.name + ".retired-*"))


def test_rotation_reseals_every_copy_and_retires_the_old_key(hwb, settings, population):
    old_key = read_key_file(settings.key_file)
    result = hwb.keys.rotate(hwb.users.actor(ADMIN))
    assert result.resealed == len(population.people)
    assert result.damaged == 0
    assert read_key_file(settings.key_file) != old_key
    assert stored_passwords(settings.key_file) == expected_passwords(population)
    [retired] = retired_keys(settings.key_file)
    assert retired == result.retired_key
    assert read_key_file(retired) == old_key
    for path in (settings.key_file, retired):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not pending_key_path(settings.key_file).exists()
    teacher = hwb.users.actor(TEACHER)
    assert hwb.passwords.reveal(teacher, "learner.s1") == population.password("learner.s1")
    [record] = AuditRecord.select().where(AuditRecord.action == "rotate-key")
    assert record.actor == ADMIN


def test_only_an_administrator_rotates_and_a_refusal_changes_nothing(hwb, settings, population):
    old_key = read_key_file(settings.key_file)
    with pytest.raises(PermissionDenied):
        hwb.keys.rotate(hwb.users.actor("champion.s1"))
    assert read_key_file(settings.key_file) == old_key
    assert not retired_keys(settings.key_file)
    assert stored_passwords(settings.key_file) == expected_passwords(population)


def test_a_session_opened_before_a_rotation_follows_the_new_key(hwb, settings, population):
    teacher = hwb.users.actor(TEACHER)
    hwb.passwords.reveal(teacher, "learner.s1")  # the old key is loaded in this session
    run_child(settings, "hwb.keys.rotate(hwb.users.actor('admin.hwb'))")
    assert hwb.passwords.reveal(teacher, "learner.s1") == population.password("learner.s1")
    result = hwb.passwords.reset(teacher, "learner.s1", "Newydd2026x")
    assert stored_passwords(settings.key_file)["learner.s1"] == result.password


def test_the_store_refuses_a_copy_sealed_under_the_retired_key(hwb, settings, population):
    stale = Sealer(read_key_file(settings.key_file))  # a session that missed the rotation
    hwb.keys.rotate(hwb.users.actor(ADMIN))
    row = Account.get(Account.username == "learner.s1")
    with pytest.raises(Exception, match="retired key"), hwb.context.db.atomic():
        Account.update(sealed_password=stale.seal_password(row.id, "Hen2026x")).where(
            Account.id == row.id
        ).execute()
    assert stored_passwords(settings.key_file)["learner.s1"] == population.password("learner.s1")


# -- a rotation cut short -------------------------------------------------------------------


def reopen(settings) -> Hwb:
    return Hwb.open(settings)


def test_a_new_key_the_database_never_used_is_removed(hwb, settings, population):
    hwb.context.sealer  # noqa: B018 - the key check exists
    pending = pending_key_path(settings.key_file)
    write_new_key_file(pending)  # killed after writing the new key, before the commit
    hwb.close()
    with reopen(settings) as again:
        assert again.passwords.reveal(again.users.actor(TEACHER), "learner.s1")
    assert not pending.exists()
    assert stored_passwords(settings.key_file) == expected_passwords(population)


def test_a_half_written_new_key_is_removed(hwb, settings, population):
    hwb.context.sealer  # noqa: B018
    pending = pending_key_path(settings.key_file)
    pending.write_text("hwb-tui key v1\n")  # killed while writing it
    hwb.close()
    with reopen(settings) as again:
        assert again.passwords.reveal(again.users.actor(TEACHER), "learner.s1")
    assert not pending.exists()


@pytest.mark.parametrize("old_key_still_in_place", [True, False])
def test_a_committed_rotation_finishes_its_file_swap_on_the_next_start(
    hwb, settings, population, old_key_still_in_place
):
    hwb.keys.rotate(hwb.users.actor(ADMIN))
    hwb.close()
    # Put the files back as they were between the commit and the swap.
    [retired] = retired_keys(settings.key_file)
    os.replace(settings.key_file, pending_key_path(settings.key_file))
    if old_key_still_in_place:
        os.replace(retired, settings.key_file)
    with reopen(settings) as again:
        teacher = again.users.actor(TEACHER)
        assert again.passwords.reveal(teacher, "learner.s1") == population.password("learner.s1")
    assert not pending_key_path(settings.key_file).exists()
    assert len(retired_keys(settings.key_file)) == 1
    assert stored_passwords(settings.key_file) == expected_passwords(population)


def test_sigkill_at_random_points_of_rotations_leaves_a_key_that_opens_everything(
    hwb, settings, population
):
    hwb.context.sealer  # noqa: B018
    hwb.close()
    rng = random.Random(20261128)
    for _ in range(6):
        child = start_child(settings, "while True: hwb.keys.rotate(hwb.users.actor('admin.hwb'))")
        kill_at_random(child, rng, longest=0.5)
        with reopen(settings) as again:
            assert_database_sound(again)
            teacher = again.users.actor(TEACHER)
            assert again.passwords.reveal(teacher, "learner.s1") == population.password(
                "learner.s1"
            )
            assert stored_passwords(settings.key_file) == expected_passwords(population)
        assert not pending_key_path(settings.key_file).exists()
    assert retired_keys(settings.key_file), "no rotation finished: the kills came too early"
