"""No lost update: the edit form reads the image again before its preview and never silently overwrites a change
someone else made meanwhile. Against the in-process demo cloud; "someone else" is a second client of it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from ims_tui.api import ImageClient
from ims_tui.api.models import Image
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from ims_tui.ui.screens.form_dialogs import ConflictScreen
from ims_tui.ui.screens.image_form import ImageFormScreen, PatchPreviewScreen

from .helpers import FlakyTransport, ScreenHost, screen_text, settle
from .test_form_screen import burst, type_into


class GatedReads(httpx.AsyncBaseTransport):
    """The demo cloud, except that while ``gate`` is clear a GET waits for it: a check the test holds open."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.gate = asyncio.Event()
        self.gate.set()
        self.held = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and not self.gate.is_set():
            self.held += 1
            await self.gate.wait()
        return await self.inner.handle_async_request(request)


@pytest.fixture
async def other(cloud: DemoCloud) -> AsyncIterator[ImageClient]:
    """Someone else, with a client of their own."""
    async with ImageClient(DEMO_ENDPOINT, transport=cloud.transport, backoff=0) as api:
        yield api


def patches(cloud: DemoCloud) -> int:
    return sum(1 for method, _ in cloud.request_log if method == "PATCH")


def status(app: Any) -> str:
    return str(app.screen.query_one("#form-status", Static).render())


async def edit_form(client: ImageClient, **attributes: Any) -> tuple[Image, ScreenHost]:
    body: dict[str, Any] = {"name": "web", "disk_format": "qcow2", "container_format": "bare", "min_ram": 512}
    body.update(attributes)
    image = await client.create(body)
    return image, ScreenHost(lambda: ImageFormScreen(client, "edit", image))


async def save_after(pilot: Pilot[Any], other: ImageClient, image: Image, *ops: dict[str, Any]) -> None:
    """Someone else patches the image with ``ops``; then the user presses ctrl+s."""
    await other.update(image.id, list(ops))
    await pilot.press("ctrl+s")
    await settle(pilot)


async def opened(pilot: Pilot[Any]) -> ImageFormScreen:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ImageFormScreen) and screen.loaded
    return screen


async def test_the_same_field_changed_meanwhile_shows_all_three_values_and_keep_mine_sends_yours(
    client: ImageClient, other: ImageClient, cloud: DemoCloud
) -> None:
    image, app = await edit_form(client, tags=["prod"], os_distro="ubuntu")
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        await type_into(pilot, "#name", "web-mine")
        await type_into(pilot, "#tags", "prod, lts")
        await other.update(
            image.id,
            [
                {"op": "replace", "path": "/name", "value": "web-theirs"},
                {"op": "replace", "path": "/tags", "value": ["stage"]},
            ],
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictScreen)
        text = screen_text(app)
        assert "Nothing has been sent" in text and "2 fields" in text
        name_line = next(line for line in text.splitlines() if "Name" in line and "web-theirs" in line)
        assert "web " in name_line and "web-mine" in name_line  # original, theirs, yours side by side
        assert any("Tags" in line and "stage" in line and "prod, lts" in line for line in text.splitlines())
        assert app.focused is app.screen.query_one("#conflict-back")  # the safe choice
        assert patches(cloud) == 1  # theirs only
        await pilot.press("tab", "enter")  # Keep mine
        await settle(pilot)
        assert isinstance(app.screen, PatchPreviewScreen)
        assert app.screen.ops == [
            {"op": "replace", "path": "/name", "value": "web-mine"},
            {"op": "replace", "path": "/tags", "value": ["prod", "lts"]},
        ]
        assert "Yours replaces the server's change to: name, tags" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
    after = await other.get(image.id)
    assert after.name == "web-mine" and sorted(after.tags) == ["lts", "prod"]
    assert after.properties["os_distro"] == "ubuntu" and after.min_ram == 512
    assert isinstance(app.results[0], Image) and app.results[0].name == "web-mine"


async def test_take_theirs_drops_the_clashing_field_and_sends_the_rest(
    client: ImageClient, other: ImageClient, cloud: DemoCloud
) -> None:
    image, app = await edit_form(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        await type_into(pilot, "#name", "web-mine")
        await type_into(pilot, "#min_disk", "20")
        await save_after(pilot, other, image, {"op": "replace", "path": "/name", "value": "web-theirs"})
        assert isinstance(app.screen, ConflictScreen)
        assert [clash.key for clash in app.screen.clashes] == ["name"]
        await pilot.press("tab", "tab", "enter")  # Take theirs
        await settle(pilot)
        assert isinstance(app.screen, PatchPreviewScreen)
        assert app.screen.ops == [{"op": "replace", "path": "/min_disk", "value": 20}]
        await pilot.press("escape")  # back: the form shows theirs for the name now, and the user's min disk
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ImageFormScreen)
        assert form.query_one("#name", Input).value == "web-theirs"
        assert form.query_one("#min_disk", Input).value == "20"
        await pilot.press("ctrl+s")  # no clash any more: the user took theirs
        await settle(pilot)
        assert isinstance(app.screen, PatchPreviewScreen)
        await pilot.press("enter")
        await settle(pilot)
    after = await other.get(image.id)
    assert after.name == "web-theirs" and after.min_disk == 20
    assert patches(cloud) == 2  # theirs, and the user's min disk


