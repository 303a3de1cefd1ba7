"""Import data into an image through Glance's interoperable import, or copy an active image to more stores.

Only what the server lists is offered (``ServerFeatures.offers``): ``web-download`` (a URL the image service
fetches itself) for a queued image, ``copy-image`` (to stores that do not hold it yet) for an active one.
``glance-direct`` is the upload dialog's "stage, then import". The dialog sends the one request (202: the
service works on in the background) and dismisses with the image as it is then; the live watch follows the
import until it ends. A refusal stays in the dialog in plain words (``imports.import_problem``).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError
from ims_tui.api.features import ServerFeatures
from ims_tui.api.imports import ImportRequest, import_problem, import_state
from ims_tui.api.models import Image
from ims_tui.ui import keys
from ims_tui.ui.screens.confirm import SendingDialog
from ims_tui.ui.text import safe
from ims_tui.ui.widgets import PlainCheckbox, SteadyInput


def copy_targets(image: Image, features: ServerFeatures) -> list[str]:
    """The stores an active image can still be copied to: writable ones it is not in, nor being copied to."""
    state = import_state(image)
    held = set(state.stores) | set(state.importing_to)
    return [store.id for store in features.stores if store.id not in held and not store.read_only]


class ImportScreen(SendingDialog[Image | None]):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("import_data")  # not "c": the URL field takes letters
    DEFAULT_CSS = """
    ImportScreen > .confirm-dialog { width: 76; }
    #import-url { margin-top: 1; }
    #import-stores { height: auto; margin-top: 1; }
    #import-error { height: auto; color: $error; margin-top: 1; }
    """

    def __init__(self, client: ImageClient, image: Image, features: ServerFeatures) -> None:
        self.client, self.image, self.features = client, image, features
        self.method = "copy-image" if image.status == "active" else "web-download"
        self.targets = copy_targets(image, features) if self.method == "copy-image" else []
        title = "Copy to stores" if self.method == "copy-image" else "Import from a URL"
        super().__init__(title, confirm="Import", prefix="import", tone="accent", letter_keys=False)
        self.confirm_button.variant = "primary"

    @classmethod
    def problem(cls, image: Image, features: ServerFeatures) -> str | None:
        """Why this image cannot be imported into here, in words; None when it can."""
        if image.status == "active":
            if not features.offers("copy-image"):
                return features.why_not("copy")
            if not copy_targets(image, features):
                return "the image is in every store already (or being copied there)"
            return None
        if image.status != "queued":
            return f"an import needs a queued image (or an active one to copy); this one is {image.status}"
        if not image.disk_format or not image.container_format:
            return "Glance imports no data into an image without a disk and a container format: e sets them"
        if not features.offers("web-download"):
            why = features.why_not("import")
            return why or "this server does not enable web-download; upload a file instead (u)"
        return None

    def compose_body(self) -> ComposeResult:
        name = safe(self.image.name) if self.image.name else "(no name)"
        if self.method == "copy-image":
            where = ", ".join(import_state(self.image).stores) or "no store yet"
            text = Content.assemble("Copy ", (name, "bold"), f" (now in {safe(where)}) to more stores:")
            yield Static(text, classes="confirm-message")
            with Widget(id="import-stores"):
                for index, store in enumerate(self.targets):
                    yield PlainCheckbox(Content(safe(store)), value=True, id=f"import-store-{index}", compact=True)
                yield PlainCheckbox("every store must succeed", value=True, id="import-all-must", compact=True)
        else:
            text = Content.assemble("The image service downloads the data of ", (name, "bold"), " from a URL:")
            yield Static(text, classes="confirm-message")
            yield SteadyInput(placeholder="https://…/image.qcow2", id="import-url", compact=True)
        yield Static("", id="import-error")

    def first_focus(self) -> Widget:
        if self.method == "web-download":
            return self.query_one("#import-url", Input)
        return super().first_focus()

    @on(Input.Submitted, "#import-url")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def _request(self) -> ImportRequest | None:
        if self.method == "copy-image":
            stores = [s for i, s in enumerate(self.targets) if self.query_one(f"#import-store-{i}", Checkbox).value]
            if not stores:
                self._say("choose at least one store")
                return None
            must = self.query_one("#import-all-must", Checkbox).value
            return ImportRequest.copy_image(stores, all_stores_must_succeed=must)
        url = self.query_one("#import-url", Input).value.strip()
        if not url.startswith(("http://", "https://")):
            self._say("a URL starting with http:// or https://")
            return None
        return ImportRequest.web_download(url)

    def _say(self, text: str) -> None:
        self.query_one("#import-error", Static).update(Content(text))

    def action_confirm(self) -> None:
        if self.busy:
            return
        request = self._request()
        if request is not None:
            self.send(request)

    @work(exclusive=True, group="import")
    async def send(self, request: ImportRequest) -> None:
        self.busy = True
        self.confirm_button.disabled = True
        try:
            await self.client.import_image(self.image.id, request)
            fresh = await self.client.get(self.image.id)
        except ApiError as exc:
            self.busy = False
            self.error = exc
            self.confirm_button.disabled = False
            self._say(f"{safe(import_problem(exc, request))} · ctrl+y copies the full error")
            return
        self.busy = False
        self.dismiss(fresh)
