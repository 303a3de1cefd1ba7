"""No lost update against a real Glance on 127.0.0.1: someone else edits the image while the form is open.

Each check of what the server holds reads the image back with a client of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from textual.widgets import Input

from ims_tui.api import ImageClient
from ims_tui.api.models import Image
from ims_tui.ui.screens.form_dialogs import ConflictScreen
from ims_tui.ui.screens.image_form import ImageFormScreen, PatchPreviewScreen
from tests.ui.helpers import ScreenHost, screen_text, settle

pytestmark = pytest.mark.glance


async def until(pilot: Any, done: Any, what: str) -> None:
    """The real server answers in its own time: let workers run until ``done()`` holds, never sleep."""
    for _ in range(60):
        if done():
            return
        await settle(pilot)
    raise AssertionError(f"{what} never happened; on top: {pilot.app.screen!r}")


@pytest.fixture
async def image(glance_noauth: str) -> AsyncIterator[tuple[ImageClient, Image]]:
    async with ImageClient(glance_noauth) as api:
        name = f"conflict-{uuid.uuid4().hex[:8]}"
        created = await api.create(
            {"name": name, "disk_format": "raw", "container_format": "bare", "min_ram": 512, "os_distro": "ubuntu"}
        )
        yield api, created
        await api.delete(created.id)


async def test_a_field_changed_meanwhile_in_glance_is_shown_and_keep_mine_and_kept_fields_hold(
    glance_noauth: str, image: tuple[ImageClient, Image]
) -> None:
    other, created = image
    async with ImageClient(glance_noauth) as client:
        app = ScreenHost(lambda: ImageFormScreen(client, "edit", created))
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, ImageFormScreen) and app.screen.loaded, "the form")
            form = app.screen
            form.query_one("#name", Input).focus()
            await pilot.press("end", "ctrl+u", *"mine")
            await other.update(
                created.id,
                [
                    {"op": "replace", "path": "/name", "value": "theirs"},
                    {"op": "replace", "path": "/min_ram", "value": 2048},
                ],
            )
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, ConflictScreen), "the conflict screen")
            line = next(row for row in screen_text(app).splitlines() if "Name" in row and "theirs" in row)
            assert created.name[:12] in line and "mine" in line
            assert "kept either way: min_ram" in screen_text(app)
            await pilot.press("tab", "enter")  # Keep mine
            await until(pilot, lambda: isinstance(app.screen, PatchPreviewScreen), "the preview")
            assert app.screen.ops == [{"op": "replace", "path": "/name", "value": "mine"}]
            await pilot.press("enter")
            await until(pilot, lambda: bool(app.results), "the save")
    after = await other.get(created.id)
    assert (after.name, after.min_ram, after.properties["os_distro"]) == ("mine", 2048, "ubuntu")
