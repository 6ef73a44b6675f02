"""Domain errors. Messages never carry a password, hash or sealed copy."""

from __future__ import annotations

from collections.abc import Sequence

from hwb_tui.domain.i18n import _


class HwbError(Exception):
    """Base of every error a user may be shown."""

    exit_code = 1


class PermissionDenied(HwbError):
    exit_code = 3


class NotFound(HwbError):
    exit_code = 4


class PasswordUnavailable(HwbError):
    """No stored copy can be shown: the status is "-" or "User changed password"."""

    exit_code = 4


class InvalidInput(HwbError):
    exit_code = 5


class PolicyViolation(InvalidInput):
    """A password that does not meet the Hwb password policy."""

    def __init__(self, failures: Sequence[str]) -> None:
        self.failures = tuple(failures)
        super().__init__(
            _("The password does not meet the Hwb password policy: {rules}.").format(
                rules="; ".join(self.failures)
            )
        )


class AuthenticationFailed(HwbError):
    """Wrong username or password; deliberately does not say which."""

    exit_code = 1

    def __init__(self) -> None:
        super().__init__(_("The username or password is incorrect."))


class SignInThrottled(HwbError):
    """Too many failed sign-ins from here: wait. Said alike whether or not the user exists."""

    exit_code = 1

    def __init__(self, message: str, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(message)


class KeyProblem(HwbError):
    """The key file that opens stored copies is missing, unreadable or wrong."""

    exit_code = 1


class StoreProblem(HwbError):
    """The database cannot be opened or used (not a user mistake)."""

    exit_code = 1
