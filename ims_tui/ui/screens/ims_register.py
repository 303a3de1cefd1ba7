"""Create an image from a file in OBS, quick-import one, or register one into a queued image (``B``, IMS only).

One form, three ways (the first field chooses): a new image (``POST /v2/cloudimages/action``: name, the file,
the OS version picked from IMS's own list, min disk, description, type, automatic configuration), a quick import
(``POST /v2/cloudimages/quickimport/action``: RAW or ZVHD2 files), or, when the highlighted image is a queued one
of this project, registering the file into it (``PUT /v1/cloudimages/{id}/upload``). The OS versions are read
once when the form opens (``GET /v1/cloudimages/os_version``); typing in the OS field narrows the list below it,
Down moves into the list and Enter picks. The preview, checks, confirm and job hand-over are ``ObsJobDialog``'s.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError
from ims_tui.api.image_rows import ImageRow
from ims_tui.api.ims_obs import (
    IMAGE_TYPES,
    QUICK_IMPORT_RULE,
    QUICK_TYPES,
    CreateRequest,
    obs_url,
    register_problems,
)
from ims_tui.api.models import Image
from ims_tui.ui.screens.ims_export import ObsJobDialog, field_row, text_input
from ims_tui.ui.text import error_line, safe
from ims_tui.ui.widgets import PlainCheckbox

OS_ROWS = 3  # the OS list's height: the form fits 80x24


def os_matches(versions: list[str], typed: str) -> list[str]:
    """The versions holding every word typed, in IMS's order; all of them for nothing typed."""
    words = typed.lower().split()
    return [version for version in versions if all(word in version.lower() for word in words)]


