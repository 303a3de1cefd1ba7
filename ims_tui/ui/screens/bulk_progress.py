"""A bulk plan being sent (done, failed, left; Esc stops sending), then what became of every image.

``BulkProgressScreen`` runs ``api/bulk_run.BulkRunner`` in its worker and dismisses with the ``RunResult``; Esc
stops it (no new image is started, those in flight finish) and it still dismisses with the result.
``BulkResultScreen`` lists every image: done, failed with status, reason and request id, unknown (a lost answer
the check could not decide: reload and look before trying again), or not attempted. ``r`` dismisses with
"retry" (a new plan of the failed ones only, read afresh and shown before anything is sent); Esc closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ims_tui.api.bulk import Plan
from ims_tui.api.bulk_run import BulkRunner, ImageResult, Progress, RunResult, State
from ims_tui.ui import keys
from ims_tui.ui.screens.bulk_plan import image_label
from ims_tui.ui.text import safe

if TYPE_CHECKING:
    from ims_tui.api.client import ImageClient

DIALOG_CSS = """
    {cls} {{ align: center middle; }}
    {cls} > Vertical {{
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; padding: 0 1; background: $surface;
    }}
    {cls} .bulk-hint {{ color: $text-muted; height: auto; margin-top: 1; }}
"""
WORDS: dict[State, str] = {"done": "done", "failed": "failed", "unknown": "unknown", "not_attempted": "not attempted"}
STYLES = {"done": "$text-success", "failed": "bold $text-error", "unknown": "bold $text-warning", "not_attempted": ""}


def progress_line(progress: Progress) -> str:
    line = f"{progress.done} done · {progress.failed} failed · {progress.left} left"
    if progress.stopping:
        line += " · stopping: those in flight finish, nothing new is sent"
    return line


def result_line(result: ImageResult) -> Content:
    """One image's result: its state first (words, not only colour), then the name and what went wrong."""
    state = result.state
    parts: list[str | tuple[str, str]] = [
        (f"{WORDS[state]:<13}", STYLES[state]),
        image_label(result.step.name, result.image_id),
    ]
    if result.error is not None and state != "done":
        parts.append(f"\n    {safe(result.error.one_line())}")
    if result.note and state != "not_attempted":
        parts.append((f"\n    {safe(result.note)}", "$text-muted"))
    return Content.assemble(*parts)


def summary(result: RunResult) -> str:
    counts = [f"{result.count(state)} {words}" for state, words in WORDS.items() if result.count(state)]
    return " · ".join(counts) or "nothing was sent"


class BulkProgressScreen(ModalScreen[RunResult]):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("bulk_progress")
    DEFAULT_CSS = DIALOG_CSS.format(cls="BulkProgressScreen")

    def __init__(self, client: ImageClient, plan: Plan, *, concurrency: int) -> None:
        super().__init__()
        self.plan = plan
        self.runner = BulkRunner(client, plan, concurrency=concurrency, progress=self._progressed)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.plan.title
            yield Static(Content(progress_line(self.runner.state)), id="bulk-progress")
            yield Static(Content("esc stops sending (what is in flight finishes)"), classes="bulk-hint")

    def on_mount(self) -> None:
        self.run_plan()

    @work(exclusive=True, group="bulk-run")
    async def run_plan(self) -> None:
        self.dismiss(await self.runner.run())

    def _progressed(self, progress: Progress) -> None:
        if self.is_attached:
            self.query_one("#bulk-progress", Static).update(Content(progress_line(progress)))

    def action_stop(self) -> None:
        self.runner.stop()


class BulkResultScreen(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("bulk_result")
    DEFAULT_CSS = (
        DIALOG_CSS.format(cls="BulkResultScreen")
        + """
    #bulk-result-lines { height: auto; max-height: 15; margin-top: 1; }
    #bulk-result-buttons { height: 1; margin-top: 1; }
    #bulk-result-buttons Button { margin-right: 2; }
    """
    )

    def __init__(self, result: RunResult) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        result = self.result
        failed = len(result.retry_ids())
        with Vertical() as box:
            box.border_title = f"{result.plan.title}: {'stopped' if result.stopped else 'finished'}"
            yield Static(Content(summary(result)), id="bulk-result-summary")
            with VerticalScroll(id="bulk-result-lines"):
                for item in result.results:
                    yield Static(result_line(item))
            with Horizontal(id="bulk-result-buttons"):
                yield Button("Close", id="bulk-result-close", compact=True)
                retry = Button(f"Retry the {failed} failed", id="bulk-result-retry", compact=True, variant="warning")
                retry.display = failed > 0
                yield retry
            hint = "r: a new plan for the failed ones · esc closes" if failed else "esc closes"
            if result.count("unknown"):
                hint = "unknown: reload (r in the list) and check them before acting again · " + hint
            yield Static(Content(hint), classes="bulk-hint")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#bulk-result-close", Button))

    @on(Button.Pressed, "#bulk-result-close")
    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#bulk-result-retry")
    def action_retry(self) -> None:
        if self.result.retry_ids():
            self.dismiss("retry")
