"""Delete one image, behind a dialog that starts on Cancel and checks the image's current state first."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError, NotFound
from ims_tui.api.models import Image
from ims_tui.ui.form_model import literal


def _name(image: Image) -> str:
    return literal(image.name) if image.name else "(no name)"


class DeleteImageScreen(ModalScreen[str | None]):
    """Dismisses with the id of the image that is gone (deleted now, or already), or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="delete_image.cancel"),
        Binding("y", "delete", "Delete", id="delete_image.confirm"),
        Binding("n", "cancel", "Cancel", id="delete_image.cancel_n", show=False),
    ]
    DEFAULT_CSS = """
    DeleteImageScreen { align: center middle; }
    DeleteImageScreen > #delete-dialog {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $error; padding: 0 1; background: $surface;
    }
    #delete-dialog.-protected { border: round $warning; }
    #delete-message { height: auto; }
    #delete-status { height: auto; color: $text-muted; margin-top: 1; }
    #delete-error { height: auto; color: $error; margin-top: 1; display: none; }
    #delete-error.-shown { display: block; }
    #delete-buttons { height: 1; margin-top: 1; }
    #delete-buttons Button { margin-right: 2; }
    #delete-buttons .-hidden { display: none; }
    """

    def __init__(self, client: ImageClient, image: Image) -> None:
        super().__init__()
        self.client = client
        self.image = image
        self.checked = False
        self.protected = False
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="delete-dialog") as dialog:
            dialog.border_title = "Delete image?"
            yield Static(self._question(), id="delete-message")
            yield Static("checking the image's current state…", id="delete-status")
            yield Static("", id="delete-error")
            with Horizontal(id="delete-buttons"):
                yield Button("Cancel", id="delete-cancel", compact=True)
                yield Button("Delete", id="delete-confirm", variant="error", compact=True, disabled=True)
                yield Button("Close", id="delete-close", compact=True, classes="-hidden")

    def _question(self) -> Content:
        return Content.assemble(
            "Delete ",
            (_name(self.image), "bold"),
            f"?\nID {self.image.id}\n",
            "The image and its data are removed for good; this cannot be undone.",
        )

    def on_mount(self) -> None:
        self.query_one("#delete-cancel", Button).focus()
        self.check()

    @work(exclusive=True, group="delete-check")
    async def check(self) -> None:
        # The list row may be stale: ask the server whether the image is protected now
        try:
            fresh = await self.client.get(self.image.id)
        except NotFound:
            self._gone()
            return
        except ApiError as exc:
            # The delete itself will say if it is refused; do not block it on a failed look-up
            self._show_error(exc, "Could not check the image first")
            self._ready()
            return
        self.image = fresh
        self.query_one("#delete-message", Static).update(self._question())
        if fresh.protected:
            self._show_protected()
            return
        self._ready()

    def _ready(self) -> None:
        self.checked = True
        self.query_one("#delete-status", Static).update(Content("y or the Delete button deletes · esc cancels"))
        self.query_one("#delete-confirm", Button).disabled = False

    def _show_protected(self) -> None:
        self.protected = True
        dialog = self.query_one("#delete-dialog", Vertical)
        dialog.border_title = "Protected image"
        dialog.add_class("-protected")
        text = Content.assemble(
            (_name(self.image), "bold"),
            " is protected: Glance refuses to delete it. Unprotect it first: press e to edit and turn off Protected.",
            f"\nID {self.image.id}",
        )
        self.query_one("#delete-message", Static).update(text)
        self.query_one("#delete-status", Static).update(Content("no delete was sent · esc or enter closes"))
        for button_id in ("#delete-cancel", "#delete-confirm"):
            self.query_one(button_id, Button).add_class("-hidden")
        close = self.query_one("#delete-close", Button)
        close.remove_class("-hidden")
        close.focus()

    def _show_error(self, exc: ApiError, title: str) -> None:
        error = self.query_one("#delete-error", Static)
        error.update(Content.assemble((f"{title}: {exc.title}\n", "bold"), literal(exc.describe())))
        error.add_class("-shown")

    def _gone(self) -> None:
        self.app.notify(f"{_name(self.image)} was already gone", title="Image not found", markup=False)
        self.dismiss(self.image.id)

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    @on(Button.Pressed, "#delete-cancel")
    @on(Button.Pressed, "#delete-close")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#delete-confirm")
    def action_delete(self) -> None:
        if self.busy or self.protected or not self.checked:
            return
        self.remove_image()

    @work(exclusive=True, group="delete-send")
    async def remove_image(self) -> None:
        self.busy = True
        confirm = self.query_one("#delete-confirm", Button)
        confirm.disabled = True
        self.query_one("#delete-status", Static).update(Content("deleting…"))
        self.query_one("#delete-error", Static).remove_class("-shown")
        try:
            await self.client.delete(self.image.id)
        except NotFound:
            self.busy = False
            self._gone()
            return
        except ApiError as exc:
            self.busy = False
            self._show_error(exc, "Not deleted")
            confirm.disabled = False
            self.query_one("#delete-status", Static).update(Content("y tries again · esc cancels"))
            self.query_one("#delete-cancel", Button).focus()
            return
        self.busy = False
        self.app.notify(f"Deleted {_name(self.image)}", markup=False)
        self.dismiss(self.image.id)
