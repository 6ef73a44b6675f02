"""A group reset running in the background of the app.

The job runs in a thread worker owned by the app, not by a screen, so the user may close the
dialog and go on working; a screen that shows its progress watches it while it is open.
Quitting the app stops the job between two batches; it stays resumable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.worker import get_current_worker

from hwb_tui.domain.errors import HwbError
from hwb_tui.domain.i18n import _
from hwb_tui.domain.text import safe_text
from hwb_tui.services.jobs import JobSummary

if TYPE_CHECKING:
    from hwb_tui.ui.app import HwbApp

Listener = Callable[[JobSummary], None]


class GroupResetTask:
    """One group reset job, run to the end in a thread worker of the app."""

    def __init__(self, app: HwbApp, job: JobSummary) -> None:
        self._app = app
        self.progress = job
        self.failed = False
        self._listeners: list[Listener] = []

    def watch(self, listener: Listener) -> None:
        self._listeners.append(listener)
        listener(self.progress)

    def unwatch(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def start(self) -> GroupResetTask:
        self._app.run_worker(
            self._run,
            name=f"group reset {self.progress.id}",
            group="group-reset",
            thread=True,
            exit_on_error=False,
        )
        return self

    def _run(self) -> None:
        worker = get_current_worker()
        session = self._app.session
        assert session is not None

        def tell(callback: Callable[..., None], *args: object) -> None:
            if not worker.is_cancelled:  # the app is closing: nobody is left to tell
                self._app.call_from_thread(callback, *args)

        try:
            final = self._app.hwb.jobs.run(
                session.actor,
                self.progress.id,
                on_progress=lambda progress: tell(self._update, progress),
                stop_requested=lambda: worker.is_cancelled,
            )
        except HwbError as error:
            tell(self._fail, str(error))
        except Exception as error:  # a fault: the job stays resumable, say so in one line
            tell(self._fail, f"{type(error).__name__}: {error}")
        else:
            if final.is_finished:
                tell(self._finish, final)

    def _update(self, progress: JobSummary) -> None:
        self.progress = progress
        for listener in list(self._listeners):
            listener(progress)

    def _finish(self, final: JobSummary) -> None:
        self._update(final)
        self._app.notify(finished_message(final), markup=False, timeout=15)

    def _fail(self, reason: str) -> None:
        self.failed = True
        self._update(self.progress)
        self._app.notify(
            _("The group reset stopped: {reason} It can be finished later.").format(
                reason=safe_text(reason)
            ),
            severity="error",
            markup=False,
            timeout=15,
        )


def finished_message(job: JobSummary) -> str:
    message = _("Reset {reset} passwords: {group} at {school}.").format(
        reset=job.reset, group=safe_text(job.title), school=safe_text(job.school.name)
    )
    if job.skipped:
        message += " " + _(
            "{skipped} left alone: their password changed after the reset started."
        ).format(skipped=job.skipped)
    return message


def progress_message(job: JobSummary) -> str:
    return _("{group}: {done} of {total} learners done.").format(
        group=safe_text(job.title), done=job.done, total=job.total
    )
