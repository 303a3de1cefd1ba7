"""The question before a running upload or download is stopped (ctrl+x, or Esc on the list once nothing nearer
is left to clear): "Go on" has the focus, Esc answers it, and nothing is stopped without a button or y."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import Button

from ims_tui.ui.screens.confirm import ConfirmDialog
from ims_tui.ui.transfers import Transfer


class StopTransferScreen(ConfirmDialog[str | None]):
    """Stop a running transfer? Dismisses with "stop", "delete" (stop, and delete the image an upload was
    filling) or None (go on). Focus starts on going on."""

    DEFAULT_CSS = "StopTransferScreen > .confirm-dialog { width: 72; }"  # three buttons on one line

    def __init__(self, transfer: Transfer, *, letter_keys: bool = True) -> None:
        """``letter_keys=False`` when Esc opened it: a reflex Esc followed by a list key (y is Raw) in one burst
        must not answer the question; only a button (Tab Enter) stops the transfer then."""
        upload = transfer.kind != "download"
        body = Content.assemble(
            f"Stop the {'upload' if upload else 'download'} of ",
            (transfer.label, "bold"),
            "?\n",
            "The image stays queued (no data): upload again later, or delete it too."
            if upload
            else "What arrived is kept aside: the next download to the same file resumes from it.",
            ("\nesc keeps it going", "italic"),
        )
        super().__init__(
            "Stop transfer?",
            body,
            confirm="Stop",
            cancel="Go on",
            prefix="stop",
            tone="warning",
            letter_keys=letter_keys,
        )
        self.upload = upload

    def compose_beside_buttons(self) -> Any:
        if self.upload:
            yield Button("Stop and delete the image", id="stop-delete", variant="error", compact=True)

    def on_button_pressed(self, event: Any) -> None:
        if getattr(event.button, "id", None) == "stop-delete":
            self.dismiss("delete")

    def action_confirm(self) -> None:
        self.dismiss("stop")

    def action_cancel(self) -> None:
        self.dismiss(None)
