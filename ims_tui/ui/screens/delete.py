"""Delete one image behind the confirm dialog: Cancel has the focus, Esc never deletes, protection is explained."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError, NotFound
from ims_tui.api.models import Image
from ims_tui.api.outcome import Outcome, settle_delete
from ims_tui.ui import keys
from ims_tui.ui.clipboard import copy_text
from ims_tui.ui.screens.confirm import ConfirmDialog, settled_line
from ims_tui.ui.text import safe


def _name(name: str | None) -> str:
    return safe(name) if name else "(no name)"


class DeleteImageScreen(ConfirmDialog[str | None]):
    """Dismisses with the id of the image that is gone (deleted now, or already), or None.

    ``image`` is taken as the server has it now (the detail pane's fresh copy), so a second read would tell
    nothing new. Handed only ``image_id`` (and the ``name`` the list shows), or with ``fresh=False``, the dialog
    opens at once and reads the image first, so a protected image is explained instead of refused; Delete waits
    for that read, and a failed read does not block it.
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("delete_image")
    DEFAULT_CSS = """
    DeleteImageScreen > #delete-dialog { width: 72; }
    #delete-status { height: auto; color: $text-muted; margin-top: 1; }
    #delete-error { height: auto; color: $error; margin-top: 1; display: none; }
    #delete-error.-shown { display: block; }
    """

    def __init__(
        self,
        client: ImageClient,
        image: Image | None = None,
        *,
        image_id: str | None = None,
        name: str | None = None,
        fresh: bool = True,
    ) -> None:
        super().__init__("Delete image?", confirm="Delete", prefix="delete")
        if image is None and image_id is None:
            raise ValueError("DeleteImageScreen needs an image or an image_id")
        self.client = client
        self.image = image
        self.image_id: str = image.id if image is not None else str(image_id)
        self.image_name = image.name if image is not None else name
        self.fresh = fresh and image is not None
        self.checked = False
        self.protected = False
        self.busy = False
        self.last_error: ApiError | None = None
        self.confirm_button.disabled = True  # until the image's state is known

    def compose_body(self) -> ComposeResult:
        yield Static(self._question(), id="delete-message", classes="confirm-message")
        yield Static("checking the image's current state…", id="delete-status")
        yield Static("", id="delete-error")

    def compose_beside_buttons(self) -> ComposeResult:
        yield Button("Close", id="delete-close", compact=True, classes="-hidden")

    def _question(self) -> Content:
        return Content.assemble(
            "Delete ",
            (_name(self.image_name), "bold"),
            f"?\nID {safe(self.image_id)}\n",
            "The image and its data are removed for good; this cannot be undone.",
        )

    def on_mount(self) -> None:
        # runs before ConfirmDialog.on_mount, which then focuses first_focus()
        if not self.fresh:
            self.check()
        elif self.image is not None and self.image.protected:
            self._show_protected()
        else:
            self._ready()

    def first_focus(self) -> Widget:
        return self.query_one("#delete-close", Button) if self.protected else super().first_focus()

    @work(exclusive=True, group="delete-check")
    async def check(self) -> None:
        """Read the image's state now (a stale list row may say unprotected, or name an image already gone)."""
        try:
            fresh = await self.client.get(self.image_id)
        except NotFound:
            self._gone()
            return
        except ApiError as exc:
            # The delete itself will say if it is refused; do not block it on a failed look-up
            self._show_error(exc, "Could not check the image first")
            self._ready()
            return
        self.image, self.image_name = fresh, fresh.name
        self.query_one("#delete-message", Static).update(self._question())
        if fresh.protected:
            self._show_protected()
            return
        self._ready()

    def _ready(self) -> None:
        self.checked = True
        self.query_one("#delete-status", Static).update(Content("y or the Delete button deletes · esc cancels"))
        self.confirm_button.disabled = False

    def _show_protected(self) -> None:
        self.protected = True
        dialog = self.query_one("#delete-dialog", Vertical)
        dialog.border_title = "Protected image"
        dialog.add_class("-warning")
        text = Content.assemble(
            (_name(self.image_name), "bold"),
            " is protected: Glance refuses to delete it. Unprotect it first: press e to edit and turn off Protected.",
            f"\nID {safe(self.image_id)}",
        )
        self.query_one("#delete-message", Static).update(text)
        self.query_one("#delete-status", Static).update(Content("no delete was sent · esc or enter closes"))
        self.cancel_button.add_class("-hidden")
        self.confirm_button.add_class("-hidden")
        close = self.query_one("#delete-close", Button)
        close.remove_class("-hidden")
        close.focus()

    def _show_error(self, exc: ApiError, title: str, said: str = "") -> None:
        """Status first (``one_line``), so 72 columns show what failed; c copies the full error."""
        self.last_error = exc
        error = self.query_one("#delete-error", Static)
        parts: list[str | tuple[str, str]] = [(f"{title}: ", "bold"), safe(exc.one_line())]
        if said:
            parts.append("\n" + safe(said))
        parts.append(("\nc copies the full error", "italic"))
        error.update(Content.assemble(*parts))
        error.add_class("-shown")

    def action_copy_error(self) -> None:
        if self.last_error is None:
            raise SkipAction()
        copy_text(self.app, self.last_error.describe(), what="error")

    def action_check(self) -> None:
        """Look at the image again (after a delete whose answer was lost): gone closes the dialog."""
        if self.busy:
            return
        self.query_one("#delete-status", Static).update(Content("checking the image's current state…"))
        self.check()

    def _gone(self) -> None:
        self.app.notify(f"{_name(self.image_name)} was already gone", title="Image not found", markup=False)
        self.dismiss(self.image_id)

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    @on(Button.Pressed, "#delete-close")
    def _close_pressed(self) -> None:
        self.action_cancel()

    def action_confirm(self) -> None:
        if self.busy or self.protected or not self.checked:
            return
        self.remove_image()

    @work(exclusive=True, group="delete-send")
    async def remove_image(self) -> None:
        self.busy = True
        self.confirm_button.disabled = True
        self.query_one("#delete-status", Static).update(Content("deleting…"))
        self.query_one("#delete-error", Static).remove_class("-shown")
        try:
            await self.client.delete(self.image_id)
        except NotFound:
            self.busy = False
            self._gone()
            return
        except ApiError as exc:
            outcome = await settle_delete(self.client, self.image_id, exc) if exc.outcome_unknown else None
            self.busy = False
            self._failed(exc, outcome)
            return
        self.busy = False
        self.app.notify(f"Deleted {_name(self.image_name)}", markup=False)
        self.dismiss(self.image_id)

    def _failed(self, error: ApiError, outcome: Outcome | None) -> None:
        """Say what became of a failed delete: gone after all (the dialog closes), maybe gone (check first), still
        there (y tries again), or still there after a timeout, when the service may yet delete it."""
        if outcome is not None and outcome.state == "done":
            self.app.notify(outcome.message(), title=f"Deleted {_name(self.image_name)}", markup=False)
            self.dismiss(self.image_id)
            return
        status = self.query_one("#delete-status", Static)
        self.cancel_button.focus()
        if outcome is not None and outcome.state == "unknown":
            self._show_error(error, "Maybe deleted", settled_line(outcome))
            status.update(Content("r checks again · esc cancels"))
            self.checked = False  # Delete again only once a check shows the image still there
            return
        # after a timeout the image is there now, but the service may still delete it: "not yet", not "not"
        later = outcome is not None and outcome.still_working
        self._show_error(error, "Not deleted yet" if later else "Not deleted", settled_line(outcome) if outcome else "")
        self.confirm_button.disabled = False
        status.update(Content(("r checks again · " if later else "") + "y tries again · esc cancels"))
