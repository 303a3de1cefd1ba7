"""The argument of "download to a folder": a path field whose Tab completes folders only, checked as typed (the
folder must exist and be writable) before any plan is made. Dismisses with ``(folder,)``, or None on Esc."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ims_tui.api.bulk_download import folder_problem
from ims_tui.ui import keys
from ims_tui.ui.format import plural
from ims_tui.ui.path_complete import Completion, complete
from ims_tui.ui.screens.bulk_dialogs import DIALOG_CSS
from ims_tui.ui.text import safe
from ims_tui.ui.widgets.path_field import PathField, PathInput


class FolderInput(PathInput):
    """Tab completes as ``PathInput`` does, offering folders only."""

    def action_complete(self) -> None:
        found = complete(self.value, self.cwd)
        folders = tuple(candidate for candidate in found.candidates if candidate.endswith("/"))
        common = os.path.commonprefix(list(folders)) if folders and not found.more else self.value
        common = common if len(common) > len(self.value) else self.value
        found = Completion(found.text, common, folders, found.more, found.problem)
        if found.common != self.value:
            self.value = found.common
            self.cursor_position = len(self.value)
        self.post_message(self.Completed(found))


class FolderField(PathField):
    """A ``PathField`` for a folder to save into: it must exist and be writable."""

    def compose(self) -> ComposeResult:
        yield FolderInput(self._value, cwd=self.cwd, placeholder=self._placeholder, classes="path-input", compact=True)
        yield Static("", classes="path-choices")
        yield Static("", classes="path-about")

    def _check(self, text: str) -> tuple[str | None, int | None]:
        if not text.strip():
            return "no folder given", None
        problem = folder_problem(self.path)
        return (safe(problem) if problem else None), None


def home_relative(path: Path) -> str:
    """``path`` with the home folder written ``~``: shorter in a title at 80 columns, and as the user types it."""
    home = Path.home()
    if path == home:
        return "~"
    return "~/" + str(path.relative_to(home)) if path.is_relative_to(home) else str(path)


class BulkFolderScreen(ModalScreen[tuple[str, ...] | None]):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("bulk_folder")
    DEFAULT_CSS = DIALOG_CSS.format(cls="BulkFolderScreen")

    def __init__(self, count: int, *, cwd: Path) -> None:
        super().__init__()
        self.count = count
        self.cwd = cwd

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Download {plural(self.count, 'image')} to a folder"
            yield FolderField(home_relative(self.cwd).rstrip("/") + "/", cwd=self.cwd, id="bulk-folder")
            yield Static(
                "tab completes folders · enter: the plan (nothing is downloaded yet) · esc: back", classes="bulk-hint"
            )

    def on_mount(self) -> None:
        self.set_focus(self.query_one(FolderInput))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        field = self.query_one(FolderField)
        if field.problem is None:
            self.dismiss((home_relative(field.path),))  # bulk_download expands the ~
        else:
            field.query_one(".path-about", Static).update(Content(field.problem))

    def action_cancel(self) -> None:
        self.dismiss(None)
