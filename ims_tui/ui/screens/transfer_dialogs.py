"""The two questions before a transfer: which file to send (upload), where to save (download).

Each dialog only asks; the transfer runs in the main screen's ``TransferPanel`` once it is answered, so the
dialog closes at once and the list stays usable. Typing a path never triggers a letter key (``letter_keys`` is
off); Enter in the path field is the same as the confirm button; Esc cancels and sends nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static

from ims_tui.api.diskformat import mismatch, read_format
from ims_tui.api.download import partial_path
from ims_tui.api.features import ServerFeatures
from ims_tui.api.models import DISK_FORMATS
from ims_tui.ui.format import human_size
from ims_tui.ui.screens.confirm import ConfirmDialog, ConfirmScreen
from ims_tui.ui.text import safe
from ims_tui.ui.widgets import PlainCheckbox
from ims_tui.ui.widgets.path_field import PathField, PathInput

# What a file name may hold when it comes from an image's name: nothing a shell or another OS would trip on.
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def file_name_for(name: str | None, image_id: str, disk_format: str | None) -> str:
    """A local file name for an image: its name made plain, or its id, with the disk format as extension."""
    stem = _UNSAFE.sub("-", name or "").strip("-.")[:80] or image_id
    extension = f".{disk_format}" if disk_format and disk_format not in ("raw", "bare") else ".img"
    return stem if stem.endswith(extension) else stem + extension


@dataclass(frozen=True)
class UploadPlan:
    """``formats``: the disk and container format to set first (Glance refuses data into an image without them),
    as chosen in the dialog; empty when the image has both."""

    path: Path
    stage: bool = False  # glance-direct: stage, then import
    formats: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DownloadPlan:
    path: Path
    overwrite: bool = False


class _PathDialog(ConfirmDialog[object]):
    DEFAULT_CSS = """
    _PathDialog > .confirm-dialog { width: 76; }
    _PathDialog .path-note { height: auto; color: $text-warning; }
    _PathDialog #transfer-formats { height: 1; margin-top: 1; }
    _PathDialog .transfer-label { width: auto; }
    _PathDialog #transfer-disk { width: 20; }
    """

    def __init__(self, title: str, about: Content, field: PathField, *, confirm: str) -> None:
        super().__init__(title, confirm=confirm, prefix="transfer", tone="accent", letter_keys=False)
        self.about = about
        self.field = field
        self.confirm_button.variant = "primary"

    def compose_body(self) -> ComposeResult:
        yield Static(self.about, classes="confirm-message")
        yield self.field
        yield Static("", classes="path-note")

    def first_focus(self) -> Widget:
        return self.field.input

    def action_next_field(self) -> None:
        """Tab in the path field completes (after the letters typed just before it have landed); elsewhere it
        moves on, as in every dialog."""
        focused = self.focused
        if isinstance(focused, PathInput):
            self.after_typing(focused.action_complete)
        else:
            super().action_next_field()

    def note(self, text: str) -> None:
        self.query_one(".path-note", Static).update(Content(text))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_cancel(self) -> None:
        self.dismiss(None)


class UploadScreen(_PathDialog):
    """Dismisses with an ``UploadPlan``, or None. Warns when the file's header disagrees with the image's
    ``disk_format`` (qcow2 data in an image declared raw boots as garbage) and when this cloud cannot take it."""

    def __init__(
        self,
        name: str,
        disk_format: str | None,
        features: ServerFeatures | None,
        *,
        container_format: str | None = "bare",
        cwd: Path | None = None,
    ) -> None:
        about = Content.assemble(
            "Upload data into ", (safe(name), "bold"), f" (disk format {safe(disk_format or 'not set yet')})"
        )
        super().__init__("Upload image data", about, PathField(kind="source", cwd=cwd), confirm="Upload")
        self.disk_format = disk_format
        self.container_format = container_format
        self.features = features
        # Glance takes no data before both formats are set: the dialog sets them first, from what is chosen here
        self.needs_formats = not disk_format or not container_format

    def compose_body(self) -> ComposeResult:
        yield from super().compose_body()
        if self.needs_formats:
            options = [(name, name) for name in DISK_FORMATS]
            with Horizontal(id="transfer-formats"):
                yield Static("disk format (set first) ", classes="transfer-label")
                yield Select(options, value="raw", allow_blank=False, id="transfer-disk", compact=True)
        if self.features is not None and self.features.offers("glance-direct"):
            yield PlainCheckbox("stage, then import (glance-direct)", id="transfer-stage", compact=True)

    @on(PathField.Changed)
    def _path_changed(self, event: PathField.Changed) -> None:
        self.note(self._warning(event.path) if event.problem is None else "")

    def _warning(self, path: Path) -> str:
        if self.features is not None and self.field.file_size is not None:
            too_big = self.features.upload_problem(self.field.file_size)
            if too_big:
                return too_big
        try:
            detected = read_format(path)
        except OSError:
            return ""
        if self.needs_formats and detected.disk_format in DISK_FORMATS:
            self.query_one("#transfer-disk", Select).value = detected.disk_format  # what the file says it is
        chosen = self._chosen_disk_format()
        return mismatch(detected, chosen) or f"looks like {detected.disk_format} ({detected.evidence})"

    def _chosen_disk_format(self) -> str | None:
        if not self.needs_formats:
            return self.disk_format
        value = self.query_one("#transfer-disk", Select).value
        return value if isinstance(value, str) else None

    @on(Select.Changed, "#transfer-disk")
    def _format_changed(self) -> None:
        if self.field.problem is None:
            self.note(self._warning(self.field.path))

    def action_confirm(self) -> None:
        if self.field.problem:
            self.note(self.field.problem)
            return
        stage = bool(self.query("#transfer-stage")) and self.query_one("#transfer-stage", Checkbox).value
        formats: tuple[tuple[str, str], ...] = ()
        if self.needs_formats:
            formats = (("disk_format", self._chosen_disk_format() or "raw"),)
            formats += (("container_format", self.container_format or "bare"),)
        self.dismiss(UploadPlan(self.field.path, stage=stage, formats=formats))


class DownloadScreen(_PathDialog):
    """Dismisses with a ``DownloadPlan``, or None. A file already at the target is replaced only after a second
    question; a partial file of an earlier download of this image is said to be resumed from."""

    def __init__(
        self, image_id: str, name: str, size: int | None, disk_format: str | None, *, cwd: Path | None = None
    ) -> None:
        self.image_id = image_id
        about = Content.assemble(
            "Download ", (safe(name), "bold"), f" ({human_size(size) or 'size unknown'}) to a local file"
        )
        field = PathField(file_name_for(name, image_id, disk_format), kind="target", cwd=cwd)
        super().__init__("Download image", about, field, confirm="Download")

    @on(PathField.Changed)
    def _path_changed(self, event: PathField.Changed) -> None:
        if event.problem is not None:
            self.note("")
            return
        partial = partial_path(event.path, self.image_id)
        if partial.exists():
            self.note(f"resumes the earlier download ({human_size(partial.stat().st_size)} already here)")
        elif event.path.exists():
            self.note("a file of that name is there: Download asks before replacing it")
        else:
            self.note("")

    def action_confirm(self) -> None:
        if self.field.problem:
            self.note(self.field.problem)
            return
        path = self.field.path
        if not path.exists():
            self.dismiss(DownloadPlan(path))
            return

        def answered(replace: bool | None) -> None:
            if replace:
                self.dismiss(DownloadPlan(path, overwrite=True))
            else:
                self.note("not replaced: choose another name")

        question = Content.assemble("Replace ", (safe(str(path)), "bold"), f" ({human_size(path.stat().st_size)})?")
        self.app.push_screen(ConfirmScreen("Replace the file?", question, confirm="Replace"), answered)
