"""Delete an image's data from one store of a multi-store server, behind a dialog that says what it means.

The image is read before the dialog opens (``DataActions``), so the stores offered are the ones that hold its data
now. No store is chosen at first: the operator picks one (arrows, then Enter or space), then Delete (Tab Enter, or
y). The request is sent once; a refusal (403 for non-admins, or for the last copy; 409 for a store the server does
not have) stays in the dialog, status first, ``c`` copies the server's words; a lost answer is settled with one GET
(``api.store_delete``), and ``r`` looks again. Dismisses with the ``StoreDeleteResult`` once done, or None.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widget import Widget
from textual.widgets import RadioSet, Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError
from ims_tui.api.features import ServerFeatures
from ims_tui.api.models import Image
from ims_tui.api.store_delete import MEANING, StoreDeleteResult, delete_from_store, settle, stores_of
from ims_tui.ui import keys
from ims_tui.ui.clipboard import copy_text
from ims_tui.ui.screens.confirm import ConfirmDialog
from ims_tui.ui.text import error_line, safe
from ims_tui.ui.widgets import PlainRadioButton


class StoreDeleteScreen(ConfirmDialog[StoreDeleteResult | None]):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("store_delete")
    DEFAULT_CSS = """
    StoreDeleteScreen > .confirm-dialog { width: 72; }
    #store-delete-stores { height: auto; margin-top: 1; border: none; padding: 0; width: 1fr; }
    #store-delete-status { height: auto; color: $text-muted; margin-top: 1; }
    #store-delete-error { height: auto; color: $error; margin-top: 1; display: none; }
    #store-delete-error.-shown { display: block; }
    """

    def __init__(self, client: ImageClient, image: Image, features: ServerFeatures) -> None:
        super().__init__("Delete from one store", confirm="Delete from store", prefix="store-delete")
        self.client, self.image = client, image
        descriptions = {store.id: store.description for store in features.stores}
        self.stores = stores_of(image)
        self.labels = [self._label(store, descriptions.get(store, ""), features.default_store) for store in self.stores]
        self.chosen: str | None = None
        self.busy = False
        self.error: ApiError | None = None
        self.confirm_button.disabled = True  # until a store is chosen

    @staticmethod
    def _label(store: str, description: str, default: str | None) -> str:
        if store == default and "default" not in description:
            description = f"{description}, the default store" if description else "the default store"
        return f"{safe(store)} ({safe(description)})" if description else safe(store)

    def compose_body(self) -> ComposeResult:
        name = safe(self.image.name) if self.image.name else "(no name)"
        held = ", ".join(safe(store) for store in self.stores)
        text = Content.assemble(
            "Delete the data of ", (name, "bold"), f" from one store?\nID {safe(self.image.id)} · now in {held}\n\n"
        )
        yield Static(text + Content(MEANING), id="store-delete-message", classes="confirm-message")
        with RadioSet(id="store-delete-stores", compact=True):
            for label in self.labels:
                yield PlainRadioButton(Content(label), compact=True)  # a str would be read as markup
        yield Static(Content("choose the store: ↑↓ then Enter · esc cancels"), id="store-delete-status")
        yield Static("", id="store-delete-error")

    def first_focus(self) -> Widget:
        return self.query_one(RadioSet)  # choosing a store removes nothing; Delete is two keys further

    @on(RadioSet.Changed)
    def _chosen(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.chosen = self.stores[event.index] if 0 <= event.index < len(self.stores) else None
        if self.chosen is None or self.busy:
            return
        self.confirm_button.label = Content(f"Delete from {safe(self.chosen)}")
        self.confirm_button.disabled = False
        left = ", ".join(safe(store) for store in self.stores if store != self.chosen)
        self._status(f"the data stays in {left}\nsends: DELETE /v2/stores/{safe(self.chosen)}/{safe(self.image.id)}")

    def _status(self, text: str) -> None:
        self.query_one("#store-delete-status", Static).update(Content(text))

    def _show_error(self, exc: ApiError | None, said: str) -> None:
        self.error = exc
        parts: list[str | tuple[str, str]] = [(said, "bold")]
        if exc is not None:
            parts.append("\n" + error_line(exc))
            parts.append(("\nc copies the full error", "italic"))
        shown = self.query_one("#store-delete-error", Static)
        shown.update(Content.assemble(*parts))
        shown.add_class("-shown")

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def action_confirm(self) -> None:
        if self.busy:
            return
        if self.chosen is None:
            self._status("choose the store first: ↑↓ then Enter")
            return
        if not self.confirm_button.disabled:
            self.send(self.chosen)

    def action_copy_error(self) -> None:
        if self.error is None:
            raise SkipAction()
        copy_text(self.app, self.error.describe(), what="error")

    def action_check(self) -> None:
        """After a lost answer: read the image again to see whether the store still holds it."""
        if self.busy or self.chosen is None or self.error is None:
            raise SkipAction()
        self.look_again(self.chosen, self.error)

    @work(exclusive=True, group="store-delete")
    async def send(self, store: str) -> None:
        self._busy(f"deleting the data from {store}…")
        try:
            result = await delete_from_store(self.client, self.image, store)
        except ApiError as exc:
            self.busy = False
            self._show_error(exc, f"Not deleted from {store}: the server refused")
            self.confirm_button.disabled = False
            self.cancel_button.focus()
            self._status("y tries again · esc cancels")
            return
        self._landed(result)

    @work(exclusive=True, group="store-delete")
    async def look_again(self, store: str, error: ApiError) -> None:
        self._busy("reading the image again…")
        self._landed(await settle(self.client, self.image.id, store, error))

    def _busy(self, doing: str) -> None:
        self.busy = True
        self.confirm_button.disabled = True
        self._status(doing)

    def _landed(self, result: StoreDeleteResult) -> None:
        self.busy = False
        if result.state == "done":
            self.app.notify(result.message(), title=safe(self.image.name or self.image.id), markup=False)
            self.dismiss(result)
            return
        self._show_error(result.error, result.message())
        self.cancel_button.focus()
        if result.state == "not_done" and not result.still_working:
            self.confirm_button.disabled = False
            self._status("y tries again · esc cancels")
        else:  # sending again before a look shows the store still there could be the second of two deletes
            self._status("r checks again · esc cancels")
