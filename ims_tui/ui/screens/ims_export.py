"""Export the highlighted image to an OBS bucket (``O``, IMS sessions only), and what the OBS forms share.

``ObsJobDialog`` is a form whose one request starts an IMS job: the request it would send is previewed under the
fields as they are typed, every rule of ``api.ims_obs`` is checked before anything is sent (the field at fault
named and focused), ctrl+s (or the button) asks once more with the exact request, and the answer's ``job_id``
is what the dialog dismisses with; the main screen then tracks the job (``track_job``). A refusal keeps every
field; a lost answer is never sent again (the job may have started), and the dialog says what to check.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError
from ims_tui.api.image_rows import ImageRow
from ims_tui.api.ims_obs import EXPORT_FORMATS, QUICK_EXPORT_RULE, ExportRequest, extension, lost_answer
from ims_tui.api.models import Image
from ims_tui.ui import keys
from ims_tui.ui.screens.confirm import ConfirmScreen, SendingDialog
from ims_tui.ui.text import error_line, safe, safe_lines
from ims_tui.ui.widgets import PlainCheckbox, SteadyInput


def shown(widget: Widget) -> bool:
    return all(node.display for node in widget.ancestors_with_self if isinstance(node, Widget))


def field_row(label: str, widget: Widget, row_id: str | None = None) -> Horizontal:
    """A label and its field on one line (the forms must fit 80x24)."""
    return Horizontal(Static(label, classes="obs-label"), widget, classes="obs-row", id=row_id)


def text_input(field_id: str, value: str = "", placeholder: str = "") -> SteadyInput:
    return SteadyInput(value, placeholder=placeholder, id=field_id, compact=True, classes="obs-input")


class RequestConfirm(ConfirmScreen):
    """The last question before a request is sent, wide enough for its path and body at 80 columns."""

    DEFAULT_CSS = "RequestConfirm > .confirm-dialog { width: 78; }"

    def __init__(self, title: str, request: str) -> None:
        super().__init__(title, Content(safe_lines(request)), confirm="Send", tone="accent")
        self.confirm_button.variant = "primary"


class ObsJobDialog(SendingDialog[str | None]):
    """A form that sends one job-starting request; subclasses name the fields, the request and the call."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("ims_obs")
    DEFAULT_CSS = """
    ObsJobDialog > .confirm-dialog { width: 78; }
    ObsJobDialog .obs-row { height: 1; }
    ObsJobDialog .obs-label { width: 12; color: $text-muted; }
    ObsJobDialog .obs-input { width: 1fr; }
    ObsJobDialog Select { width: 1fr; }
    ObsJobDialog Checkbox { height: 1; }
    ObsJobDialog .obs-rule { color: $text-muted; height: auto; }
    ObsJobDialog .obs-preview { height: auto; max-height: 5; margin-top: 1; color: $text-muted; }
    ObsJobDialog .obs-error { height: auto; color: $error; }
    """
    FIELDS: ClassVar[dict[str, str]] = {}  # problem key -> the id of the field to focus

    def __init__(self, client: ImageClient, title: str, *, confirm: str) -> None:
        super().__init__(title, confirm=confirm, prefix="obs", tone="accent", letter_keys=False)
        self.confirm_button.variant = "primary"
        self.client = client
        self.lost = False  # a lost answer: the request is never sent again from this dialog
        self.sent = ""  # what was started, in words, kept for after the dialog is gone

    # -- what a subclass says ----------------------------------------------------------------------------

    def what(self) -> str:
        raise NotImplementedError

    def request_line(self) -> tuple[str, str, dict[str, Any]]:
        """(method, path, body) as it would be sent now."""
        raise NotImplementedError

    def problems(self) -> dict[str, str]:
        raise NotImplementedError

    async def send_request(self) -> str:
        raise NotImplementedError

    def after_lost(self) -> str:
        return "J lists the jobs of this session"

    # -- shared ---------------------------------------------------------------------------------------------

    def compose_preview(self) -> ComposeResult:
        yield Static("", id="obs-preview", classes="obs-preview", markup=False)
        yield Static("", id="obs-error", classes="obs-error", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.redraw()

    def first_focus(self) -> Widget:
        """The first field shown (a form's way may hide some)."""
        return next(field for field in self.query(Input) if shown(field))

    def preview_text(self) -> str:
        method, path, body = self.request_line()
        return f"{method} {path}\n{json.dumps(body, ensure_ascii=False)}"

    def redraw(self) -> None:
        if not self.query("#obs-preview"):
            return  # still composing, or gone
        self.query_one("#obs-preview", Static).update(Content(safe_lines(self.preview_text())))

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        if self.is_mounted:
            self.redraw()
            if not self.lost and not self.busy:
                self.note("")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        if self.busy or self.lost:
            return
        found = self.problems()
        if found:
            key, why = next(iter(found.items()))
            self.note(f"not sent: {why}")
            field_id = self.FIELDS.get(key)
            if field_id is not None:
                self.focus_now(self.query_one(f"#{field_id}"))
            return
        self.app.push_screen(RequestConfirm(f"Send to IMS: {self.what()}?", self.preview_text()), self._answered)

    def _answered(self, yes: bool | None) -> None:
        if yes:
            self._send()

    @work(exclusive=True, group="ims-obs")
    async def _send(self) -> None:
        self.busy = True
        self.confirm_button.disabled = True
        self.note("sending…")
        try:
            job_id = await self.send_request()
        except ApiError as exc:
            self.busy = False
            self.error = exc
            if exc.outcome_unknown:
                self.lost = True  # never again from here: Esc closes, J looks the job up by id
                self.note(safe(lost_answer(self.what(), exc, self.after_lost())))
                return
            self.confirm_button.disabled = False
            self.note(f"{error_line(exc)} · ctrl+y copies the full error")
            return
        self.busy = False
        self.sent = self.what()
        self.dismiss(job_id)


class ExportObsScreen(ObsJobDialog):
    """Export one image: bucket, object, format, quick export. Dismisses with the job id, or None."""

    FIELDS: ClassVar[dict[str, str]] = {
        "bucket": "obs-bucket",
        "object": "obs-object",
        "format": "obs-format",
        "quick": "obs-quick",
        "image": "obs-bucket",
    }

    def __init__(self, client: ImageClient, row: ImageRow, image: Image | None, project_id: str | None) -> None:
        super().__init__(client, "Export to OBS (IMS)", confirm="Export…")
        self.row = row
        self.project_id = project_id
        self.image = image  # the fresh image, for IMS's size and type rules; read on mount when not known
        self._format = "qcow2"

    def compose_body(self) -> ComposeResult:
        name = safe(self.row.name) if self.row.name else "(no name)"
        yield Static(Content.assemble("Export ", (name, "bold"), " to a file in an OBS bucket (same region)"))
        yield field_row("bucket", text_input("obs-bucket", placeholder="my-bucket (3-63: a-z 0-9 - .)"))
        yield field_row("object", text_input("obs-object", self._default_object()))
        choices = [(fmt, fmt) for fmt in EXPORT_FORMATS]
        yield field_row("format", Select(choices, value="qcow2", allow_blank=False, id="obs-format", compact=True))
        yield PlainCheckbox("quick export", value=False, id="obs-quick", compact=True)
        yield Static(QUICK_EXPORT_RULE, classes="obs-rule", markup=False)
        yield from self.compose_preview()

    def _default_object(self) -> str:
        base = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in (self.row.name or self.row.id))
        return f"{base or self.row.id}.qcow2"

    def on_mount(self) -> None:
        super().on_mount()
        if self.image is None:
            self._read_image()

    @work(exclusive=True, group="ims-obs-read")
    async def _read_image(self) -> None:
        try:
            self.image = await self.client.get(self.row.id)
        except ApiError:
            return  # IMS checks again: its refusal is said then

    @on(Select.Changed, "#obs-format")
    def _format_changed(self, event: Select.Changed) -> None:
        new = str(event.value)
        field = self.query_one("#obs-object", Input)
        if extension(field.value) == self._format and not self.query_one("#obs-quick", Checkbox).value:
            field.value = field.value[: -len(self._format)] + new
        self._format = new

    @on(Checkbox.Changed, "#obs-quick")
    def _quick_changed(self, event: Checkbox.Changed) -> None:
        self.query_one("#obs-format", Select).disabled = event.value
        # a quick export writes ZVHD2 whatever the format says: the file's name follows
        field = self.query_one("#obs-object", Input)
        old, new = ("zvhd2", self._format) if not event.value else (self._format, "zvhd2")
        if extension(field.value) == old:
            field.value = field.value[: -len(old)] + new

    def export_request(self) -> ExportRequest:
        return ExportRequest(
            self.query_one("#obs-bucket", Input).value.strip(),
            self.query_one("#obs-object", Input).value.strip(),
            str(self.query_one("#obs-format", Select).value),
            self.query_one("#obs-quick", Checkbox).value,
        )

    def what(self) -> str:
        return f"export {self.row.name or self.row.id}"

    def request_line(self) -> tuple[str, str, dict[str, Any]]:
        return "POST", f"/v1/cloudimages/{self.row.id}/file", self.export_request().body()

    def problems(self) -> dict[str, str]:
        found = self.export_request().problems(self.image)
        if self.project_id is not None and self.row.owner != self.project_id:
            found["image"] = "IMS exports this project's own private images only; this one is another's"
        return found

    async def send_request(self) -> str:
        return await self.client.export_to_obs(self.row.id, self.export_request())

    def after_lost(self) -> str:
        return "look in the bucket, and at J, for the export"
