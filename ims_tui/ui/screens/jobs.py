"""The jobs screen (``J``, IMS sessions): the IMS jobs of this session, live while they run.

One line a job: type, image (name where the list knows it, else id), status, progress (IMS's
``process_percent``), begin and end time (UTC, as IMS gives them), and for a failed job its error code and
reason. Enter shows one job in full, kept up to date while it is open; ``i`` looks up a job started elsewhere
(the console, another tool) by its id, which is then followed as the session's own. The screen draws what
``JobTracker`` knows; the main screen redraws it (and it the one job open above it) when a round changed
something.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from ims_tui.api.ims_job_watch import TrackedJob, job_id_problem
from ims_tui.ui import keys
from ims_tui.ui.job_watch import JobTracker
from ims_tui.ui.text import safe
from ims_tui.ui.widgets import SteadyInput

KINDS = {
    "imsCopyImageJob": "copy",
    "imsCrossRegionCopyImageJob": "region copy",
    "imsExportImageJob": "export",
    "imsBatchAddMembersJob": "share",
    "imsBatchDeleteMembersJob": "unshare",
    "imsCreateImageByFileJob": "from OBS",
    "imsQuickImportImageJob": "quick imp.",
    "imsRegisterImageJob": "register",
}
# type, image, status, progress, begin, end; the rest of the line is the failure
WIDTHS = (11, 20, 7, 4, 8, 8)
TITLES = ("type", "image", "status", "done", "begin", "end", "failure")

NameOf = Callable[[str], str | None]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _clock(moment: datetime | None) -> str:
    return moment.strftime("%H:%M:%S") if moment is not None else ""


def kind_of(tracked: TrackedJob) -> str:
    return KINDS.get(tracked.job_type, tracked.job_type) or "job"


def image_of(tracked: TrackedJob, name_of: NameOf) -> str:
    target = tracked.target
    if target is None:
        return ""
    return name_of(target) or target


def progress_of(tracked: TrackedJob) -> str:
    if tracked.status == "SUCCESS":
        return "100%"
    if tracked.ended:
        return ""  # how far a failed job got says nothing useful
    return f"{tracked.percent:.0f}%" if tracked.percent is not None else ""


def failure_of(tracked: TrackedJob) -> str:
    if tracked.problem is not None:
        return tracked.problem
    job = tracked.job
    if job is None or job.status != "FAIL":
        return ""
    return " ".join(part for part in (job.error_code, job.fail_reason) if part)


def cells(tracked: TrackedJob, name_of: NameOf) -> tuple[str, ...]:
    job = tracked.job
    return (
        kind_of(tracked),
        image_of(tracked, name_of),
        tracked.status,
        progress_of(tracked),
        _clock(job.began if job else None),
        _clock(job.finished if job else None),
        failure_of(tracked),
    )


def line(values: tuple[str, ...], width: int) -> str:
    parts = [_clip(safe(value), size).ljust(size) for value, size in zip(values, WIDTHS, strict=False)]
    fixed = " ".join(parts)
    rest = width - len(fixed) - 1
    return (fixed + " " + _clip(safe(values[-1]), max(rest, 1))).rstrip() if rest > 0 else fixed.rstrip()


def full(tracked: TrackedJob, name_of: NameOf) -> str:
    job = tracked.job
    rows = [
        ("job id", tracked.job_id),
        ("type", f"{kind_of(tracked)} ({tracked.job_type})" if tracked.job_type else kind_of(tracked)),
        ("status", tracked.status),
        ("progress", progress_of(tracked)),
        ("image", image_of(tracked, name_of)),
        ("image id", tracked.target or ""),
        ("begin", f"{job.began:%Y-%m-%d %H:%M:%S} UTC" if job and job.began else ""),
        ("end", f"{job.finished:%Y-%m-%d %H:%M:%S} UTC" if job and job.finished else ""),
        ("error code", job.error_code or "" if job else ""),
        ("reason", failure_of(tracked) if tracked.problem else (job.fail_reason or "" if job else "")),
    ]
    return "\n".join(f"{label:<11} {safe(value)}" for label, value in rows if value)


class JobScreen(ModalScreen[None]):
    """One job in full, following it while it is open: the jobs screen below redraws it after each round that
    changed a job (status, progress, end time, failure). It has no timer of its own, so closed it costs nothing,
    and once the job has ended there are no rounds at all."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("job")
    DEFAULT_CLASSES = "dialog-screen"
    DEFAULT_CSS = """
    JobScreen > .dialog { width: 78; max-height: 100%; height: auto; border: round $primary; }
    JobScreen.-failed > .dialog { border: round $error; }
    JobScreen #job-body { height: auto; }
    """

    def __init__(self, tracked: TrackedJob, name_of: NameOf) -> None:
        super().__init__()
        self.tracked = tracked
        self.name_of = name_of

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static("", id="job-body", markup=False)

    def on_mount(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        """Show the job as the tracker knows it now (the same ``TrackedJob``, updated in place by each round)."""
        tracked = self.tracked
        self.set_class(tracked_failed(tracked), "-failed")
        dialog = self.query_one(".dialog")
        dialog.border_title = "Job"
        dialog.border_subtitle = "Esc closes" if tracked.ended else "updates as it runs · Esc closes"
        self.query_one("#job-body", Static).update(full(tracked, self.name_of))

    def action_close(self) -> None:
        self.dismiss()


def tracked_failed(tracked: TrackedJob) -> bool:
    return tracked.problem is not None or tracked.status == "FAIL"


class JobsScreen(Screen[None]):
    """The session's IMS jobs, in the order they were tracked."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("jobs")
    DEFAULT_CSS = """
    JobsScreen #jobs-title { height: 1; background: $panel; padding: 0 1; }
    JobsScreen #jobs-columns { height: 1; color: $text-muted; padding: 0 1; }
    JobsScreen #jobs-list { height: 1fr; border: none; padding: 0 1; }
    JobsScreen #jobs-problem { display: none; height: 1; color: $text-error; padding: 0 1; }
    JobsScreen #jobs-problem.-shown { display: block; }
    JobsScreen #jobs-lookup { display: none; height: 1; border: none; padding: 0 1; }
    JobsScreen #jobs-lookup.-open { display: block; }
    """

    def __init__(self, tracker: JobTracker, name_of: NameOf) -> None:
        super().__init__()
        self.tracker = tracker
        self.name_of = name_of

    def compose(self) -> ComposeResult:
        yield Static("", id="jobs-title", markup=False)
        yield Static(line(TITLES, 76), id="jobs-columns", markup=False)
        yield OptionList(id="jobs-list", markup=False)
        yield Static("", id="jobs-problem", markup=False)
        yield SteadyInput(placeholder="job id (IMS: 32 hex digits); Enter looks it up, Esc cancels", id="jobs-lookup")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def options(self) -> OptionList:
        return self.query_one("#jobs-list", OptionList)

    @property
    def field(self) -> SteadyInput:
        return self.query_one("#jobs-lookup", SteadyInput)

    def on_mount(self) -> None:
        self.options.focus()
        self.redraw()

    def redraw(self) -> None:
        options = self.options
        keep = options.highlighted
        width = max(60, options.content_region.width or 76)
        jobs = self.tracker.jobs
        options.clear_options()
        options.add_options([Option(line(cells(job, self.name_of), width), id=job.job_id) for job in jobs])
        if jobs:
            options.highlighted = min(keep or 0, len(jobs) - 1)
        self.query_one("#jobs-columns", Static).update(line(TITLES, width))
        running = self.tracker.summary()
        words = f"Jobs: {len(jobs)} this session" + (f", {running}" if running else "")
        hint = " · i looks up a job by id" + (" · Enter opens" if jobs else "")
        self.query_one("#jobs-title", Static).update(words + hint)
        for screen in self.app.screen_stack:
            if isinstance(screen, JobScreen) and screen.is_mounted:
                screen.redraw()  # the one job open above this list follows it too

    @property
    def highlighted(self) -> TrackedJob | None:
        index = self.options.highlighted
        jobs = self.tracker.jobs
        return jobs[index] if index is not None and index < len(jobs) else None

    @on(OptionList.OptionSelected, "#jobs-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        tracked = self.highlighted
        if tracked is not None:
            self.app.push_screen(JobScreen(tracked, self.name_of))

    def action_lookup(self) -> None:
        self.field.add_class("-open")
        self.set_focus(self.field)

    def _problem(self, text: str | None) -> None:
        problem = self.query_one("#jobs-problem", Static)
        problem.update(text or "")
        problem.set_class(text is not None, "-shown")

    @on(Input.Submitted, "#jobs-lookup")
    def _looked_up(self, event: Input.Submitted) -> None:
        problem = job_id_problem(event.value)
        if problem is not None:
            self._problem(problem)
            return
        self._problem(None)
        self.tracker.track(event.value)
        self.field.value = ""
        self.field.remove_class("-open")
        self.options.focus()
        self.redraw()
        self.options.highlighted = len(self.tracker.jobs) - 1

    def action_back(self) -> None:
        if self.field.has_class("-open"):
            self.field.value = ""
            self.field.remove_class("-open")
            self._problem(None)
            self.options.focus()
            return
        self.dismiss()
