"""Administration › Import from the MIS: a file on the server, a preview of each change, apply.

Apply is offered only after a preview of the same file and kind without problems; the import
itself checks the file again and applies it whole or not at all.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import N_, _
from hwb_tui.domain.model import Kind
from hwb_tui.domain.text import safe_text
from hwb_tui.services.mis_import import ImportResult
from hwb_tui.ui import styles
from hwb_tui.ui.screens.common import UsesServices

PREVIEW_LINES = 200  # the rest is counted, not listed: a dry run on the command line lists all
KIND_BUTTONS = {"import-learners": Kind.LEARNER, "import-staff": Kind.STAFF}


class MisImportDialog(UsesServices, ModalScreen[None]):
    CSS_PATH = styles.DIALOGS
    DEFAULT_CSS = """
    #mis-import { width: 90%; height: 90%; }
    #mis-import-kind { height: auto; layout: horizontal; border: none; }
    #mis-import-preview { height: 1fr; border: round $panel; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Close"), id="mis-import.close",
                tooltip=N_("Close without importing anything more")),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self._previewed: tuple[Path, Kind] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="mis-import", classes="dialog"):
            yield Static(
                Content(
                    _("Import from the MIS: {school}").format(
                        school=safe_text(self.session.school_name)
                    )
                ),
                classes="dialog-title",
            )
            with RadioSet(id="mis-import-kind"):
                yield RadioButton(_("Learners"), value=True, id="import-learners")
                yield RadioButton(_("Staff"), id="import-staff")
            yield Input(
                placeholder=_("CSV file on the server (relative to {folder})").format(
                    folder=self._folder()
                ),
                id="mis-import-file",
            )
            with VerticalScroll(id="mis-import-preview"):
                yield Static(
                    Content(_("Preview first: nothing changes until you apply.")),
                    id="mis-import-result",
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Preview"), id="preview", compact=True)
                yield Button(_("Apply"), id="apply", variant="warning", compact=True, disabled=True)
                yield Button(_("Close"), id="close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#mis-import-file").focus()

    def _folder(self) -> Path:
        return self.hwb.settings.output_dir.resolve()

    def _chosen(self) -> tuple[Path, Kind]:
        typed = self.query_one("#mis-import-file", Input).value.strip()
        pressed = self.query_one(RadioSet).pressed_button
        kind = KIND_BUTTONS[pressed.id] if pressed is not None else Kind.LEARNER
        return self._folder() / Path(typed).expanduser(), kind

    @on(Input.Changed)
    @on(RadioSet.Changed)
    def _choice_changed(self) -> None:
        """A new file or kind must be previewed before it can be applied."""
        self._previewed = None
        self.query_one("#apply", Button).disabled = True

    @on(Input.Submitted)
    @on(Button.Pressed, "#preview")
    def _preview(self) -> None:
        path, kind = self._chosen()
        self._show([_("Reading {path}…").format(path=path)])
        self.run_worker(partial(self._run, path, kind, True), thread=True, group="mis-import")

    @on(Button.Pressed, "#apply")
    def _apply(self) -> None:
        if self._previewed is None:
            return
        path, kind = self._previewed
        self.query_one("#apply", Button).disabled = True
        self.run_worker(partial(self._run, path, kind, False), thread=True, group="mis-import")

    def _run(self, path: Path, kind: Kind, dry_run: bool) -> None:
        try:
            result = self.hwb.mis_import.import_file(
                self.session.actor, kind, path, school_id=self.session.school_id, dry_run=dry_run
            )
        except HwbError as error:
            self.app.call_from_thread(self._refused, error)
            return
        self.app.call_from_thread(self._done, path, result)

    def _refused(self, error: HwbError) -> None:
        self._previewed = None
        self._show(str(error).splitlines())

    def _done(self, path: Path, result: ImportResult) -> None:
        if result.dry_run:
            self._previewed = (path, result.kind)
            self.query_one("#apply", Button).disabled = not result.changes
            heading = _("Preview of {path}: {summary}.").format(path=path, summary=result.summary)
        else:
            self._previewed = None
            heading = _("Imported {path}: {summary}.").format(path=path, summary=result.summary)
            self.app.notify(heading, markup=False)
        lines = [
            "  ".join(
                (str(change.kind), change.key, change.username or "-", change.name, *change.fields)
            )
            for change in result.changes[:PREVIEW_LINES]
        ]
        if len(result.changes) > PREVIEW_LINES:
            lines.append(_("… and {count} more.").format(count=len(result.changes) - PREVIEW_LINES))
        self._show([heading, "", *lines])

    def _show(self, lines: list[str]) -> None:
        """Plain text, never markup; each line made safe (names come from a file)."""
        text = "\n".join(safe_text(line) for line in lines)
        self.query_one("#mis-import-result", Static).update(Content(text))

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
