"""The image form against the in-process demo cloud: typed by keyboard, checked on the server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from ims_tui.api import ImageClient
from ims_tui.api.models import Image
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from ims_tui.ui.form_model import FormSchema
from ims_tui.ui.screens.form_dialogs import ConflictScreen
from ims_tui.ui.screens.image_form import DiscardChangesScreen, ImageFormScreen, PatchPreviewScreen

from .helpers import DroppingTransport, FlakyTransport, ScreenHost


def writes(cloud: DemoCloud) -> list[tuple[str, str]]:
    return [(method, path) for method, path in cloud.request_log if method != "GET"]


async def settle(app: App[Any], pilot: Pilot[Any]) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def type_into(pilot: Pilot[Any], selector: str, text: str, *, clear: bool = True) -> None:
    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    await pilot.pause()
    if clear:
        await pilot.press("end", "ctrl+u")
    await pilot.press(*text)


def error_text(app: App[Any], selector: str) -> str:
    widget = app.screen.query_one(selector, Static)
    return str(widget.render()) if widget.has_class("-shown") else ""


# -- create -------------------------------------------------------------------------------------------------


async def test_create_by_keyboard_sends_right_types(client: ImageClient, cloud: DemoCloud) -> None:
    app = ScreenHost(lambda: ImageFormScreen(client, "create"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"web-01")  # the name field has focus
        await type_into(pilot, "#min_disk", "20")
        await type_into(pilot, "#min_ram", "2048")
        await type_into(pilot, "#tags", "prod, linux")
        app.screen.query_one("#protected").focus()
        await pilot.press("space")
        await pilot.press("ctrl+n", *"os_distro", "tab", *"ubuntu")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert len(app.results) == 1 and isinstance(app.results[0], Image)
    created = await client.get(app.results[0].id)
    assert created.name == "web-01"
    assert created.min_disk == 20 and type(created.min_disk) is int
    assert created.min_ram == 2048 and type(created.min_ram) is int
    assert created.protected is True
    assert sorted(created.tags) == ["linux", "prod"]
    assert created.properties["os_distro"] == "ubuntu"
    assert created.visibility == "private"
    assert writes(cloud) == [("POST", "/v2/images")]


async def test_min_ram_abc_is_shown_next_to_the_field_and_nothing_is_sent(
    client: ImageClient, cloud: DemoCloud
) -> None:
    app = ScreenHost(lambda: ImageFormScreen(client, "create"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await type_into(pilot, "#min_ram", "abc")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "must be a whole number, not 'abc'" in error_text(app, "#error-min_ram")
        assert error_text(app, "#error-min_disk") == ""
        assert app.focused is app.screen.query_one("#min_ram")
        assert app.results == []
    assert writes(cloud) == []


async def test_a_create_refuses_emoji_and_out_of_range_numbers_beside_each_field(
    client: ImageClient, cloud: DemoCloud
) -> None:
    app = ScreenHost(lambda: ImageFormScreen(client, "create"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        screen.query_one("#name", Input).value = "web-\U0001f600"
        screen.query_one("#tags", Input).value = "ok, \U0001f680"
        screen.query_one("#min_ram", Input).value = "2147483648"
        await pilot.press("ctrl+n", *"os_distro", "tab")
        screen.query_one(".prop-value", Input).value = "\U0001f427"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "beyond U+FFFF" in error_text(app, "#error-name")
        assert "beyond U+FFFF" in error_text(app, "#error-tags")
        assert "too large" in error_text(app, "#error-min_ram")
        assert "beyond U+FFFF" in error_text(app, ".prop-row .field-error")
        assert "4 problems" in str(screen.query_one("#form-status", Static).render())
        assert app.focused is screen.query_one("#name")
    assert writes(cloud) == []


async def test_reserved_property_key_is_refused_before_sending(client: ImageClient, cloud: DemoCloud) -> None:
    app = ScreenHost(lambda: ImageFormScreen(client, "create"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"img")
        await pilot.press("ctrl+n", *"os_glance_x", "tab", *"1")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "reserved" in error_text(app, ".prop-row .field-error")
        assert app.results == []
    assert ("POST", "/v2/images") not in cloud.request_log


async def test_create_refused_by_the_network_keeps_every_value(
    client: ImageClient, cloud: DemoCloud, transport: DroppingTransport
) -> None:
    app = ScreenHost(lambda: ImageFormScreen(client, "create"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"kept")
        await type_into(pilot, "#min_ram", "512")
        await pilot.press("ctrl+n", *"k", "tab", *"v")
        transport.drop_writes = True
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        panel = app.screen.query_one("#server-error", Static)
        assert panel.has_class("-shown")
        assert "dropped" in str(panel.render())
        assert app.screen.query_one("#name", Input).value == "kept"
        assert app.screen.query_one("#min_ram", Input).value == "512"
        assert app.screen.query_one(".prop-value", Input).value == "v"
        # one key retries, and it goes through once the network is back
        transport.drop_writes = False
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert isinstance(app.results[0], Image) and app.results[0].name == "kept"


# -- edit ---------------------------------------------------------------------------------------------------


async def make_image(client: ImageClient, **attributes: Any) -> Image:
    base: dict[str, Any] = {"name": "app-server", "disk_format": "qcow2", "container_format": "bare"}
    base.update(attributes)
    return await client.create(base)


async def open_edit(app: ScreenHost, pilot: Pilot[Any]) -> None:
    await settle(app, pilot)
    assert isinstance(app.screen, ImageFormScreen) and app.screen.loaded


async def test_edit_preview_lists_exact_ops_then_confirm_updates(client: ImageClient, cloud: DemoCloud) -> None:
    image = await make_image(client, tags=["a", "b"], old="gone soon", keep="same")
    app = ScreenHost(lambda: ImageFormScreen(client, "edit", image))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_edit(app, pilot)
        await type_into(pilot, "#name", "app-server-2")
        await type_into(pilot, "#tags", "b, c")
        old_row = next(row for row in app.screen.query(".prop-row") if row.original == "old")  # type: ignore[attr-defined]
        app.screen.query_one(f"#prop-remove-{old_row.serial}").focus()  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.press("ctrl+n", *"k", "tab", *"v")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        preview = app.screen
        assert isinstance(preview, PatchPreviewScreen)
        assert preview.ops == [
            {"op": "replace", "path": "/name", "value": "app-server-2"},
            {"op": "replace", "path": "/tags", "value": ["b", "c"]},
            {"op": "add", "path": "/k", "value": "v"},
            {"op": "remove", "path": "/old"},
        ]
        assert "PATCH" not in [method for method, _ in cloud.request_log]
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    after = await client.get(image.id)
    assert after.name == "app-server-2"
    assert sorted(after.tags) == ["b", "c"]
    assert after.properties.get("k") == "v" and "old" not in after.properties
    assert after.properties["keep"] == "same"
    assert isinstance(app.results[0], Image) and app.results[0].name == "app-server-2"


async def test_esc_on_the_preview_goes_back_and_sends_nothing(client: ImageClient, cloud: DemoCloud) -> None:
    image = await make_image(client)
    app = ScreenHost(lambda: ImageFormScreen(client, "edit", image))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_edit(app, pilot)
        await type_into(pilot, "#min_ram", "1024")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, PatchPreviewScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, ImageFormScreen)
        assert app.screen.query_one("#min_ram", Input).value == "1024"
    assert [m for m, _ in cloud.request_log].count("PATCH") == 0


async def test_nothing_changed_sends_nothing(client: ImageClient, cloud: DemoCloud) -> None:
    image = await make_image(client, tags=["x"], prop="v")
    app = ScreenHost(lambda: ImageFormScreen(client, "edit", image))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_edit(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ImageFormScreen)
        assert "Nothing changed: nothing will be sent" in str(app.screen.query_one("#form-status", Static).render())
        # an unchanged form closes on Esc without asking
        await pilot.press("escape")
        await settle(app, pilot)
    assert app.results == [None]
    assert [m for m, _ in cloud.request_log].count("PATCH") == 0


async def test_a_409_keeps_input_shows_request_id_and_the_retry_compares_again(
    client: ImageClient, cloud: DemoCloud
) -> None:
    image = await make_image(client, doomed="1")
    app = ScreenHost(lambda: ImageFormScreen(client, "edit", image))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_edit(app, pilot)
        row = next(r for r in app.screen.query(".prop-row") if r.original == "doomed")  # type: ignore[attr-defined]
        await type_into(pilot, f"#prop-value-{row.serial}", "2")  # type: ignore[attr-defined]
        await type_into(pilot, "#name", "renamed")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, PatchPreviewScreen)
        # someone else removes the property after the check: "replace /doomed" is now a 409
        await client.update(image.id, [{"op": "remove", "path": "/doomed"}])
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ImageFormScreen)
        panel = app.screen.query_one("#server-error", Static)
        assert panel.has_class("-shown")
        text = str(panel.render())
        assert "HTTP 409" in text and "request id" in text
        assert app.screen.query_one("#name", Input).value == "renamed"
        assert app.screen.query_one(f"#prop-value-{row.serial}", Input).value == "2"  # type: ignore[attr-defined]
        # the retry reads the image again: the removal clashes with the user's new value, and keeping theirs...
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConflictScreen)
        assert [clash.key for clash in app.screen.clashes] == ["doomed"]
        await pilot.press("tab", "enter")  # Keep mine
        await settle(app, pilot)
        assert isinstance(app.screen, PatchPreviewScreen)
        assert app.screen.ops == [
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "add", "path": "/doomed", "value": "2"},
        ]
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    after = await client.get(image.id)
    assert after.name == "renamed" and after.properties["doomed"] == "2"


async def test_editing_to_a_read_only_key_is_shown_next_to_the_row(client: ImageClient, cloud: DemoCloud) -> None:
    image = await make_image(client)
    app = ScreenHost(lambda: ImageFormScreen(client, "edit", image))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_edit(app, pilot)
        await pilot.press("ctrl+n", *"status", "tab", *"active")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "read-only" in error_text(app, ".prop-row .field-error")
    assert [m for m, _ in cloud.request_log].count("PATCH") == 0


async def test_esc_with_changes_asks_and_focuses_keep_editing(client: ImageClient, cloud: DemoCloud) -> None:
    app = ScreenHost(lambda: ImageFormScreen(client, "create"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"draft")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, DiscardChangesScreen)
        assert app.focused is not None and app.focused.id == "discard-keep"
        await pilot.press("escape")  # Esc keeps editing
        await settle(app, pilot)
        assert isinstance(app.screen, ImageFormScreen)
        assert app.screen.query_one("#name", Input).value == "draft"
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("enter")  # Enter on the focused "Keep editing"
        await settle(app, pilot)
        assert isinstance(app.screen, ImageFormScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("tab", "enter")  # Discard
        await settle(app, pilot)
    assert app.results == [None]
    assert writes(cloud) == []


@pytest.mark.parametrize(
    ("name", "drawn"),
    [
        ("[bold]evil[/bold] \x1b[2J", "[bold]evil[/bold] \\x1b[2J"),
        # a right-to-left override would show "bidi-exe.png" to the eye, and a zero-width joiner nothing at all
        ("bidi-\u202egnp.exe\u200d", "bidi-\\u202egnp.exe\\u200d"),
    ],
)
async def test_names_are_shown_literally(client: ImageClient, name: str, drawn: str) -> None:
    image = await make_image(client, name=name)
    app = ScreenHost(lambda: ImageFormScreen(client, "edit", image))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_edit(app, pilot)
        title = str(app.screen.query_one("#form-title", Static).render())
        assert f"Edit image  {drawn}" in title
        assert not {"\x1b", "\u202e", "\u200d"} & set(title)
        # shown escaped, but an untouched name is not a change
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Nothing changed" in str(app.screen.query_one("#form-status", Static).render())


def test_every_binding_has_an_id() -> None:
    for screen in (ImageFormScreen, PatchPreviewScreen, DiscardChangesScreen, ConflictScreen):
        for binding in screen.BINDINGS:
            assert getattr(binding, "id", None), (screen, binding)


async def test_ims_create_shows_visibility_fixed_and_sends_private(client: ImageClient, cloud: DemoCloud) -> None:
    app = ScreenHost(lambda: ImageFormScreen(client, "create", ims=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        fixed = app.screen.query_one("#visibility", Static)
        assert str(fixed.render()) == "private"
        assert not fixed.can_focus
        await pilot.press(*"ims-image", "ctrl+s")
        await settle(app, pilot)
    assert isinstance(app.results[0], Image)
    assert (await client.get(app.results[0].id)).visibility == "private"


async def test_format_choices_come_from_the_server_schema(client: ImageClient) -> None:
    schema = {"properties": {"disk_format": {"enum": [None, "raw", "qcow2"]}, "container_format": {"enum": ["bare"]}}}
    app = ScreenHost(lambda: ImageFormScreen(client, "create", schema=schema))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        disk = app.screen.query_one("#disk_format", Select)
        assert [value for _, value in disk._options if value is not Select.NULL] == ["raw", "qcow2"]
        assert [value for _, value in app.screen.query_one("#container_format", Select)._options][-1] == "bare"


async def test_create_refused_by_the_server_shows_status_and_request_id(cloud: DemoCloud) -> None:
    # a non-admin project: Glance's policy refuses it "public" images with a 403
    member = {"X-Identity-Status": "Confirmed", "X-Project-Id": "p-member", "X-Roles": "member"}
    client = ImageClient(DEMO_ENDPOINT, transport=cloud.transport, headers=member)
    app = ScreenHost(lambda: ImageFormScreen(client, "create"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"public-one")
        # choose "public" from the list by keyboard: open it, type to search, pick
        app.screen.query_one("#visibility", Select).focus()
        await pilot.press("enter", *"pub", "enter")
        await settle(app, pilot)
        assert app.screen.query_one("#visibility", Select).value == "public"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        text = str(app.screen.query_one("#server-error", Static).render())
        assert "HTTP 403" in text and "request id req-" in text
        assert app.screen.query_one("#name", Input).value == "public-one"
        assert app.results == []
    await client.aclose()


async def test_plus_property_button_and_remove_button_work_by_keyboard(client: ImageClient) -> None:
    app = ScreenHost(lambda: ImageFormScreen(client, "create"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.screen.query_one("#add-property").focus()
        await pilot.press("enter")
        await settle(app, pilot)
        rows = list(app.screen.query(".prop-row"))
        assert len(rows) == 1
        assert app.focused is app.screen.query_one(".prop-key")
        await pilot.press(*"k", "tab", *"v", "tab")
        assert app.focused is not None and app.focused.has_class("prop-remove")
        await pilot.press("enter")
        await settle(app, pilot)
        assert list(app.screen.query(".prop-row")) == []
        assert app.focused is not None and app.focused.id == "add-property"


# -- one read per action ------------------------------------------------------------------------------------


def image_reads(cloud: DemoCloud, image_id: str) -> int:
    return sum(1 for method, path in cloud.request_log if method == "GET" and path == f"/v2/images/{image_id}")


async def test_the_edit_form_starts_from_the_image_it_is_handed(client: ImageClient, cloud: DemoCloud) -> None:
    image = await make_image(client, tags=["a"], os_distro="ubuntu")
    app = ScreenHost(lambda: ImageFormScreen(client, "edit", image))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_edit(app, pilot)
        assert app.screen.query_one("#name", Input).value == "app-server"
        assert app.screen.query_one("#disk_format", Select).value == "qcow2"
        assert app.screen.query_one(".prop-value", Input).value == "ubuntu"
        assert app.focused is app.screen.query_one("#name")
    assert image_reads(cloud, image.id) == 0


async def test_a_form_told_its_image_may_be_stale_reads_it_and_ctrl_r_retries_a_failed_read(
    cloud: DemoCloud,
) -> None:
    flaky = FlakyTransport(cloud.transport, mode="drop", match="/v2/images/")
    client = ImageClient(DEMO_ENDPOINT, transport=flaky, backoff=0)
    image = await make_image(client)
    stale = image.model_copy(update={"name": "old-name"})
    flaky.failing = True
    app = ScreenHost(lambda: ImageFormScreen(client, "edit", stale, fresh=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ImageFormScreen) and not screen.loaded
        assert "Could not load the image" in str(screen.query_one("#server-error", Static).border_title)
        flaky.failing = False
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert screen.loaded and not screen.query_one("#server-error", Static).has_class("-shown")
        assert screen.query_one("#name", Input).value == "app-server"  # the server's, not the stale copy's
    await client.aclose()


# -- keys in one burst --------------------------------------------------------------------------------------

CHARACTERS = {"tab": "\t", "enter": "\r", "space": " ", "ctrl+n": "\x0e", "ctrl+s": "\x13"}


async def burst(pilot: Pilot[Any], *keys: str) -> None:
    """Post the keys back to back, as the driver does when a slow link delivers them in one read (pilot.press
    waits for the app to go idle between keys, which a burst never does); then let them all land: each key that
    bubbles (a binding) takes one more round of every widget's queue, so one pause per key is enough."""
    for key in keys:
        pilot.app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))
    for _ in range(len(keys) + 2):
        await pilot.pause()
    await settle(pilot.app, pilot)