async def test_take_theirs_with_nothing_left_says_nothing_to_send(
    client: ImageClient, other: ImageClient, cloud: DemoCloud
) -> None:
    image, app = await edit_form(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        await type_into(pilot, "#min_ram", "1024")
        await save_after(pilot, other, image, {"op": "replace", "path": "/min_ram", "value": 4096})
        assert isinstance(app.screen, ConflictScreen)
        assert any("Min RAM" in line and "512" in line and "4096" in line for line in screen_text(app).splitlines())
        await pilot.press("tab", "tab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ImageFormScreen)
        assert "nothing to send" in status(app)
        assert app.screen.query_one("#min_ram", Input).value == "4096"
    assert (await other.get(image.id)).min_ram == 4096
    assert patches(cloud) == 1  # only theirs


async def test_esc_on_the_conflict_goes_back_sends_nothing_and_asks_again(
    client: ImageClient, other: ImageClient, cloud: DemoCloud
) -> None:
    image, app = await edit_form(client, os_distro="ubuntu")
    async with app.run_test(size=(80, 24)) as pilot:
        form = await opened(pilot)
        row = next(r for r in form.query(".prop-row") if r.original == "os_distro")  # type: ignore[attr-defined]
        await type_into(pilot, f"#prop-value-{row.serial}", "debian")  # type: ignore[attr-defined]
        await save_after(pilot, other, image, {"op": "replace", "path": "/os_distro", "value": "fedora"})
        assert isinstance(app.screen, ConflictScreen)
        assert any("os_distro" in line and "fedora" in line for line in screen_text(app).splitlines())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is form
        assert form.query_one(f"#prop-value-{row.serial}", Input).value == "debian"  # type: ignore[attr-defined]
        assert "not sent" in status(app)
        await pilot.press("ctrl+s")  # still theirs on the server: asked again
        await settle(pilot)
        assert isinstance(app.screen, ConflictScreen)
    assert patches(cloud) == 1  # only theirs
    assert (await other.get(image.id)).properties["os_distro"] == "fedora"


async def test_another_field_changed_meanwhile_is_kept_and_the_user_is_told(
    client: ImageClient, other: ImageClient, cloud: DemoCloud
) -> None:
    image, app = await edit_form(client, tags=["prod"], note="old")
    async with app.run_test(size=(80, 24)) as pilot:
        form = await opened(pilot)
        await type_into(pilot, "#name", "web-mine")
        await other.update(
            image.id,
            [
                {"op": "replace", "path": "/min_ram", "value": 2048},
                {"op": "replace", "path": "/tags", "value": ["prod", "new"]},
                {"op": "remove", "path": "/note"},
                {"op": "add", "path": "/added", "value": "by them"},
            ],
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PatchPreviewScreen)
        assert app.screen.ops == [{"op": "replace", "path": "/name", "value": "web-mine"}]
        told = "changed on the server meanwhile, kept: added, min_ram, note, tags"
        assert told.capitalize() in screen_text(app)
        assert told in str(form.query_one("#form-status", Static).render())
        await pilot.press("escape")  # the form has moved to the server's version for what the user left alone
        await settle(pilot)
        assert form.query_one("#min_ram", Input).value == "2048"
        assert form.query_one("#tags", Input).value == "prod, new"
        assert [(r.key, r.value) for r in (row.read() for row in form.query(".prop-row"))] == [  # type: ignore[attr-defined]
            ("added", "by them")
        ]
        assert form.query_one("#name", Input).value == "web-mine"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PatchPreviewScreen)
        await pilot.press("enter")
        await settle(pilot)
    after = await other.get(image.id)
    assert (after.name, after.min_ram, sorted(after.tags)) == ("web-mine", 2048, ["new", "prod"])
    assert after.properties.get("added") == "by them" and "note" not in after.properties


async def test_a_failed_check_sends_nothing_keeps_keystrokes_and_ctrl_s_tries_again(cloud: DemoCloud) -> None:
    flaky = FlakyTransport(cloud.transport, match="/v2/images/")
    async with ImageClient(DEMO_ENDPOINT, transport=flaky, backoff=0, retries=0) as client:
        image, app = await edit_form(client)
        async with app.run_test(size=(80, 24)) as pilot:
            form = await opened(pilot)
            await type_into(pilot, "#name", "web-kept")
            flaky.failing = True
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            panel = form.query_one("#server-error", Static)
            assert "Could not check" in str(panel.border_title)
            first = next(line for line in screen_text(app).splitlines() if "HTTP 500" in line)
            assert first.lstrip("│ ").startswith("HTTP 500 Internal Server Error")  # status first, at 80 columns
            assert "not sent" in status(app)
            assert form.query_one("#name", Input).value == "web-kept"
            flaky.failing = False
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, PatchPreviewScreen)
            await pilot.press("enter")
            await settle(pilot)
    assert sum(1 for method, _ in cloud.request_log if method == "PATCH") == 1
    assert cloud.images[image.id]["name"] == "web-kept"


