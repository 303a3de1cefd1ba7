"""One confirm dialog for every question asked before acting: leave a form, send a patch, delete an image.

The answer that loses nothing has the focus unless a dialog says otherwise; Esc and n never confirm; y and the
confirm button do. ``ConfirmScreen`` answers True or False. A dialog whose answer is more than yes or no (the
delete dialog dismisses with the id of the image that is gone, and stays open while it deletes) subclasses
``ConfirmDialog`` with its own result type and overrides ``action_confirm`` and ``action_cancel``; a form that
sends and stays open while it does (import, OBS, key/value tags) is a ``SendingDialog``.

A dialog keeps its look through its ``prefix`` (ids ``<prefix>-dialog``, ``<prefix>-confirm``, ...), its
``tone`` (the border colour) and, where it needs more than a message, ``compose_body``.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar, Literal, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Static
from textual.widgets.button import ButtonVariant

from ims_tui.api.errors import ApiError
from ims_tui.api.outcome import Outcome
from ims_tui.ui import keys
from ims_tui.ui.screens.burst import BurstKeys

ResultT = TypeVar("ResultT")
Tone = Literal["error", "warning", "accent"]

__all__ = ["ConfirmDialog", "ConfirmScreen", "SendingDialog", "Tone", "settled_line"]


def settled_line(outcome: Outcome) -> str:
    """What the check of a lost answer found, without repeating the error the panel already leads with."""
    return outcome.message() if outcome.still_working else dataclasses.replace(outcome, error=None).message()


class ConfirmDialog(BurstKeys, ModalScreen[ResultT]):
    """The layout, keys and focus every confirm dialog shares; what confirming and cancelling do is the subclass's.

    Tab moves between the buttons as it arrives (``BurstKeys``): "Tab Enter" typed in one go presses the button
    the Tab went to."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("confirm")
    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > .confirm-dialog {
        width: 60; max-width: 100%; height: auto; max-height: 100%;
        border: round $error; padding: 0 1; background: $surface;
    }
    ConfirmDialog > .confirm-dialog.-warning { border: round $warning; }
    ConfirmDialog > .confirm-dialog.-accent { border: round $accent; }
    ConfirmDialog .confirm-message { height: auto; }
    ConfirmDialog .confirm-buttons { height: 1; margin-top: 1; }
    ConfirmDialog .confirm-buttons Button { margin-right: 2; }
    ConfirmDialog .confirm-buttons .-hidden { display: none; }
    """

    def __init__(
        self,
        title: str,
        body: Content | str = "",
        *,
        confirm: str = "Confirm",
        cancel: str = "Cancel",
        prefix: str = "confirm",
        cancel_id: str = "cancel",
        tone: Tone = "error",
        confirm_variant: ButtonVariant = "error",
        cancel_variant: ButtonVariant = "default",
        confirm_first: bool = False,
        focus_confirm: bool = False,
        letter_keys: bool = True,
    ) -> None:
        """``letter_keys=False`` turns y and n off where the dialog interrupts typing (a form), so a stray letter
        decides nothing; ``confirm_first`` puts the confirm button on the left."""
        super().__init__()
        self.dialog_title = title
        self.body = Content(body) if isinstance(body, str) else body
        self.prefix = prefix
        self.tone: Tone = tone
        self.letter_keys = letter_keys
        self.focus_confirm = focus_confirm
        self._buttons = (
            Button(confirm, id=f"{prefix}-confirm", classes="confirm-yes", variant=confirm_variant, compact=True),
            Button(cancel, id=f"{prefix}-{cancel_id}", classes="confirm-no", variant=cancel_variant, compact=True),
        )
        self._confirm_first = confirm_first

    @property
    def confirm_button(self) -> Button:
        return self._buttons[0]

    @property
    def cancel_button(self) -> Button:
        return self._buttons[1]

    def compose(self) -> ComposeResult:
        with Vertical(id=f"{self.prefix}-dialog", classes=f"confirm-dialog -{self.tone}") as dialog:
            dialog.border_title = self.dialog_title
            yield from self.compose_body()
            with Horizontal(id=f"{self.prefix}-buttons", classes="confirm-buttons"):
                yield from self._buttons if self._confirm_first else reversed(self._buttons)
                yield from self.compose_beside_buttons()

    def compose_body(self) -> ComposeResult:
        """What the dialog asks: by default one message."""
        yield Static(self.body, id=f"{self.prefix}-message", classes="confirm-message")

    def compose_beside_buttons(self) -> ComposeResult:
        """Widgets after the two buttons, on their line (a key hint, another button)."""
        yield from ()

    def first_focus(self) -> Widget:
        return self.confirm_button if self.focus_confirm else self.cancel_button

    def on_mount(self) -> None:
        self.focus_now(self.first_focus())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("yes", "no"):
            return self.letter_keys
        return True

    def action_yes(self) -> None:
        self.action_confirm()

    def action_no(self) -> None:
        self.action_cancel()

    def action_confirm(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        raise NotImplementedError

    @on(Button.Pressed, ".confirm-yes")
    def _confirm_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, ".confirm-no")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


class ConfirmScreen(ConfirmDialog[bool]):
    """A yes/no question: dismisses with True on confirm, False on cancel (Esc, n or the cancel button)."""

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class SendingDialog(ConfirmDialog[ResultT]):
    """A form dialog that sends: Esc leaves unless a request is on its way; ctrl+y copies the last error."""

    busy = False
    error: ApiError | None = None

    def note(self, text: str) -> None:
        self.query_one(f"#{self.prefix}-error", Static).update(Content(text))

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def action_copy_error(self) -> None:
        if self.error is not None:
            from ims_tui.ui.clipboard import copy_text

            copy_text(self.app, self.error.describe(), what="error")
