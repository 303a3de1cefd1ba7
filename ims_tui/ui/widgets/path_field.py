"""A local path field with Tab completion, for the upload source and the download target."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from ims_tui.ui import keys
from ims_tui.ui.format import human_size
from ims_tui.ui.path_complete import Completion, complete, expand, inspect, split
from ims_tui.ui.text import safe
from ims_tui.ui.widgets import SteadyInput

# Candidates shown under the field: three lines fit a dialog at 80x24 with room for the rest.
SHOWN_CANDIDATES = 12


class PathInput(SteadyInput):
    """Tab completes as a shell does: to the longest common part, then lists the choices; with nothing left to
    complete, Tab moves on as it does everywhere else."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("path")

    class Completed(Message):
        def __init__(self, completion: Completion) -> None:
            super().__init__()
            self.completion = completion

    def __init__(self, value: str = "", *, cwd: Path | None = None, **kwargs: object) -> None:
        super().__init__(value, **kwargs)  # type: ignore[arg-type]
        self.cwd = cwd

    def action_complete(self) -> None:
        found = complete(self.value, self.cwd)
        if found.common != self.value:
            self.value = found.common
            self.cursor_position = len(self.value)
        elif not found.candidates or found.unique:
            self.screen.focus_next()
        self.post_message(self.Completed(found))


class PathField(Vertical):
    """A ``PathInput`` and, under it, the choices Tab found and what the path holds.

    ``kind="source"``: the path must be a readable file (its size is shown). ``kind="target"``: its folder must
    exist; a file already there is said plainly, since saving will ask before replacing it.
    """

    DEFAULT_CSS = """
    PathField { height: auto; }
    PathField > .path-choices { height: auto; max-height: 3; color: $text-muted; }
    PathField > .path-about { height: 1; color: $text-muted; }
    PathField > .path-about.-problem { color: $error; }
    """

    class Changed(Message):
        """The path changed: ``path`` as it will be used, ``problem`` why it cannot be (None when it can)."""

        def __init__(self, field: PathField, path: Path, problem: str | None, size: int | None) -> None:
            super().__init__()
            self.field, self.path, self.problem, self.file_size = field, path, problem, size

        @property
        def control(self) -> PathField:
            return self.field

    def __init__(
        self,
        value: str = "",
        *,
        kind: Literal["source", "target"] = "source",
        cwd: Path | None = None,
        placeholder: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.kind = kind
        self.cwd = cwd
        self._value = value
        self._placeholder = placeholder
        self.problem: str | None = None
        self.file_size: int | None = None

    def compose(self) -> ComposeResult:
        yield PathInput(self._value, cwd=self.cwd, placeholder=self._placeholder, classes="path-input", compact=True)
        yield Static("", classes="path-choices")
        yield Static("", classes="path-about")

    @property
    def input(self) -> PathInput:
        return self.query_one(PathInput)

    @property
    def value(self) -> str:
        return self.input.value

    @property
    def path(self) -> Path:
        path = expand(self.value)
        return path if path.is_absolute() or self.cwd is None else self.cwd / path

    def on_mount(self) -> None:
        self._describe(self.value)

    @on(PathInput.Completed)
    def _completed(self, event: PathInput.Completed) -> None:
        event.stop()
        found = event.completion
        choices = self.query_one(".path-choices", Static)
        if found.problem:
            choices.update(Content(f"cannot list that folder: {safe(found.problem)}"))
        elif len(found.candidates) > 1 or found.more:
            names = [safe(split(candidate)[1]) for candidate in found.candidates[:SHOWN_CANDIDATES]]
            left = len(found.candidates) - len(names) + found.more
            choices.update(Content("  ".join(names) + (f"  … and {left} more" if left else "")))
        elif not found.candidates:
            choices.update(Content("nothing here starts with that"))
        else:
            choices.update(Content(""))

    @on(Input.Changed, ".path-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._describe(event.value)

    def _describe(self, text: str) -> None:
        about = self.query_one(".path-about", Static)
        self.problem, self.file_size = self._check(text)
        if self.problem:
            about.update(Content(self.problem))
        elif self.file_size is not None:
            about.update(Content(f"{human_size(self.file_size)} ({self.file_size:,} bytes)"))
        else:
            about.update(Content("a new file" if self.kind == "target" else ""))
        about.set_class(bool(self.problem) and bool(text), "-problem")
        self.post_message(self.Changed(self, self.path, self.problem, self.file_size))

    def _check(self, text: str) -> tuple[str | None, int | None]:
        if self.kind == "source":
            found = inspect(text, self.cwd)
            return (safe(found.problem) if found.problem else None), found.size
        if not text:
            return "no file given", None
        path = self.path
        if path.is_dir() or text.endswith("/"):
            return "a folder: add a file name", None
        if not path.parent.is_dir():
            return f"no such folder: {safe(str(path.parent))}", None
        if path.exists():
            return None, path.stat().st_size  # shown as the size of what would be replaced
        return None, None
