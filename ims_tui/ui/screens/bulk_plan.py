"""The plan of a bulk action, before anything is sent: per image the requests and JSON-patch ops, then the images
left out and why, with the totals in the title ("Delete 3 images").

The delete dialog's keys: y or the confirm button sends, Esc or n cancels, and Cancel has the focus, so Esc (or
Enter) pressed twice, or any burst of keys, never confirms. On a profile marked production a bulk delete also
asks for the number of images typed: the confirm button and y do nothing until it is there.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Input, Static

from ims_tui.api.bulk import Plan
from ims_tui.ui import keys
from ims_tui.ui.format import crop_cells, plural, short_id
from ims_tui.ui.screens.confirm import ConfirmDialog
from ims_tui.ui.text import safe

NAME_WIDTH = 44  # the name and the id's first 8 on one line of a 78-column dialog, with room for a state


def image_label(name: str | None, image_id: str) -> str:
    """How an image is named on one line: its name (cut to NAME_WIDTH), then the first characters of its id."""
    return f"{crop_cells(safe(name), NAME_WIDTH) if name else '(no name)'}  {short_id(image_id)}"


def plan_lines(plan: Plan) -> Content:
    """Every image of the plan, its requests and ops indented below it; then the left-out ones with the reason."""
    parts: list[str | tuple[str, str]] = []
    for step in plan.steps:
        parts += [(image_label(step.name, step.image_id), "bold"), "\n"]
        for request in step.requests:
            parts.append(f"  {safe(request.method)} {safe(request.path)}\n")
            body = [request.body()] if request.body() else request.op_lines()  # under it: 80 columns fit no more
            parts += [(f"    {safe(line)}\n", "$text-muted") for line in body]
    if plan.batch is not None:  # IMS: one request for all of them
        projects = ", ".join(plan.batch.projects)
        parts += [
            f"{plan.batch.method} {plan.batch.PATH}\n",
            (f"  images: the {len(plan.steps)} above\n", "$text-muted"),
        ]
        parts.append((f"  projects: {safe(projects)}\n", "$text-muted"))
    if plan.left_out:
        parts += [(f"Left out ({len(plan.left_out)}):", "bold $text-warning"), "\n"]
        for item in plan.left_out:
            parts += [f"  {image_label(item.name, item.image_id)}\n", (f"    {safe(item.reason)}\n", "$text-warning")]
    return Content.assemble(*parts).rstrip()


class BulkPlanScreen(ConfirmDialog[bool]):
    """Dismisses with True to send the plan, False to send nothing."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("bulk_plan")
    DEFAULT_CSS = """
    BulkPlanScreen > .confirm-dialog { width: 78; }
    #bulk-plan-summary { height: auto; }
    #bulk-plan-lines { height: auto; max-height: 14; margin-top: 1; }
    #bulk-plan-typed { margin-top: 1; }
    #bulk-plan-hint { height: auto; color: $text-muted; margin-top: 1; }
    """

    def __init__(self, plan: Plan, *, production: bool = False) -> None:
        info = plan.action.info
        super().__init__(
            plan.title, confirm=info.verb.split()[0], prefix="bulk-plan", tone="error" if info.destroys else "warning"
        )
        self.plan = plan
        self.typed_count = str(len(plan.steps)) if production and info.destroys and plan.steps else None
        self.confirm_button.disabled = not plan.steps or self.typed_count is not None

    def compose_body(self) -> ComposeResult:
        plan = self.plan
        summary = f"{plural(len(plan.steps), 'image')} · {plural(plan.request_count, 'request')}"
        if plan.batch is not None:
            summary = f"one IMS job for {plural(len(plan.steps), 'image')} · 1 request"
        if plan.left_out:
            summary += f" · {len(plan.left_out)} left out"
        if not plan.steps:
            summary += ": nothing to send"
        yield Static(Content(summary), id="bulk-plan-summary")
        with VerticalScroll(id="bulk-plan-lines"):
            yield Static(plan_lines(plan))
        if self.typed_count is not None:
            typed = f"production: type {self.typed_count} to delete them"
            yield Input(placeholder=typed, id="bulk-plan-typed", compact=True)
        hint = "y or the button sends · esc cancels" if plan.steps else "esc closes"
        yield Static(Content(hint), id="bulk-plan-hint")

    @on(Input.Changed, "#bulk-plan-typed")
    def _typed(self, event: Input.Changed) -> None:
        self.confirm_button.disabled = event.value.strip() != self.typed_count

    @on(Input.Submitted, "#bulk-plan-typed")
    def _typed_enter(self, event: Input.Submitted) -> None:
        event.stop()  # Enter in the field never sends: the button (or y) does, once the number is right
        self.focus_now(self.cancel_button)

    def action_confirm(self) -> None:
        if not self.confirm_button.disabled:
            self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
