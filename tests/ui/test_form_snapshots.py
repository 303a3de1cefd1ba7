"""SVG snapshots of the form and delete screens at 80x24 and 120x40, against the seeded demo cloud."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from ims_tui.api import ImageClient
from ims_tui.api.models import Image
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from ims_tui.ui.screens.delete import DeleteImageScreen
from ims_tui.ui.screens.image_form import ImageFormScreen

from .helpers import DroppingTransport, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
# Fixed ids and timestamps keep the pictures stable from run to run.
FIXED_ID = "5b7f1c2e-0d4a-4c8e-9a61-3f2e8d7c6b5a"
FIXED_TIME = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


class Host(App[None]):
    CSS = "Screen { background: $background; }"


def setup(
    build: Callable[[ImageClient, DemoCloud, DroppingTransport], Awaitable[Any]],
    then: Callable[[Pilot[Any], DroppingTransport], Awaitable[None]] | None = None,
) -> tuple[App[None], Callable[[Pilot[Any]], Awaitable[None]]]:
    cloud = DemoCloud(image_count=3, latency=0.0, seed=42, clock=lambda: FIXED_TIME)
    transport = DroppingTransport(cloud.transport)
    client = ImageClient(DEMO_ENDPOINT, transport=transport, backoff=0)
    app = Host()

    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await build(client, cloud, transport)
        app.push_screen(screen)
        await settle(pilot)
        if then is not None:
            await then(pilot, transport)
            await settle(pilot)
        for widget in app.screen.query(Input):
            widget.cursor_blink = False
        await pilot.pause()

    return app, run_before


async def fixed_image(client: ImageClient, **attributes: Any) -> Image:
    body: dict[str, Any] = {
        "id": FIXED_ID,
        "name": "ubuntu-22.04 [web] \x1b[31m",
        "disk_format": "qcow2",
        "container_format": "bare",
        "min_disk": 10,
        "min_ram": 1024,
        "tags": ["prod", "linux"],
        "os_distro": "ubuntu",
        "old_note": "remove me",
    }
    body.update(attributes)
    return await client.create(body)


@pytest.mark.parametrize("size", SIZES)
def test_create_form_with_a_validation_error(snap_compare: Any, size: tuple[int, int]) -> None:
    async def build(client: ImageClient, cloud: DemoCloud, transport: DroppingTransport) -> Any:
        return ImageFormScreen(client, "create")

    async def then(pilot: Pilot[Any], transport: DroppingTransport) -> None:
        await pilot.press(*"web-01")
        pilot.app.screen.query_one("#min_ram").focus()
        await pilot.press("end", "ctrl+u", *"abc")
        await pilot.press("ctrl+n", *"os_glance_x", "tab", *"1")
        await pilot.press("ctrl+s")

    app, run_before = setup(build, then)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_edit_preview(snap_compare: Any, size: tuple[int, int]) -> None:
    async def build(client: ImageClient, cloud: DemoCloud, transport: DroppingTransport) -> Any:
        return ImageFormScreen(client, "edit", await fixed_image(client))

    async def then(pilot: Pilot[Any], transport: DroppingTransport) -> None:
        screen = pilot.app.screen
        screen.query_one("#name").focus()
        await pilot.press("end", "ctrl+u", *"ubuntu-22.04-web")
        screen.query_one("#tags").focus()
        await pilot.press("end", "ctrl+u", *"prod, lts")
        row = next(r for r in screen.query(".prop-row") if r.original == "old_note")  # type: ignore[attr-defined]
        screen.query_one(f"#prop-remove-{row.serial}").focus()  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.press("ctrl+n", *"hw_firmware_type", "tab", *"uefi")
        await pilot.press("ctrl+s")

    app, run_before = setup(build, then)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_server_error_in_the_form(snap_compare: Any, size: tuple[int, int]) -> None:
    async def build(client: ImageClient, cloud: DemoCloud, transport: DroppingTransport) -> Any:
        return ImageFormScreen(client, "edit", await fixed_image(client))

    async def then(pilot: Pilot[Any], transport: DroppingTransport) -> None:
        pilot.app.screen.query_one("#min_ram").focus()
        await pilot.press("end", "ctrl+u", *"2048")
        await pilot.press("ctrl+s")
        await settle(pilot)
        transport.drop_writes = True
        await pilot.press("ctrl+s")

    app, run_before = setup(build, then)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_delete_confirm(snap_compare: Any, size: tuple[int, int]) -> None:
    async def build(client: ImageClient, cloud: DemoCloud, transport: DroppingTransport) -> Any:
        return DeleteImageScreen(client, await fixed_image(client))

    app, run_before = setup(build)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_protected_delete_explained(snap_compare: Any, size: tuple[int, int]) -> None:
    async def build(client: ImageClient, cloud: DemoCloud, transport: DroppingTransport) -> Any:
        return DeleteImageScreen(client, await fixed_image(client, protected=True))

    app, run_before = setup(build)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_edit_conflict(snap_compare: Any, size: tuple[int, int]) -> None:
    """Someone else renamed the image, retagged it and changed a property the user is changing too."""

    async def build(client: ImageClient, cloud: DemoCloud, transport: DroppingTransport) -> Any:
        return ImageFormScreen(client, "edit", await fixed_image(client, note="x" * 60))

    async def then(pilot: Pilot[Any], transport: DroppingTransport) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, ImageFormScreen)
        screen.query_one("#name").focus()
        await pilot.press("end", "ctrl+u", *"ubuntu-22.04-web-frontend-production-eu-de-01")
        screen.query_one("#tags").focus()
        await pilot.press("end", "ctrl+u", *"prod, lts")
        row = next(r for r in screen.query(".prop-row") if r.original == "note")  # type: ignore[attr-defined]
        screen.query_one(f"#prop-value-{row.serial}").focus()  # type: ignore[attr-defined]
        await pilot.press("end", "ctrl+u", *"mine")
        ops = [
            {"op": "replace", "path": "/name", "value": "ubuntu-22.04 \u202eevil\u202c by someone else"},
            {"op": "replace", "path": "/tags", "value": []},
            {"op": "remove", "path": "/note"},
            {"op": "replace", "path": "/min_ram", "value": 2048},
        ]
        await screen.client.update(FIXED_ID, ops)
        await pilot.press("ctrl+s")

    app, run_before = setup(build, then)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
