"""Copy an image with IMS: in this region (``POST …/copy``) or to another region (``POST …/cross_region_copy``).

One form for both, the choice on top; only the fields the chosen call takes show. ctrl+s (or Review) checks the
fields and IMS's limits first (``api/ims_copy.py``: an ISO or encrypted image, over 128 GB, five cross-region
copies at a time, the image quota for a copy here), each refusal said before anything is sent; then the exact
request (method, path, JSON body) is shown to confirm, as the form's patch preview is. The answer's ``job_id``
is handed back for the jobs view to follow. A refusal keeps every keystroke; an answer lost on the way may have
started the copy, so the form says so, points to the jobs view and sends nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Label, RadioSet, Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError
from ims_tui.api.ims_copy import LIMITS, CopyRequest, Mode, at_once_refusal, copy_refusal, quota_refusal
from ims_tui.api.models import Image
from ims_tui.api.outcome import Outcome
from ims_tui.ui import keys
from ims_tui.ui.clipboard import copy_text
from ims_tui.ui.format import human_size, short_id
from ims_tui.ui.screens.confirm import ConfirmDialog, ConfirmScreen
from ims_tui.ui.text import error_line, safe, safe_lines
from ims_tui.ui.widgets import PlainRadioButton, SteadyInput

# (field, label, placeholder, the mode it belongs to: None for both)
FIELDS: tuple[tuple[str, str, str, Mode | None], ...] = (
    ("name", "name", "the copy's name", None),
    ("description", "description", "optional", None),
    ("cmk_id", "KMS key id", "optional: encrypt the copy with this key", "region"),
    ("enterprise_project_id", "enterprise proj", "optional: 0 or a project's UUID", "region"),
    ("region", "target region", "e.g. cn-north-1", "cross"),
    ("project_name", "target project", "e.g. cn-north-1", "cross"),
    ("agency_name", "agency", "an IAM agency for IMS, e.g. ims_admin_agency", "cross"),
)
MODES: tuple[tuple[Mode, str], ...] = (("region", "in this region"), ("cross", "to another region"))


@dataclass(frozen=True)
class CopyStarted:
    """What the form hands back: the job IMS started, and what it copies."""

    job_id: str
    job_type: str
    image_id: str
    mode: Mode


class CopyReviewScreen(ConfirmScreen):
    """The request exactly as it will be sent; Send goes, Esc or Back returns to the form."""

    DEFAULT_CSS = "CopyReviewScreen > .confirm-dialog { width: 78; }"

    def __init__(self, body: Content) -> None:
        super().__init__(
            "Send this request?",
            body,
            confirm="Send",
            cancel="Back to form",
            prefix="copy-review",
            cancel_id="back",
            tone="accent",
            confirm_variant="primary",
            confirm_first=True,
            focus_confirm=True,  # what ctrl+s asked for; Esc or the other button go back
            letter_keys=False,
        )


class CopyScreen(ConfirmDialog[CopyStarted | None]):
    """Dismisses with the started job, or None when nothing was sent (or its answer was lost)."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("ims_copy")
    DEFAULT_CSS = """
    CopyScreen > .confirm-dialog { width: 78; }
    #copy-what { height: 1; }
    #copy-mode { layout: horizontal; height: 1; margin: 1 0 0 0; }
    #copy-mode > RadioButton { width: auto; margin-right: 3; }
    CopyScreen .copy-row { height: 1; }
    #copy-row-name { margin-top: 1; }
    CopyScreen .copy-row Label { width: 16; }
    CopyScreen .copy-row Input { width: 1fr; }
    CopyScreen .copy-row.-hidden { display: none; }
    CopyScreen .copy-row.-invalid Label { color: $error; text-style: bold; }
    #copy-limits { height: auto; margin-top: 1; color: $text-muted; }
    #copy-problem { height: auto; color: $error; }
    #copy-problem.-empty { display: none; }
    #copy-hint { width: 1fr; color: $text-muted; text-align: right; }
    """

    def __init__(
        self,
        client: ImageClient,
        image: Image,
        *,
        region: str | None = None,
        project_id: str | None = None,
        running_cross: int = 0,
    ) -> None:
        super().__init__(
            "Copy image (IMS)",
            confirm="Review",
            prefix="copy",
            tone="accent",
            confirm_variant="primary",
            confirm_first=True,
            letter_keys=False,
        )
        self.client, self.image, self.here, self.running_cross = client, image, region, running_cross
        self.project_id = project_id
        self.mode: Mode = "region"
        self.busy = False
        self.lost = False  # an answer was lost: the copy may be running, nothing more is sent from here
        self.error: ApiError | None = None

    def compose_body(self) -> ComposeResult:
        image = self.image
        size = image.effective_size
        what = f"{image.disk_format or '?'}" + (f", {human_size(size)}" if size is not None else "")
        name = safe(image.name) if image.name else "(no name)"
        yield Static(
            Content.assemble("Copy ", (name, "bold"), f"  {short_id(image.id)} · {safe(what)}"), id="copy-what"
        )
        with RadioSet(id="copy-mode", compact=True):
            for mode, label in MODES:
                yield PlainRadioButton(label, value=mode == self.mode, id=f"copy-mode-{mode}", compact=True)
        for key, label, placeholder, _mode in FIELDS:
            with Horizontal(id=f"copy-row-{key}", classes="copy-row"):
                yield Label(label)
                yield SteadyInput(placeholder=placeholder, id=f"copy-{key}", compact=True)
        yield Static("", id="copy-limits")
        yield Static("", id="copy-problem")

    def compose_beside_buttons(self) -> ComposeResult:
        yield Static("ctrl+s reviews · esc cancels", id="copy-hint")

    def first_focus(self) -> Widget:
        return self.query_one("#copy-name", Input)

    def on_mount(self) -> None:
        default = f"{self.image.name}-copy" if self.image.name else ""
        self.query_one("#copy-name", Input).value = default[:128]
        self._show_mode()
        super().on_mount()

    @on(RadioSet.Changed, "#copy-mode")
    def _mode_changed(self, event: RadioSet.Changed) -> None:
        self.mode = "cross" if event.radio_set.pressed_index == 1 else "region"
        self._show_mode()

    def _show_mode(self) -> None:
        for key, _label, _placeholder, belongs in FIELDS:
            self.query_one(f"#copy-row-{key}").set_class(belongs not in (None, self.mode), "-hidden")
        limits = LIMITS[self.mode]
        refusal = copy_refusal(self.image, self.mode, self.project_id)
        self.query_one("#copy-limits", Static).update(Content(limits))
        self._say(f"not possible: {refusal}" if refusal else "")

    def _say(self, text: str) -> None:
        problem = self.query_one("#copy-problem", Static)
        problem.update(Content(text))
        problem.set_class(not text, "-empty")

    def read(self) -> CopyRequest:
        values = {key: self.query_one(f"#copy-{key}", Input).value for key, _l, _p, _m in FIELDS}
        return CopyRequest(self.mode, **values)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        if self.busy:
            return
        if self.lost:
            self._say(self._lost_words())
            return
        copy = self.read()
        problems = copy.problems(self.here)
        for key, *_ in FIELDS:
            self.query_one(f"#copy-row-{key}").set_class(key in problems, "-invalid")
        if problems:
            key = next(key for key, *_ in FIELDS if key in problems)
            label = next(label for k, label, *_ in FIELDS if k == key)
            self._say(f"not sent: {label}: {problems[key]}")
            self.focus_now(self.query_one(f"#copy-{key}", Input))
            return
        refusal = copy_refusal(self.image, copy.mode, self.project_id) or (
            at_once_refusal(self.running_cross) if copy.mode == "cross" else None
        )
        if refusal:
            self._say(f"not sent: {refusal}")
            return
        self.check(copy)

    @work(exclusive=True, group="ims-copy")
    async def check(self, copy: CopyRequest) -> None:
        """A copy here counts against the image quota: read it, and refuse before sending when it is full."""
        note = ""
        if copy.mode == "region":
            self._busy(True, "checking the image quota…")
            try:
                refusal = quota_refusal(await self.client.ims_quota())
            except ApiError as exc:
                refusal, note = None, f"\n\nThe quota could not be read ({exc.one_line()}): IMS will say if it is full."
            self._busy(False, "")
            if refusal:
                self._say(f"not sent: {refusal}")
                return
        body = Content(safe_lines(copy.preview(self.image.id)) + note)
        review = CopyReviewScreen(body)

        def answered(send: bool | None) -> None:
            if send:
                self.send(copy)

        self.app.push_screen(review, answered)

    def _busy(self, busy: bool, text: str) -> None:
        self.busy = busy
        self.confirm_button.disabled = busy or self.lost
        self._say(text)

    @work(exclusive=True, group="ims-copy")
    async def send(self, copy: CopyRequest) -> None:
        self._busy(True, "sending…")
        try:
            job_id = await self.client.ims_copy(self.image.id, copy)
        except ApiError as exc:
            self.error = exc
            self.lost = exc.outcome_unknown
            self._busy(False, self._lost_words() if self.lost else self._refused_words(exc))
            return
        self.busy = False
        self.dismiss(CopyStarted(job_id, copy.job_type, self.image.id, copy.mode))

    def _refused_words(self, exc: ApiError) -> str:
        return f"not copied: {error_line(exc)}\nEverything typed is kept · ctrl+s tries again · ctrl+y copies the error"

    def _lost_words(self) -> str:
        said = Outcome("unknown", error=self.error, action="create").message() if self.error else "the answer was lost"
        return (
            f"{said}\nThe copy may be running: J lists this session's jobs and looks one up by id; "
            "check there and in the list before copying again · esc closes"
        )

    def action_cancel(self) -> None:
        if self.busy:  # the request is out: its answer says whether a job started
            self.notify("waiting for IMS's answer first", severity="warning")
        else:
            self.dismiss(None)

    def action_copy_error(self) -> None:
        if self.error is not None:
            copy_text(self.app, self.error.describe(), what="error")


__all__ = ["CopyScreen", "CopyStarted"]
