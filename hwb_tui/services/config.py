"""Settings: where the database and key live, and how hard passwords are hashed."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from hwb_tui.domain.errors import InvalidInput
from hwb_tui.domain.i18n import _, explicit_language

APP_NAME = "hwb-tui"
DATABASE_FILE = "hwb.sqlite3"
KEY_FILE = "hwb.key"


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


@dataclass(frozen=True, slots=True)
class Argon2Params:
    """argon2-cffi's defaults (RFC 9106's second recommended option, low memory)."""

    time_cost: int = 3
    memory_cost: int = 65536
    parallelism: int = 4

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Argon2Params:
        defaults = cls()
        try:
            params = cls(
                time_cost=int(env.get("HWB_ARGON2_TIME_COST", defaults.time_cost)),
                memory_cost=int(env.get("HWB_ARGON2_MEMORY_COST", defaults.memory_cost)),
                parallelism=int(env.get("HWB_ARGON2_PARALLELISM", defaults.parallelism)),
            )
        except ValueError:
            raise InvalidInput(_("HWB_ARGON2_* settings must be whole numbers.")) from None
        # argon2 refuses these at the first hash; say so clearly before anything starts.
        if (
            min(params.time_cost, params.parallelism) < 1
            or params.memory_cost < 8 * params.parallelism
        ):
            raise InvalidInput(
                _(
                    "HWB_ARGON2_* settings are too small: time cost and parallelism at least 1, "
                    "memory cost at least 8 (KiB) per lane."
                )
            )
        return params


def _whole_number(env: Mapping[str, str], name: str, default: int) -> int:
    try:
        value = int(env.get(name, default))
    except ValueError:
        raise InvalidInput(_("{name} must be a whole number.").format(name=name)) from None
    if value < 0:
        raise InvalidInput(_("{name} must not be negative.").format(name=name))
    return value


@dataclass(frozen=True, slots=True)
class SecurityParams:
    """Sign-in throttling, re-authentication and the idle lock (HWB_* environment variables)."""

    max_failures: int = 5  # failed sign-ins in a row, from one origin, before a lock
    lock_seconds: int = 15 * 60
    first_delay_seconds: int = 1  # the wait after one failure; it doubles with each failure
    max_delay_seconds: int = 30
    reauth_seconds: int = 5 * 60  # a password given this recently confirms a sensitive action
    idle_lock_seconds: int = 15 * 60

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> SecurityParams:
        defaults = cls()
        return cls(
            max_failures=max(
                1, _whole_number(env, "HWB_SIGN_IN_MAX_FAILURES", defaults.max_failures)
            ),
            lock_seconds=_whole_number(env, "HWB_SIGN_IN_LOCK_SECONDS", defaults.lock_seconds),
            first_delay_seconds=_whole_number(
                env, "HWB_SIGN_IN_DELAY_SECONDS", defaults.first_delay_seconds
            ),
            max_delay_seconds=_whole_number(
                env, "HWB_SIGN_IN_MAX_DELAY_SECONDS", defaults.max_delay_seconds
            ),
            reauth_seconds=_whole_number(env, "HWB_REAUTH_SECONDS", defaults.reauth_seconds),
            idle_lock_seconds=_whole_number(
                env, "HWB_IDLE_LOCK_SECONDS", defaults.idle_lock_seconds
            ),
        )


def detect_origin(env: Mapping[str, str]) -> str:
    """Where the user sits: the SSH client's address, or the local terminal."""
    connection = env.get("SSH_CONNECTION") or env.get("SSH_CLIENT")
    if connection:
        return f"ssh:{connection.split()[0]}"
    try:
        return f"terminal:{os.ttyname(0)}"
    except OSError:
        return f"local:pid {os.getpid()}"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    key_file: Path
    argon2: Argon2Params = field(default_factory=Argon2Params)
    origin: str = "local"
    clipboard_clear_seconds: int = 30
    security: SecurityParams = field(default_factory=SecurityParams)
    output_dir: Path = Path()  # where slips and downloads are saved; "." is where the app started
    printer: str | None = None  # a CUPS printer that Print also sends slips to, through `lp`
    # --lang or HWB_LANG; None lets a user's remembered choice, then the locale, decide.
    language: str | None = None
    # --low-bandwidth or HWB_LOW_BANDWIDTH=1: 16 colours and no mouse reporting, for slow links.
    low_bandwidth: bool = False

    @classmethod
    def resolve(
        cls,
        database_url: str | None = None,
        key_file: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        *,
        output_dir: str | Path | None = None,
        printer: str | None = None,
        language: str | None = None,
        low_bandwidth: bool = False,
    ) -> Settings:
        """Command-line values first, then HWB_* environment variables, then the defaults."""
        env = os.environ if env is None else env
        url = (
            database_url or env.get("HWB_DATABASE_URL") or f"sqlite:///{data_dir() / DATABASE_FILE}"
        )
        key = key_file or env.get("HWB_KEY_FILE") or default_key_file(url)
        try:
            clear_after = int(env.get("HWB_CLIPBOARD_CLEAR_SECONDS", "30"))
        except ValueError:
            raise InvalidInput(_("HWB_CLIPBOARD_CLEAR_SECONDS must be a whole number.")) from None
        return cls(
            database_url=url,
            key_file=Path(key).expanduser(),
            argon2=Argon2Params.from_environment(env),
            origin=detect_origin(env),
            clipboard_clear_seconds=clear_after,
            security=SecurityParams.from_environment(env),
            output_dir=Path(output_dir or env.get("HWB_OUTPUT_DIR") or ".").expanduser(),
            printer=printer or env.get("HWB_PRINTER") or None,
            language=explicit_language(language, env),
            low_bandwidth=low_bandwidth or env.get("HWB_LOW_BANDWIDTH") == "1",
        )


def default_key_file(database_url: str) -> Path:
    """Beside a SQLite database file; beside the default database for a server database."""
    parsed = urlparse(database_url)
    if parsed.scheme in ("sqlite", "") and parsed.path not in ("", "/", "/:memory:"):
        path = Path(parsed.path[1:] if parsed.scheme else database_url)
        return path.with_name(path.name + ".key")
    return data_dir() / KEY_FILE
