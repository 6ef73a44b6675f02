"""Administration › Download Passwords: All Pupils for staff, All Staff for Digital Champions
and Hwb administrators, each behind the guide's warning (Proceed with download / Go Back)."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from hwb_tui.domain import rights
from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import N_, _, ngettext
from hwb_tui.domain.rights import Download
from hwb_tui.services.exports import DOWNLOAD_WARNING, ExportResult
from hwb_tui.ui import styles
from hwb_tui.ui.screens.common import UsesServices
from hwb_tui.ui.screens.mis_import import MisImportDialog
from hwb_tui.ui.screens.non_mis import NonMisDialog
from hwb_tui.ui.screens.printing import deliver, output_path
from hwb_tui.ui.widgets.app_footer import AppFooter
from hwb_tui.ui.widgets.title_bar import TitleBar

BUTTON_IDS = {Download.ALL_PUPILS: "download-pupils", Download.ALL_STAFF: "download-staff"}
FILE_STEMS = {Download.ALL_PUPILS: "hwb-all-pupils", Download.ALL_STAFF: "hwb-all-staff"}


class DownloadWarning(ModalScreen[bool]):
    """The guide's warning, word for word, before any credentials are written."""

    CSS_PATH = styles.DIALOGS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "go_back", N_("Go Back"), id="download.go-back",
                tooltip=N_("Close without downloading")),
    ]  # fmt: skip

    def __init__(self, download: Download) -> None:
        super().__init__()
        self._download = download

    def compose(self) -> ComposeResult:
        with Vertical(id="download-warning", classes="dialog"):
            yield Static(self._title(), classes="dialog-title")
            yield Static(Content(_(DOWNLOAD_WARNING)), id="warning-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    _("Proceed with download"), id="proceed", variant="warning", compact=True
                )
                yield Button(_("Go Back"), id="go-back", compact=True)

    def on_mount(self) -> None:
        self.query_one("#go-back").focus()  # the safe choice is the one enter presses

    def _title(self) -> Content:
        return Content(_("Download Passwords: {download}").format(download=_(self._download)))

    def relabel(self) -> None:
        """After a language switch: the title, which names the download."""
        self.query_one(".dialog-title", Static).update(self._title())

    @on(Button.Pressed, "#proceed")
    def _proceed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#go-back")
    def action_go_back(self) -> None:
        self.dismiss(False)


class AdministrationScreen(UsesServices, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "import_from_mis", N_("Import from MIS"), id="administration.import",
                tooltip=N_("Bring the school's learners or staff in step with its MIS file")),
        Binding("n", "non_mis_users", N_("Non-MIS users"), id="administration.non-mis",
                tooltip=N_("Add, rename, extend or remove non-MIS users")),
    ]  # fmt: skip
    DEFAULT_CSS = """
    #administration { padding: 1 2; height: 1fr; }
    #download-buttons { height: 1; margin-bottom: 1; }
    #download-buttons Button { margin-right: 2; }
    #download-note { color: $text-muted; height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield TitleBar(
            _("Administration"), self.session.school_name, self.session.actor.display_name
        )
        with Vertical(id="administration"):
            yield Static(Content(_("Download Passwords")), classes="section-title")
            with Horizontal(id="download-buttons"):
                for download in Download:
                    if rights.may_download(self.session.actor, download, self.session.school_id):
                        yield Button(_(download), id=BUTTON_IDS[download], compact=True)
            yield Static(
                Content(
                    _("Files are saved in {folder}, readable by you only.").format(
                        folder=self.hwb.settings.output_dir.resolve()
                    )
                ),
                id="download-note",
            )
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#download-buttons Button").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "import_from_mis":  # the school's Digital Champion, or an administrator
            return rights.may_import_from_mis(self.session.actor, self.session.school_id)
        if action == "non_mis_users":  # the school's Digital Champion only
            return rights.may_manage_non_mis(self.session.actor, self.session.school_id)
        return True

    def action_import_from_mis(self) -> None:
        self.app.push_screen(MisImportDialog())

    def action_non_mis_users(self) -> None:
        self.app.push_screen(NonMisDialog())

    @on(Button.Pressed, "#download-buttons Button")
    def _ask(self, event: Button.Pressed) -> None:
        download = next(d for d, button_id in BUTTON_IDS.items() if button_id == event.button.id)
        self.app.push_screen(DownloadWarning(download), partial(self._answered, download))

    def _answered(self, download: Download, proceed: bool | None) -> None:
        if proceed:
            self.run_worker(partial(self._download, download), thread=True, group="download")

    def _download(self, download: Download) -> None:
        path = output_path(self.hwb, FILE_STEMS[download], ".csv")
        try:
            result = self.hwb.exports.download(
                self.session.actor, download, path, self.session.school_id
            )
        except HwbError as error:
            self.app.call_from_thread(self.refuse, error)
            return
        self.app.call_from_thread(self._downloaded, result)

    def _downloaded(self, result: ExportResult) -> None:
        message = ngettext(
            "Saved {rows} user to {path} (readable by you only).",
            "Saved {rows} users to {path} (readable by you only).",
            result.rows,
        ).format(rows=result.rows, path=result.path)
        deliver(self.app, result.path, message, "text/csv")
