"""The last error in full, one key away from wherever it was cut to one line: to read, and to copy to support.

A screen or widget that shows a failure posts ``ErrorReported``; it bubbles to the app, which keeps the last one,
and ``E`` (app.last_error) opens it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from ims_tui.api.errors import ApiError
from ims_tui.config.errors import ConfigError
from ims_tui.ui import keys
from ims_tui.ui.text import error_line, safe, safe_lines


@dataclass(frozen=True)
class ErrorReport:
    """A failure as a person reads it: ``what`` was being done ("could not list images") and the ``error``."""

    what: str
    error: BaseException

    @property
    def text(self) -> str:
        """Every fact of it, one a line: what failed, the message, the status, the request sent, the request id."""
        error = self.error
        if isinstance(error, ApiError):
            body = error.describe()
        elif isinstance(error, ConfigError):
            body = error.format()
        else:
            body = error_line(error)
        return f"{self.what}\n{body}"


@dataclass
class ErrorReported(Message):
    """A failure was shown; the app keeps the last one for ``E``."""

    report: ErrorReport


class ErrorScreen(ModalScreen[None]):
    """The full text of one error; c copies it, Esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("error")
    DEFAULT_CLASSES = "dialog-screen"
    DEFAULT_CSS = """
    ErrorScreen > .dialog { width: 76; max-height: 100%; border: round $error; }
    ErrorScreen #error-body { height: auto; }
    """

    def __init__(self, report: ErrorReport) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog") as scroll:
            scroll.border_title = "Last error"
            scroll.border_subtitle = "c copies · Esc closes"
            yield Static(safe_lines(self.report.text), id="error-body", markup=False)

    def action_close(self) -> None:
        self.dismiss()

    def action_copy(self) -> None:
        from ims_tui.ui.clipboard import copy_text

        text = self.report.text
        copy_text(self.app, text, what="error", show=safe(text.partition("\n")[0]))

    def action_scroll_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up(animate=False)
