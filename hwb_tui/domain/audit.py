"""What the audit trail records: the kinds of event, never a secret."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    SIGN_IN = "sign-in"
    SIGN_IN_FAILED = "sign-in-failed"
    SIGN_IN_REFUSED = "sign-in-refused"  # asked too soon after failures, or while locked
    SIGN_IN_LOCKED = "sign-in-locked"
    SIGN_IN_UNLOCKED = "sign-in-unlocked"
    REAUTHENTICATE = "re-authenticate"
    PASSWORD_CHECK = "password-check"  # `hwb-tui check-password`: right, throttled like a sign-in
    REVEAL = "reveal"
    COPY = "copy"
    RESET = "reset"
    SELF_CHANGE = "self-change"
    PRINT = "print"
    DOWNLOAD = "download"
    CREATE_DEMO = "create-demo"
    MIS_IMPORT = "mis-import"
    NON_MIS_ADD = "non-mis-add"
    NON_MIS_EDIT = "non-mis-edit"
    NON_MIS_EXTEND = "non-mis-extend"
    NON_MIS_REMOVE = "non-mis-remove"
    SSH_KEY_ADD = "ssh-key-add"
    SSH_KEY_REMOVE = "ssh-key-remove"
    ROTATE_KEY = "rotate-key"
    BACKUP = "backup"
