"""The composition of services that the app and the command line use."""

from __future__ import annotations

from hwb_tui.services.audit_log import AuditLog
from hwb_tui.services.config import Settings
from hwb_tui.services.context import Context
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


class Hwb:
    """Every service over one database connection; open with Hwb.open(settings)."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.settings = context.settings
        self.users = Users(context)
        self.passwords = Passwords(context)
        self.exports = Exports(context)
        self.jobs = Jobs(context)
        self.printing = Printing(context)
        self.audit = AuditLog(context)
        self.demo = Demo(context)
        self.mis_import = MisImport(context)
        self.non_mis = NonMis(context)
        self.ssh_keys = SshKeys(context)
        self.preferences = Preferences(context)
        self.throttle = Throttle(context)
        self.keys = Keys(context)
        self.maintenance = Maintenance(context)

    @classmethod
    def open(cls, settings: Settings) -> Hwb:
        return cls(Context(settings))

    def close(self) -> None:
        self.context.close()

    def __enter__(self) -> Hwb:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
