"""The masked prompt for a password or secret key that no file, variable or command supplied."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ims_tui.ui import keys
from ims_tui.ui.text import safe
from ims_tui.ui.widgets import SteadyInput


class PasswordScreen(ModalScreen[str | None]):
    """Dismisses with what was typed, or None on Esc. The value never reaches a log, a title or a notification."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("password")
    DEFAULT_CLASSES = "dialog-screen"
    DEFAULT_CSS = """
    #password-dialog { width: 64; border: round $accent; }
    #password-prompt, #password-error, #password-hint { height: auto; }
    #password-error { color: $text-error; margin-bottom: 1; }
    #password-hint { color: $text-muted; }
    """

    def __init__(self, prompt: str, error: str | None = None) -> None:
        super().__init__()
        self.prompt = prompt
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(id="password-dialog", classes="dialog") as dialog:
            dialog.border_title = "Sign in"
            if self.error:
                yield Static(safe(self.error), id="password-error", markup=False)
            yield Static(safe(self.prompt), id="password-prompt", markup=False)
            yield SteadyInput(password=True, id="password-input")
            yield Static("Enter signs in · Esc cancels (the list stays empty until you sign in)", id="password-hint")

    def on_mount(self) -> None:
        self.query_one("#password-input", Input).focus()

    @on(Input.Submitted, "#password-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value:
            self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
