"""Deactivate or reactivate, hide or unhide one image, behind a dialog that says what each means.

Dismisses with the image as the server has it afterwards, or None. The request is sent once; a refusal (403 on
clouds that keep deactivation to admins, 409 for a wrong state) stays in the dialog, status first, with the
server's words one key away (``ctrl+y`` copies them); a lost answer is settled with a GET, never resent.
"""

from __future__ import annotations

import json
from typing import ClassVar, Literal

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError
from ims_tui.api.lifecycle import DEACTIVATE_WORDS, HIDE_WORDS, REACTIVATE_WORDS, hidden_ops
from ims_tui.api.models import Image
from ims_tui.ui import keys
from ims_tui.ui.clipboard import copy_text
from ims_tui.ui.screens.confirm import ConfirmDialog, Tone
from ims_tui.ui.text import error_line, safe, safe_lines

Change = Literal["deactivate", "reactivate", "hide", "unhide"]
Kind = Literal["active", "hidden"]
TITLES: dict[Change, str] = {
    "deactivate": "Deactivate image",
    "reactivate": "Reactivate image",
    "hide": "Hide image",
    "unhide": "Unhide image",
}
WORDS: dict[Change, str] = {
    "deactivate": DEACTIVATE_WORDS,
    "reactivate": REACTIVATE_WORDS,
    "hide": HIDE_WORDS,
    "unhide": "The image is listed again like any other.",
}
# The status (or os_hidden value) each change leads to: how a lost answer is settled with one GET.
SETTLED: dict[Change, object] = {"deactivate": "deactivated", "reactivate": "active", "hide": True, "unhide": False}


def change_for(image: Image | None, status: str | None, kind: Kind) -> Change:
    """Which way the toggle goes for an image in this state."""
    if kind == "active":
        return "reactivate" if status == "deactivated" else "deactivate"
    return "unhide" if image is not None and image.os_hidden else "hide"


class LifecycleScreen(ConfirmDialog[Image | None]):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("lifecycle")
    DEFAULT_CSS = """
    LifecycleScreen > .confirm-dialog { width: 72; }
    #lifecycle-request { height: auto; color: $text-muted; margin-top: 1; }
    #lifecycle-error { height: auto; color: $error; margin-top: 1; }
    """

    def __init__(self, client: ImageClient, image: Image, kind: Kind) -> None:
        """``image`` may be a list row's few fields: the dialog reads the image first (Confirm waits for it),
        then decides which way the toggle goes (``change_for``)."""
        self.client, self.image, self.kind = client, image, kind
        self.change = change_for(image, image.status, kind)
        tone: Tone = "warning" if self.change in ("deactivate", "hide") else "accent"
        super().__init__(TITLES[self.change], confirm="…", prefix="lifecycle", tone=tone, confirm_variant="warning")
        self.busy = True  # until the image is read
        self.error: ApiError | None = None
        self.confirm_button.disabled = True

    def compose_body(self) -> ComposeResult:
        yield Static(self._message(), id="lifecycle-message", classes="confirm-message")
        yield Static(Content("reading the image's current state…"), id="lifecycle-request")
        yield Static("", id="lifecycle-error")

    def _message(self) -> Content:
        name = safe(self.image.name) if self.image.name else "(no name)"
        return Content.assemble(
            f"{self.change.capitalize()} ", (name, "bold"), f"?\nID {safe(self.image.id)}\n\n", WORDS[self.change]
        )

    def on_mount(self) -> None:
        self.read()

    @work(exclusive=True, group="lifecycle")
    async def read(self) -> None:
        try:
            fresh = await self.client.get(self.image.id)
        except ApiError as exc:
            self._show_error(exc)
            self.query_one("#lifecycle-request", Static).update(Content("could not read the image: nothing sent"))
            return
        self.image, self.change = fresh, change_for(fresh, fresh.status, self.kind)
        self.query_one("#lifecycle-dialog").border_title = TITLES[self.change]
        self.query_one("#lifecycle-message", Static).update(self._message())
        self.query_one("#lifecycle-request", Static).update(Content(f"sends: {self._request()}"))
        self.confirm_button.label = self.change.capitalize()
        self.confirm_button.disabled = False
        self.busy = False
        self.cancel_button.focus()

    def _show_error(self, exc: ApiError) -> None:
        self.error = exc
        shown = Content.assemble((error_line(exc) + "\n", "bold"), safe_lines(exc.describe()))
        self.query_one("#lifecycle-error", Static).update(shown)

    def _request(self) -> str:
        if self.change in ("deactivate", "reactivate"):
            return f"POST /v2/images/{safe(self.image.id)}/actions/{self.change}"
        return f"PATCH {json.dumps(hidden_ops(self.image, self.change == 'hide'))}"

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def action_confirm(self) -> None:
        if not self.busy:
            self.send()

    def action_copy_error(self) -> None:
        if self.error is not None:
            copy_text(self.app, self.error.describe())

    @work(exclusive=True, group="lifecycle")
    async def send(self) -> None:
        self.busy = True
        self.confirm_button.disabled = True
        try:
            fresh = await self._apply()
        except ApiError as exc:
            self.busy = False
            self._show_error(exc)
            self.confirm_button.disabled = False
            self.cancel_button.focus()
            return
        self.busy = False
        self.dismiss(fresh)

    async def _apply(self) -> Image:
        image_id = self.image.id
        try:
            if self.change == "deactivate":
                await self.client.deactivate(image_id)
            elif self.change == "reactivate":
                await self.client.reactivate(image_id)
            else:
                ops = hidden_ops(self.image, self.change == "hide")
                if ops:
                    return await self.client.update(image_id, ops)
        except ApiError as exc:
            if not exc.outcome_unknown:
                raise
            fresh = await self.client.get(image_id)  # one look decides: the change is there or it is not
            if self._reached(fresh):
                return fresh
            exc.outcome_unknown = False
            raise
        return await self.client.get(image_id)

    def _reached(self, image: Image) -> bool:
        wanted = SETTLED[self.change]
        return image.os_hidden is wanted if isinstance(wanted, bool) else image.status == wanted
