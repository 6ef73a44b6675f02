"""Group password resets from the command line: reset-group, jobs and resume."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from hwb_tui.cli.common import EXIT_OK, acting_user, add_acting_user, confirm, school_id
from hwb_tui.domain.errors import InvalidInput
from hwb_tui.domain.i18n import _
from hwb_tui.domain.model import Actor
from hwb_tui.domain.text import safe_text
from hwb_tui.services.hwb import Hwb

# The app starts through the command line's parser, so the services behind these commands are
# imported by the commands themselves, when run.
if TYPE_CHECKING:
    from hwb_tui.services.jobs import JobSummary, ProgressCallback


def add_commands(subparsers) -> dict:
    reset = subparsers.add_parser(
        "reset-group",
        help=_("give every learner of a registration group, class or year a new password"),
    )
    add_acting_user(reset)
    group = reset.add_mutually_exclusive_group(required=True)
    group.add_argument("--reg-group", metavar="NAME", help=_("a registration group, e.g. 9A"))
    group.add_argument("--class", dest="class_name", metavar="NAME", help=_("a class, e.g. 9Ma1"))
    group.add_argument("--year", metavar="N", help=_("a year group: N, R or 1 to 13"))
    reset.add_argument("--school", metavar="CODE", help=_("a school's code (Hwb administrators)"))
    reset.add_argument("--yes", action="store_true", help=_("reset without asking"))

    jobs = subparsers.add_parser("jobs", help=_("list unfinished group resets"))
    add_acting_user(jobs)
    jobs.add_argument("--all", action="store_true", help=_("finished group resets too"))

    resume = subparsers.add_parser("resume", help=_("finish an interrupted group reset"))
    resume.add_argument("job", type=int, metavar="JOB", help=_("the number `jobs` shows"))
    add_acting_user(resume)
    return {"reset-group": cmd_reset_group, "jobs": cmd_jobs, "resume": cmd_resume}


def cmd_reset_group(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    from hwb_tui.services.jobs import GroupType

    actor = acting_user(hwb, args)
    if args.reg_group is not None:
        group_type, name = GroupType.REG_GROUP, args.reg_group
    elif args.class_name is not None:
        group_type, name = GroupType.CLASS, args.class_name
    else:
        group_type, name = GroupType.YEAR, args.year
    school = school_id(hwb, actor, args.school)
    preview = hwb.jobs.preview(actor, group_type, name, school)
    print(
        _("{count} learners will get new passwords: {group} at {school}.").format(
            count=preview.learners,
            group=safe_text(preview.title),
            school=safe_text(preview.school.name),
        ),
        file=sys.stderr,
    )
    if not args.yes and not confirm(_("Reset their passwords? [y/N] ")):
        raise InvalidInput(_("Cancelled: no password was reset."))
    job = hwb.jobs.start(actor, group_type, name, school)
    if job.done:
        print(
            _("Finishing group reset {id}, cut short earlier: {done} of {total} done.").format(
                id=job.id, done=job.done, total=job.total
            ),
            file=sys.stderr,
        )
    return _run(hwb, actor, job, out)


def cmd_resume(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = acting_user(hwb, args)
    return _run(hwb, actor, hwb.jobs.job(actor, args.job), out)


def cmd_jobs(hwb: Hwb, args: argparse.Namespace, out: TextIO) -> int:
    actor = acting_user(hwb, args)
    for job in hwb.jobs.jobs(actor, unfinished_only=not args.all):
        fields = (
            str(job.id),
            job.created_at.strftime("%Y-%m-%d %H:%M:%SZ"),
            job.operator,
            job.school.name,
            job.title,
            _("finished") if job.is_finished else _("unfinished"),
            _("{reset} reset, {skipped} left alone, of {total}").format(
                reset=job.reset, skipped=job.skipped, total=job.total
            ),
        )
        print("\t".join(safe_text(field) for field in fields), file=out)
    return EXIT_OK


def _run(hwb: Hwb, actor: Actor, job: JobSummary, out: TextIO) -> int:
    if job.is_finished:
        print(_("Group reset {id} was already finished.").format(id=job.id), file=sys.stderr)
    else:
        job = hwb.jobs.run(actor, job.id, on_progress=_progress_line(job))
    print(
        _("Reset {reset} passwords: {group} at {school} (group reset {id}).").format(
            reset=job.reset,
            group=safe_text(job.title),
            school=safe_text(job.school.name),
            id=job.id,
        ),
        file=out,
    )
    if job.skipped:
        print(
            _(
                "{skipped} learners were left alone: their password changed after the reset "
                "started, or you may no longer reset it."
            ).format(skipped=job.skipped),
            file=out,
        )
    return EXIT_OK


def _progress_line(job: JobSummary) -> ProgressCallback | None:
    """A progress line rewritten in place, only when a person watches stderr."""
    if not sys.stderr.isatty():
        return None
    title = safe_text(job.title)

    def show(progress: JobSummary) -> None:
        end = "\n" if progress.done == progress.total else ""
        print(
            "\r"
            + _("{group}: {done} of {total}").format(
                group=title, done=progress.done, total=progress.total
            ),
            end=end,
            file=sys.stderr,
            flush=True,
        )

    return show
