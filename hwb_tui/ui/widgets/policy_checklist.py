"""The Hwb password policy's rules, ticking off as a new password is typed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from hwb_tui.domain.i18n import _
from hwb_tui.domain.policy import Rule, unmet_rules

# Shown only when broken: a typed password almost never hits these two.
_RARE_RULES = (Rule.MAX_LENGTH, Rule.NO_CONTROL)
_MATCH = "match"


class PolicyChecklist(Vertical):
    DEFAULT_CSS = """
    PolicyChecklist {
        height: auto;
        & > Static { height: 1; }
        & > .-met { color: $text-success; }
        & > .-unmet { color: $text-muted; }
        & > .-broken { color: $text-error; }
    }
    """

    def compose(self) -> ComposeResult:
        for rule in Rule:
            yield Static(id=f"rule-{rule.name.lower()}", markup=False)
        yield Static(id=f"rule-{_MATCH}", markup=False)

    def on_mount(self) -> None:
        self.check("", "")

    def check(self, password: str, confirmation: str) -> bool:
        """Tick off the rules the password meets; True when it may be used."""
        unmet = set(unmet_rules(password))
        for rule in Rule:
            met = rule not in unmet
            self._mark(
                f"rule-{rule.name.lower()}",
                _(str(rule)),
                met,
                hidden=met and rule in _RARE_RULES,
                broken=not met and rule in _RARE_RULES,
            )
        matches = bool(password) and password == confirmation
        self._mark(f"rule-{_MATCH}", _("the same password typed twice"), matches)
        return not unmet and matches

    def _mark(
        self, widget_id: str, text: str, met: bool, *, hidden: bool = False, broken: bool = False
    ) -> None:
        line = self.query_one(f"#{widget_id}", Static)
        line.update(Content(("✓ " if met else "✗ ") + text))
        line.display = not hidden
        line.set_class(met, "-met")
        line.set_class(not met and not broken, "-unmet")
        line.set_class(broken, "-broken")
