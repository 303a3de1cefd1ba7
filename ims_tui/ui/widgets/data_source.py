"""The create form's "Image data" section: a local file to upload, or a URL the service downloads itself.

Optional: an image created without data stays queued (``u`` or ``i`` later). What is chosen is sent by the main
screen once the image exists (the upload in the background, the import through Glance's web-download), so the
form's one request stays the create.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, Static

from ims_tui.api.diskformat import mismatch, read_format
from ims_tui.ui.widgets import SteadyInput
from ims_tui.ui.widgets.path_field import PathField


@dataclass(frozen=True)
class DataSource:
    kind: Literal["file", "url"]
    where: str
    path: Path | None = None


class DataSourceField(Vertical):
    """Posts ``Detected`` with the disk format a chosen file's header shows, so the form can fill in the
    formats Glance needs before it takes data (only where the user left them blank)."""

    class Detected(Message):
        def __init__(self, disk_format: str) -> None:
            super().__init__()
            self.disk_format = disk_format

    DEFAULT_CSS = """
    DataSourceField { height: auto; margin-top: 1; }
    DataSourceField > #data-title { text-style: bold; }
    DataSourceField .data-row { height: auto; margin-top: 1; }
    DataSourceField .data-row > Label { width: 18; }
    DataSourceField .data-row > PathField, DataSourceField .data-row > Input { width: 1fr; }
    DataSourceField > #data-note { height: auto; padding-left: 18; color: $text-warning; }
    """

    def __init__(self, *, cwd: Path | None = None) -> None:
        super().__init__(id="data-source")
        self.cwd = cwd
        self.disk_format: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("Image data (optional: without it the image stays queued)", id="data-title")
        with Horizontal(classes="data-row"):
            yield Label("Local file")
            yield PathField(kind="source", cwd=self.cwd, placeholder="path to upload (Tab completes)", id="data-file")
        with Horizontal(classes="data-row"):
            yield Label("or from a URL")
            yield SteadyInput(placeholder="https://… (the service downloads it)", id="data-url", compact=True)
        yield Static("", id="data-note", markup=False)

    @property
    def file(self) -> PathField:
        return self.query_one("#data-file", PathField)

    @property
    def url(self) -> str:
        return self.query_one("#data-url", Input).value.strip()

    def read(self) -> DataSource | None:
        if self.file.value:
            return DataSource("file", self.file.value, self.file.path)
        if self.url:
            return DataSource("url", self.url)
        return None

    def problem(self, disk_format: str | None, container_format: str | None) -> str | None:
        """Why the data chosen cannot be sent with the image as filled in; None when it can (or none chosen)."""
        source = self.read()
        if source is None:
            return None
        if self.file.value and self.url:
            return "a local file or a URL, not both"
        if source.kind == "file" and self.file.problem:
            return self.file.problem
        if source.kind == "url" and not source.where.startswith(("http://", "https://")):
            return "a URL starting with http:// or https://"
        if not disk_format or not container_format:
            return "choose a disk format and a container format: Glance takes no data without them"
        return None

    def formats_changed(self, disk_format: str | None) -> None:
        self.disk_format = disk_format
        self._describe(offer=False)  # the user chose it: only the note follows

    @on(PathField.Changed, "#data-file")
    def _file_changed(self) -> None:
        self._describe(offer=True)

    def _describe(self, *, offer: bool) -> None:
        note = ""
        if self.file.value and self.file.problem is None:
            try:
                detected = read_format(self.file.path)
            except OSError:
                detected = None
            if detected is not None:
                if offer:
                    self.post_message(self.Detected(detected.disk_format))
                note = (
                    mismatch(detected, self.disk_format) or f"looks like {detected.disk_format} ({detected.evidence})"
                )
        self.query_one("#data-note", Static).update(Content(note))