class CreateObsScreen(ObsJobDialog):
    """Dismisses with the job id (``kind`` and ``image_id`` say what it was started for), or None."""

    DEFAULT_CSS = """
    CreateObsScreen #obs-os-list { height: 3; margin-left: 12; border: none; }
    CreateObsScreen .obs-half { width: 1fr; }
    CreateObsScreen .obs-short { width: 8; }
    CreateObsScreen .obs-gap { width: auto; }
    """
    FIELDS: ClassVar[dict[str, str]] = {
        "name": "obs-name",
        "bucket": "obs-bucket",
        "object": "obs-object",
        "os_version": "obs-os",
        "min_disk": "obs-min-disk",
        "description": "obs-description",
        "type": "obs-type",
        "image": "obs-mode",
    }

    def __init__(self, client: ImageClient, queued: ImageRow | None = None, image: Image | None = None) -> None:
        super().__init__(client, "Create from OBS (IMS)", confirm="Send…")
        self.queued = queued  # a queued image of this project: "register" is offered, and chosen first
        self.image = image
        self.versions: list[str] | None = None  # IMS's list, once read
        self.kind = "register" if queued is not None else "create"

    @property
    def image_id(self) -> str | None:
        return self.queued.id if self.kind == "register" and self.queued is not None else None

    def compose_body(self) -> ComposeResult:
        modes = [("a new image", "create"), ("quick import (RAW, ZVHD2)", "quick")]
        if self.queued is not None:
            name = self.queued.name or self.queued.id
            modes.insert(0, (f"register into {safe(name)[:40]}", "register"))
        yield field_row("make", Select(modes, value=self.kind, allow_blank=False, id="obs-mode", compact=True))
        yield field_row("name", text_input("obs-name", placeholder="the new image's name"), "obs-name-row")
        with Horizontal(classes="obs-row"):
            yield Static("bucket", classes="obs-label")
            yield text_input("obs-bucket", placeholder="my-bucket").add_class("obs-half")
            yield Static(" file ", classes="obs-gap")
            yield text_input("obs-object", placeholder="image.qcow2").add_class("obs-half")
        yield field_row("OS version", text_input("obs-os", placeholder="type to narrow, ↓ to pick"), "obs-os-row")
        yield OptionList(id="obs-os-list", markup=False, compact=True)
        with Horizontal(classes="obs-row", id="obs-disk-row"):
            yield Static("min disk GB", classes="obs-label")
            yield text_input("obs-min-disk", "40").add_class("obs-short")
            yield Static("  type ", classes="obs-gap")
            yield Select(
                [(kind, kind) for kind in IMAGE_TYPES], value="ECS", allow_blank=False, id="obs-type", compact=True
            )
        yield field_row("description", text_input("obs-description"), "obs-description-row")
        yield PlainCheckbox("automatic configuration (is_config)", value=False, id="obs-config", compact=True)
        yield Static(QUICK_IMPORT_RULE, id="obs-quick-rule", classes="obs-rule", markup=False)
        yield from self.compose_preview()

    def on_mount(self) -> None:
        super().on_mount()
        self._show_mode()
        self._read_versions()

    @work(exclusive=True, group="ims-os-versions")
    async def _read_versions(self) -> None:
        try:
            found = await self.client.os_versions()
        except ApiError as exc:
            self.query_one("#obs-os-list", OptionList).set_options([Option(f"no list: {error_line(exc)}")])
            return
        self.versions = [version.os_version for version in found]
        self._narrow()

    def _narrow(self) -> None:
        shown = self.query_one("#obs-os-list", OptionList)
        if self.versions is None:
            shown.set_options([Option("reading IMS's OS versions…", disabled=True)])
            return
        typed = self.query_one("#obs-os", Input).value
        matches = os_matches(self.versions, typed)
        shown.set_options([Option(safe(version), id=version) for version in matches] or [Option("no match")])
        if matches:
            shown.highlighted = 0

    @on(Input.Changed, "#obs-os")
    def _os_typed(self) -> None:
        self._narrow()

    def on_key(self, event: events.Key) -> None:
        os_field = self.query_one("#obs-os", Input)
        if event.key == "down" and os_field.has_focus:
            event.stop()
            self.focus_now(self.query_one("#obs-os-list", OptionList))

    @on(OptionList.OptionSelected, "#obs-os-list")
    def _os_picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self._pick(event.option.id)

    def _pick(self, version: str) -> None:
        self.query_one("#obs-os", Input).value = version
        self.focus_now(self.query_one("#obs-min-disk", Input))

    @on(Input.Submitted, "#obs-os")
    def _os_entered(self, event: Input.Submitted) -> None:
        event.stop()  # Enter in the OS field picks the highlighted match rather than sending
        event.prevent_default()  # ObsJobDialog's own Submitted handler (send) does not run
        shown = self.query_one("#obs-os-list", OptionList)
        index = shown.highlighted
        option = shown.get_option_at_index(index) if index is not None and shown.option_count else None
        if option is not None and option.id is not None:
            self._pick(option.id)

    @on(Select.Changed, "#obs-mode")
    def _mode_changed(self, event: Select.Changed) -> None:
        self.kind = str(event.value)
        self._show_mode()

    def _show_mode(self) -> None:
        creating = self.kind != "register"
        quick = self.kind == "quick"
        for row in ("#obs-name-row", "#obs-os-row", "#obs-os-list", "#obs-disk-row", "#obs-description-row"):
            self.query_one(row).display = creating
        self.query_one("#obs-config").display = self.kind == "create"
        self.query_one("#obs-quick-rule").display = quick
        kinds = QUICK_TYPES if quick else IMAGE_TYPES
        chooser = self.query_one("#obs-type", Select)
        current = chooser.value
        chooser.set_options([(kind, kind) for kind in kinds])
        chooser.value = current if current in kinds else "ECS"
        self.redraw()

    # -- the request --------------------------------------------------------------------------------------

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def create_request(self) -> CreateRequest:
        disk = self._value("obs-min-disk")
        return CreateRequest(
            name=self._value("obs-name"),
            bucket=self._value("obs-bucket"),
            object=self._value("obs-object"),
            os_version=self._value("obs-os"),
            min_disk=int(disk) if disk.isdigit() else None,
            description=self.query_one("#obs-description", Input).value,
            is_config=self.query_one("#obs-config", Checkbox).value,
            type=str(self.query_one("#obs-type", Select).value),
            quick=self.kind == "quick",
        )

    def what(self) -> str:
        if self.kind == "register" and self.queued is not None:
            return f"register a file into {self.queued.name or self.queued.id}"
        return f"{'quick import' if self.kind == 'quick' else 'create'} {self._value('obs-name') or 'an image'}"

    def request_line(self) -> tuple[str, str, dict[str, Any]]:
        if self.kind == "register" and self.queued is not None:
            url = obs_url(self._value("obs-bucket"), self._value("obs-object"))
            return "PUT", f"/v1/cloudimages/{self.queued.id}/upload", {"image_url": url}
        request = self.create_request()
        return "POST", request.path, request.body()

    def problems(self) -> dict[str, str]:
        if self.kind == "register" and self.queued is not None:
            image = self.image or Image.model_validate({"id": self.queued.id, "status": self.queued.status})
            return register_problems(image, self._value("obs-bucket"), self._value("obs-object"))
        known = set(self.versions) if self.versions is not None else None
        return self.create_request().problems(known)

    async def send_request(self) -> str:
        if self.kind == "register" and self.queued is not None:
            url = obs_url(self._value("obs-bucket"), self._value("obs-object"))
            return await self.client.register_from_obs(self.queued.id, url)
        return await self.client.create_from_obs(self.create_request())

    def after_lost(self) -> str:
        if self.kind == "register":
            return "reload: a registering image leaves queued"
        return "reload and look for an image of that name"


__all__ = ["CreateObsScreen", "os_matches"]