async def test_text_typed_behind_tabs_in_one_burst_lands_in_the_field_the_tabs_went_to(client: ImageClient) -> None:
    app = ScreenHost(lambda: ImageFormScreen(client, "create"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        # name -> disk format -> container format -> visibility -> min disk -> min RAM -> protected -> tags
        await burst(pilot, *"web", *["tab"] * 7, *"prod")
        screen = app.screen
        assert screen.query_one("#name", Input).value == "web"
        assert screen.query_one("#tags", Input).value == "prod"
        assert app.focused is screen.query_one("#tags")
        await burst(pilot, *["shift+tab"] * 7, *"-01")
        assert screen.query_one("#name", Input).value == "web-01"


async def test_tabs_and_text_pressed_back_to_back_land_where_the_tabs_went(client: ImageClient) -> None:
    app = ScreenHost(lambda: ImageFormScreen(client, "create"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"web", *["tab"] * 7, *"prod", *["shift+tab"] * 7, *"-01")
        screen = app.screen
        assert screen.query_one("#tags", Input).value == "prod"
        assert screen.query_one("#name", Input).value == "web-01"


async def test_the_filter_panel_applies_text_typed_just_before_enter() -> None:
    from ims_tui.api.models import ListQuery
    from ims_tui.ui.screens.filter import FilterScreen

    app = ScreenHost(lambda: FilterScreen(ListQuery()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"web", "tab", "tab", "tab", "tab", *"alice", *["shift+tab"] * 4, *"-01", "enter")
    assert [(query.name, query.owner) for query in app.results] == [("web-01", "alice")]


async def test_enter_and_ctrl_n_in_one_burst_move_on_before_the_next_keys(client: ImageClient) -> None:
    app = ScreenHost(lambda: ImageFormScreen(client, "create"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await burst(pilot, *"img", "ctrl+n", *"os_distro", "enter", *"ubuntu", "ctrl+n", *"hw", "tab", *"uefi")
        screen = app.screen
        assert screen.query_one("#name", Input).value == "img"
        assert [i.value for i in screen.query(".prop-key").results(Input)] == ["os_distro", "hw"]
        assert [i.value for i in screen.query(".prop-value").results(Input)] == ["ubuntu", "uefi"]


async def test_tab_enter_in_one_burst_on_the_discard_dialog_presses_discard(client: ImageClient) -> None:
    app = ScreenHost(lambda: ImageFormScreen(client, "create"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"draft", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, DiscardChangesScreen)
        await burst(pilot, "tab", "enter")
    assert app.results == [None]


async def test_the_filter_panel_takes_a_burst_where_it_was_meant() -> None:
    from ims_tui.api.models import ListQuery
    from ims_tui.ui.screens.filter import FilterScreen

    app = ScreenHost(lambda: FilterScreen(ListQuery()))
    async with app.run_test(size=(80, 24)) as pilot:
        # typed before the panel has even drawn: the keys wait for its first focus, the name field
        await burst(pilot, *"web", "tab", "tab", "tab", "tab", *"alice")
        screen = app.screen
        assert screen.query_one("#f-name", Input).value == "web"
        assert app.focused is screen.query_one("#f-owner", Input)
        assert screen.query_one("#f-owner", Input).value == "alice"
        await burst(pilot, *["shift+tab"] * 4, *"-01", "enter")
    assert len(app.results) == 1
    assert app.results[0].name == "web-01"


# -- lost answers: settled, never repeated blindly, never reported wrongly ----------------------------------


class LosingTransport(httpx.AsyncBaseTransport):
    """The demo cloud, except that while ``mode`` is set a write's answer is lost: "applied" forwards the write
    and then raises ``httpx.ReadError``; "not_applied" raises before forwarding. ``reads_fail`` makes the GETs
    that would check it fail too."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.mode: str | None = None
        self.reads_fail = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and self.reads_fail:
            raise httpx.ConnectError("connection refused", request=request)
        if request.method != "GET" and self.mode is not None:
            if self.mode == "applied":
                await self.inner.handle_async_request(request)
            raise httpx.ReadError("connection reset by peer", request=request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
async def losing(cloud: DemoCloud) -> AsyncIterator[tuple[ImageClient, LosingTransport]]:
    lossy = LosingTransport(cloud.transport)
    async with ImageClient(DEMO_ENDPOINT, transport=lossy, backoff=0) as api:
        yield api, lossy


def named(cloud: DemoCloud, name: str) -> int:
    return sum(1 for image in cloud.images.values() if image.get("name") == name)


async def test_a_create_whose_answer_was_lost_is_never_made_twice(
    cloud: DemoCloud, losing: tuple[ImageClient, LosingTransport]
) -> None:
    client, lossy = losing
    app = ScreenHost(lambda: ImageFormScreen(client, "create"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"once-only")
        lossy.mode, lossy.reads_fail = "applied", True
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        panel = str(app.screen.query_one("#server-error", Static).render())
        status = str(app.screen.query_one("#form-status", Static).render())
        assert "not saved" not in (panel + status).lower()
        assert "check" in status and app.screen.query_one("#name", Input).value == "once-only"
        lossy.mode, lossy.reads_fail = None, False
        await pilot.press("ctrl+s")  # the same id again: the service says it exists, and it is ours
        await settle(app, pilot)
    assert len(app.results) == 1 and isinstance(app.results[0], Image)
    assert named(cloud, "once-only") == 1


async def test_a_create_that_was_not_applied_says_not_saved_and_the_retry_makes_one(
    cloud: DemoCloud, losing: tuple[ImageClient, LosingTransport]
) -> None:
    client, lossy = losing
    app = ScreenHost(lambda: ImageFormScreen(client, "create"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"retried")
        lossy.mode = "not_applied"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "not saved" in str(app.screen.query_one("#form-status", Static).render())
        assert app.results == []
        lossy.mode = None
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert isinstance(app.results[0], Image) and named(cloud, "retried") == 1


async def test_an_ims_create_with_a_lost_answer_says_it_may_have_been_created(
    cloud: DemoCloud, losing: tuple[ImageClient, LosingTransport]
) -> None:
    client, lossy = losing
    app = ScreenHost(lambda: ImageFormScreen(client, "create", ims=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ImageFormScreen) and app.screen.create_id is None
        await pilot.press(*"ims-one")
        lossy.mode, lossy.reads_fail = "applied", True
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        panel = str(app.screen.query_one("#server-error", Static).render())
        assert "may have been created" in panel and "check the image list" in panel
        assert "not saved" not in str(app.screen.query_one("#form-status", Static).render())
    assert app.results == []


async def test_an_edit_whose_answer_was_lost_but_applied_says_saved(
    cloud: DemoCloud, losing: tuple[ImageClient, LosingTransport]
) -> None:
    client, lossy = losing
    image = await make_image(client)
    app = ScreenHost(lambda: ImageFormScreen(client, "edit", image))
    notes: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.notify = lambda message, **_: notes.append(str(message))  # type: ignore[method-assign]
        await open_edit(app, pilot)
        await type_into(pilot, "#name", "renamed")
        lossy.mode = "applied"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("ctrl+s")  # confirm the preview
        await settle(app, pilot)
    assert len(app.results) == 1 and isinstance(app.results[0], Image) and app.results[0].name == "renamed"
    assert any(note.startswith("Saved") for note in notes)
    assert writes(cloud).count(("PATCH", f"/v2/images/{image.id}")) == 1


# -- opens at once ------------------------------------------------------------------------------------------


async def test_an_edit_form_given_only_an_id_loads_the_image_itself(client: ImageClient, cloud: DemoCloud) -> None:
    image = await make_image(client, name="by-id")
    app = ScreenHost(lambda: ImageFormScreen(client, "edit", image_id=image.id))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_edit(app, pilot)
        assert app.screen.query_one("#name", Input).value == "by-id"
        assert "by-id" in str(app.screen.query_one("#form-title", Static).render())
    assert image_reads(cloud, image.id) == 1


async def test_a_schema_cache_s_formats_reach_the_form_when_they_come(client: ImageClient) -> None:
    from ims_tui.ui.schema_cache import SchemaCache

    cache = SchemaCache(client)
    app = ScreenHost(lambda: ImageFormScreen(client, "create", schema=cache))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ImageFormScreen) and cache.schema is not None
        offered = [str(option[1]) for option in screen.query_one("#disk_format", Select)._options]
        assert set(screen.form_schema.disk_formats) <= set(offered)
        assert screen.form_schema.disk_formats == FormSchema.from_schema(cache.schema).disk_formats
