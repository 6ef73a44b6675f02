"""View Details: everything about one user, Manage User › Reset Password, and Print."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from hwb_tui.domain import rights
from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.model import STATUS_LABELS, Kind, UserDetails
from hwb_tui.domain.rights import Action
from hwb_tui.ui import styles
from hwb_tui.ui.screens.common import QuietScreen, UsesServices
from hwb_tui.ui.screens.printing import PrintActions, may_print, open_print_menu
from hwb_tui.ui.screens.profile import field_grid
from hwb_tui.ui.widgets.app_footer import AppFooter
from hwb_tui.ui.widgets.title_bar import TitleBar

KIND_NAMES = {
    Kind.LEARNER: N_("Learner"),
    Kind.STAFF: N_("Staff"),
    Kind.GOVERNOR: N_("Governor"),
    Kind.NON_MIS: N_("Non-MIS"),
    Kind.HWB_ADMIN: N_("Hwb administrator"),
}


class UserDetailsScreen(UsesServices, QuietScreen[None]):
    CSS_PATH = styles.DETAILS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="details.back",
                tooltip=N_("Back to the list")),
        Binding("c", "copy_password", N_("Copy"), id="details.copy-password",
                tooltip=N_("Copy this user's password to your clipboard")),
        Binding("r", "reset_password", N_("Reset"), id="details.reset-password",
                tooltip=N_("Manage User › Reset Password")),
        Binding("p", "print", N_("Print"), id="details.print",
                tooltip=N_("Print Details or Print With Password")),
    ]  # fmt: skip

    def __init__(self, username: str) -> None:
        super().__init__()
        self.username = username
        self.details: UserDetails | None = None

    def compose(self) -> ComposeResult:
        try:
            self.details = self.hwb.users.details(self.session.actor, self.username)
        except HwbError as error:
            self.refuse(error)
        yield TitleBar(_("View Details"), *self._display_name())
        with Vertical(id="details"):
            if self.details is not None:
                yield field_grid(self._fields(self.details), id="user-fields")
            with Horizontal(id="manage-user"):
                yield Label(_("Manage User ›"))
                yield Button(
                    _("Reset Password"),
                    id="reset-password",
                    compact=True,
                    disabled=not self._may(Action.RESET_PASSWORD),
                )
            if self.details is not None:
                summary = self.details.summary
                yield PrintActions(
                    self.username,
                    may_print=may_print(self, summary),
                    may_print_password=may_print(self, summary, with_password=True),
                    id="print-actions",
                )
        yield AppFooter()

    def _display_name(self) -> tuple[str, ...]:
        if self.details is None:
            return (self.username,)
        summary = self.details.summary
        return (f"{summary.forename} {summary.surname}",)

    @staticmethod
    def _fields(details: UserDetails) -> list[tuple[str, str | None]]:
        summary = details.summary
        fields = [
            (_("Forename"), summary.forename),
            (_("Surname"), summary.surname),
            (_("Username"), summary.username),
            (_("School"), summary.school_name),
            (_("Type"), _(KIND_NAMES[summary.kind])),
        ]
        if summary.kind is Kind.LEARNER:
            fields += [
                (_("Year"), summary.year),
                (_("Reg group"), summary.reg_group),
                (_("Classes"), ", ".join(details.classes)),
                (_("Admission number"), details.admission_number),
                (_("Consent"), _("Yes") if details.consent else _("No")),
            ]
        if summary.kind is Kind.STAFF:
            fields += [
                (_("Staff code"), details.staff_code),
                (_("Digital Champion"), _("Yes") if summary.is_digital_champion else _("No")),
            ]
        fields += [
            (_("Date created"), details.created_at.strftime("%Y-%m-%d")),
            (_("Password"), _(STATUS_LABELS[summary.status])),
        ]
        return fields

    def _may(self, action: Action) -> bool:
        if self.details is None:
            return False
        summary = self.details.summary
        return rights.may(self.session.actor, action, summary.kind, summary.school_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Cosmetic only: the services check rights again and explain any refusal.
        if action == "copy_password":
            return self._may(Action.SEE_PASSWORD) or None
        if action == "reset_password":
            return self._may(Action.RESET_PASSWORD) or None
        if action == "print":
            return self._may(Action.PRINT_DETAILS) or None
        return True

    def explain_dimmed(self, action: str) -> None:
        needs = {
            "copy_password": Action.SEE_PASSWORD,
            "reset_password": Action.RESET_PASSWORD,
            "print": Action.PRINT_DETAILS,
        }
        if self.details is not None and action in needs:
            self.explain_rights(needs[action], self.details.summary.target)
        else:
            super().explain_dimmed(action)

    def action_back(self) -> None:
        self.dismiss()

    def action_copy_password(self) -> None:
        self.hwb_app.copy_password(self.username)

    def action_print(self) -> None:
        if self.details is not None:
            open_print_menu(self, self.details.summary)

    @on(Button.Pressed, "#reset-password")
    def action_reset_password(self) -> None:
        self.reset_password_of(self.username, " ".join(self._display_name()))

    def password_was_reset(self, username: str) -> None:
        super().password_was_reset(username)
        self.refresh(recompose=True)  # the password status has changed
