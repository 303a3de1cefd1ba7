"""The key/value tag editor (``T``, IMS only): ten rows of key = value, the image's limit, checked as IMS checks
them, previewed as the batch actions they become (``api.ims_tags.TagChange``) and sent after a confirm. A row
left with an empty key and value is no tag; emptying a row deletes its tag. Dismisses with the tags as IMS has
them afterwards (read back), or None. A lost answer is settled by reading the tags again, never by resending.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError
from ims_tui.api.image_rows import ImageRow
from ims_tui.api.ims_tags import KEY_MAX, MAX_TAGS, VALUE_MAX, TagChange, Tags, rows_problems
from ims_tui.ui import keys
from ims_tui.ui.screens.confirm import SendingDialog
from ims_tui.ui.screens.ims_export import RequestConfirm
from ims_tui.ui.text import error_line, safe, safe_lines
from ims_tui.ui.widgets import SteadyInput

if TYPE_CHECKING:
    from ims_tui.ui.screens.ims_obs_actions import ImsObsActions


def read_kv_tags(screen: ImsObsActions, image_id: str) -> None:
    """Read one image's tags in a worker of the main screen; the answer goes to ``kv_tags_read``."""
    client, project = screen.client, screen.session.info.project_id

    async def read() -> None:
        if client is None or project is None:
            return
        try:
            tags: dict[str, str] | str = await client.kv_tags(project, image_id)
        except ApiError as exc:
            tags = f"not read: {error_line(exc)}"
        screen.kv_tags_read(image_id, tags)

    screen.run_worker(read(), group="kv-tags")  # type: ignore[attr-defined]


class KvTagsScreen(SendingDialog[Tags | None]):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("kv_tags")
    DEFAULT_CSS = """
    KvTagsScreen > .confirm-dialog { width: 78; }
    KvTagsScreen .kv-row { height: 1; }
    KvTagsScreen .kv-number { width: 4; color: $text-muted; }
    KvTagsScreen .kv-key { width: 30; }
    KvTagsScreen .kv-eq { width: 3; }
    KvTagsScreen .kv-value { width: 1fr; }
    KvTagsScreen #kv-preview { height: auto; max-height: 4; color: $text-muted; margin-top: 1; }
    KvTagsScreen #kv-error { height: auto; color: $error; }
    """

    def __init__(self, client: ImageClient, project_id: str, row: ImageRow, known: Tags | None) -> None:
        super().__init__("Key/value tags (IMS)", confirm="Save…", prefix="kv", tone="accent", letter_keys=False)
        self.confirm_button.variant = "primary"
        self.client, self.project_id, self.row = client, project_id, row
        self.before: Tags | None = dict(known) if known is not None else None

    def compose_body(self) -> ComposeResult:
        name = safe(self.row.name) if self.row.name else "(no name)"
        rule = f"key ≤{KEY_MAX}, value ≤{VALUE_MAX}, none of = * < > \\ , | /; at most {MAX_TAGS}"
        yield Static(Content.assemble((name, "bold"), f": {rule}"), markup=False)
        for index in range(MAX_TAGS):
            with Horizontal(classes="kv-row"):
                yield Static(f"{index + 1:>2}", classes="kv-number")
                yield SteadyInput(id=f"kv-key-{index}", placeholder="key", compact=True, classes="kv-key")
                yield Static(" = ", classes="kv-eq")
                yield SteadyInput(id=f"kv-value-{index}", compact=True, classes="kv-value")
        yield Static("", id="kv-preview", markup=False)
        yield Static("", id="kv-error", markup=False)

    def first_focus(self) -> Widget:
        return self.query_one("#kv-key-0", Input)

    def on_mount(self) -> None:
        super().on_mount()
        if self.before is None:
            self.note("reading the image's tags…")
            self._read()
        else:
            self._fill(self.before)

    @work(exclusive=True, group="kv-read")
    async def _read(self) -> None:
        try:
            self.before = await self.client.kv_tags(self.project_id, self.row.id)
        except ApiError as exc:
            self.error = exc
            self.confirm_button.disabled = True  # without the tags as they are, no change can be worked out
            self.note(f"could not read the tags: {error_line(exc)}")
            return
        self.note("")
        self._fill(self.before)

    def _fill(self, tags: Tags) -> None:
        for index, (key, value) in enumerate(list(tags.items())[:MAX_TAGS]):
            self.query_one(f"#kv-key-{index}", Input).value = key
            self.query_one(f"#kv-value-{index}", Input).value = value
        self._redraw()

    def rows(self) -> list[tuple[int, str, str]]:
        """(row index, key, value) of the rows not left empty; keys and values as typed (IMS checks spaces)."""
        out = []
        for index in range(MAX_TAGS):
            key = self.query_one(f"#kv-key-{index}", Input).value
            value = self.query_one(f"#kv-value-{index}", Input).value
            if key or value:
                out.append((index, key, value))
        return out

    def change(self) -> TagChange:
        return TagChange(self.before or {}, {key: value for _index, key, value in self.rows()})

    def preview_text(self) -> str:
        change = self.change()
        if self.before is None:
            return ""
        if change.empty:
            return "no change"
        path = f"POST /v2/{self.project_id}/images/{self.row.id}/tags/action"
        return "\n".join(f"{path}\n{json.dumps(body, ensure_ascii=False)}" for body in change.bodies())

    def _redraw(self) -> None:
        self.query_one("#kv-preview", Static).update(Content(safe_lines(self.preview_text())))

    @on(Input.Changed)
    def _changed(self) -> None:
        if self.is_mounted:
            self._redraw()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        if self.busy or self.before is None:
            return
        rows = self.rows()
        found = rows_problems([(key, value) for _index, key, value in rows])
        if found:
            at, why = next(iter(found.items()))
            row_index = rows[at][0] if at < len(rows) else MAX_TAGS - 1
            self.note(f"not sent: row {row_index + 1}: {why}")
            part = "value" if "tag value" in why else "key"
            self.focus_now(self.query_one(f"#kv-{part}-{row_index}", Input))
            return
        change = self.change()
        if change.empty:
            self.note("no change to send")
            return
        dialog = RequestConfirm("Send these tag changes to IMS?", self.preview_text())

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(change)

        self.app.push_screen(dialog, answered)

    @work(exclusive=True, group="kv-send")
    async def _send(self, change: TagChange) -> None:
        self.busy = True
        self.confirm_button.disabled = True
        self.note("sending…")
        try:
            tags, lost = await self.client.change_kv_tags(self.project_id, self.row.id, change)
        except ApiError as exc:
            self.busy = False
            self.error = exc
            self.confirm_button.disabled = False
            self.note(f"not saved: {error_line(exc)} · ctrl+y copies the full error")
            return
        self.busy = False
        if lost is not None:
            self.app.notify(safe(lost), title="key/value tags", severity="warning", markup=False)
        else:
            self.app.notify(f"tags of {safe(self.row.name or self.row.id)} saved", markup=False)
        self.dismiss(tags)
