"""What the audit trail records: the kinds of event, never a secret."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    SIGN_IN = "sign-in"
    SIGN_IN_FAILED = "sign-in-failed"
    REVEAL = "reveal"
    COPY = "copy"
    RESET = "reset"
    SELF_CHANGE = "self-change"
    PRINT = "print"
    DOWNLOAD = "download"
    CREATE_DEMO = "create-demo"
