"""The composition of services that the app and the command line use."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hwb_tui.services.config import Settings
from hwb_tui.services.context import Context

if TYPE_CHECKING:
    from hwb_tui.services.audit_log import AuditLog
    from hwb_tui.services.demo import Demo
    from hwb_tui.services.exports import Exports
    from hwb_tui.services.jobs import Jobs
    from hwb_tui.services.keys import Keys
    from hwb_tui.services.maintenance import Maintenance
    from hwb_tui.services.mis_import import MisImport
    from hwb_tui.services.non_mis import NonMis
    from hwb_tui.services.passwords import Passwords
    from hwb_tui.services.preferences import Preferences
    from hwb_tui.services.printing import Printing
    from hwb_tui.services.ssh_keys import SshKeys
    from hwb_tui.services.throttle import Throttle
    from hwb_tui.services.users import Users


class _Service:
    """A service made when first used, its module imported only then: start-up pays for the
    few services the first screen needs, not for all of them."""

    def __init__(self, module: str, name: str) -> None:
        self.module = f"hwb_tui.services.{module}"
        self.name = name

    def __set_name__(self, owner: type, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, hwb: Hwb | None, owner: type) -> Any:
        if hwb is None:
            return self
        service = getattr(importlib.import_module(self.module), self.name)(hwb.context)
        # Kept on the instance, where later reads find it first; if two threads made one at
        # once, both go on with the one kept.
        return hwb.__dict__.setdefault(self.attribute, service)


class Hwb:
    """Every service over one database connection; open with Hwb.open(settings)."""

    users: Users = _Service("users", "Users")
    passwords: Passwords = _Service("passwords", "Passwords")
    exports: Exports = _Service("exports", "Exports")
    jobs: Jobs = _Service("jobs", "Jobs")
    printing: Printing = _Service("printing", "Printing")
    audit: AuditLog = _Service("audit_log", "AuditLog")
    demo: Demo = _Service("demo", "Demo")
    mis_import: MisImport = _Service("mis_import", "MisImport")
    non_mis: NonMis = _Service("non_mis", "NonMis")
    ssh_keys: SshKeys = _Service("ssh_keys", "SshKeys")
    preferences: Preferences = _Service("preferences", "Preferences")
    throttle: Throttle = _Service("throttle", "Throttle")
    keys: Keys = _Service("keys", "Keys")
    maintenance: Maintenance = _Service("maintenance", "Maintenance")

    def __init__(self, context: Context) -> None:
        self.context = context
        self.settings = context.settings

    @classmethod
    def open(cls, settings: Settings) -> Hwb:
        return cls(Context(settings))

    def close(self) -> None:
        self.context.close()

    def __enter__(self) -> Hwb:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