@pytest.fixture
async def gated(cloud: DemoCloud) -> AsyncIterator[tuple[ImageClient, GatedReads]]:
    gate = GatedReads(cloud.transport)
    async with ImageClient(DEMO_ENDPOINT, transport=gate, backoff=0) as api:
        yield api, gate


async def hold_check(pilot: Pilot[Any], gate: GatedReads, *keys: str) -> None:
    """Press ``keys`` (ending with the save) while the check's read is held, until it is waiting."""
    gate.gate.clear()
    await pilot.press(*keys)
    for _ in range(50):
        if gate.held:
            break
        await pilot.pause()
    assert gate.held == 1 and "checking for changes made meanwhile" in status(pilot.app)


async def test_the_form_stays_usable_while_checking_and_the_preview_shows_what_was_typed(
    cloud: DemoCloud, gated: tuple[ImageClient, GatedReads]
) -> None:
    client, gate = gated
    image, app = await edit_form(client)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await opened(pilot)
        await type_into(pilot, "#name", "web-0")
        await hold_check(pilot, gate, "ctrl+s")
        await pilot.press(*"1", "tab", "tab", "tab", "tab", *"3")  # still typing: name, then min disk
        assert form.query_one("#name", Input).value == "web-01"
        gate.gate.set()
        await settle(pilot)
        assert isinstance(app.screen, PatchPreviewScreen)
        assert app.screen.ops == [
            {"op": "replace", "path": "/name", "value": "web-01"},
            {"op": "replace", "path": "/min_disk", "value": 3},
        ]
    assert sum(1 for method, _ in cloud.request_log if method == "PATCH") == 0


async def test_esc_while_checking_drops_the_check(cloud: DemoCloud, gated: tuple[ImageClient, GatedReads]) -> None:
    client, gate = gated
    image, app = await edit_form(client)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await opened(pilot)
        await type_into(pilot, "#name", "web-x")
        await hold_check(pilot, gate, "ctrl+s")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, PatchPreviewScreen)
        gate.gate.set()
        await settle(pilot)
        assert not isinstance(app.screen, PatchPreviewScreen)  # the dropped answer opens nothing
        await pilot.press("escape")  # keep editing
        await settle(pilot)
        assert app.screen is form and form.query_one("#name", Input).value == "web-x"
    assert sum(1 for method, _ in cloud.request_log if method == "PATCH") == 0


async def test_save_and_enter_in_one_burst_never_confirm_a_preview_not_yet_drawn(
    client: ImageClient, cloud: DemoCloud
) -> None:
    image, app = await edit_form(client)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await opened(pilot)
        await type_into(pilot, "#name", "web-burst")
        await burst(pilot, "ctrl+s", "enter")
        # the enter was the form's (it moved on a field); the preview waits for a key of its own
        assert isinstance(app.screen, PatchPreviewScreen)
        assert patches(cloud) == 0 and form.query_one("#name", Input).value == "web-burst"
        await burst(pilot, "enter")
    assert patches(cloud) == 1 and cloud.images[image.id]["name"] == "web-burst"


async def test_keys_typed_behind_the_save_in_one_burst_reach_the_form_and_the_preview(
    client: ImageClient, other: ImageClient, cloud: DemoCloud
) -> None:
    image, app = await edit_form(client)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await opened(pilot)
        await type_into(pilot, "#name", "web")
        await other.update(image.id, [{"op": "replace", "path": "/name", "value": "web-theirs"}])
        await burst(pilot, "ctrl+s", *"-2", "enter", "enter")
        # a conflict is never answered by keys typed before it was there
        assert isinstance(app.screen, ConflictScreen)
        assert app.screen.clashes[0].yours == "web-2"
        assert form.query_one("#name", Input).value == "web-2"
        await burst(pilot, "tab", "enter")  # now: keep mine
        assert isinstance(app.screen, PatchPreviewScreen)
        await burst(pilot, "enter")
    assert cloud.images[image.id]["name"] == "web-2"
