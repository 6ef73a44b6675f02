"""What users choose for themselves and the app remembers for them: the language."""

from __future__ import annotations

from hwb_tui.domain.errors import InvalidInput
from hwb_tui.domain.i18n import LANGUAGES, _, parse_language
from hwb_tui.domain.model import Actor
from hwb_tui.services.context import Context
from hwb_tui.store.models import Setting


def _language_key(actor: Actor) -> str:
    # By account id, so a renamed username keeps its choice.
    return f"language:{actor.id}"


class Preferences:
    def __init__(self, context: Context) -> None:
        self._ctx = context

    def language(self, actor: Actor) -> str | None:
        """The language the user last chose, or None if they never chose one."""
        row = Setting.get_or_none(Setting.key == _language_key(actor))
        return parse_language(bytes(row.value).decode("ascii", "replace")) if row else None

    def set_language(self, actor: Actor, language: str) -> None:
        """Remember the user's language; anyone may choose their own."""
        if language not in LANGUAGES:
            raise InvalidInput(
                _("Not a language of this app: {language!r} (use cy or en).").format(
                    language=language
                )
            )
        with self._ctx.db.atomic():
            Setting.insert(key=_language_key(actor), value=language.encode("ascii")).on_conflict(
                conflict_target=[Setting.key], update={Setting.value: language.encode("ascii")}
            ).execute()
