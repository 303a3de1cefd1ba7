"""Chosen columns by real keys at 80x24: the picker (C) chooses, orders, adds a property, applies, resets and
cancels; a custom property's values come with a reload; the sorts follow the chosen columns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from ims_tui.api.models import Image
from ims_tui.config import ConnectOptions, resolve
from ims_tui.demo import DemoCloud
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.column_actions import ColumnsChosen
from ims_tui.ui.screens.column_picker import ColumnPickerScreen
from ims_tui.ui.screens.main import MainScreen

from .helpers import frozen_now, list_requests, main_screen, make_app, screen_text, settle, told, until


def header(app: ImsApp) -> list[str]:
    return screen_text(app).splitlines()[1].split()


async def server_images(cloud: DemoCloud) -> dict[str, dict[str, Any]]:
    async with httpx.AsyncClient(transport=cloud.transport, base_url="http://demo") as other:
        response = await other.get("/v2/images", params={"limit": 1000})
        return {image["id"]: image for image in response.json()["images"]}


def recorded(screen: MainScreen, monkeypatch: Any) -> list[ColumnsChosen]:
    """The ColumnsChosen messages the main screen posts from now on."""
    seen: list[ColumnsChosen] = []
    post = screen.post_message

    def keep(message: Any) -> bool:
        if isinstance(message, ColumnsChosen):
            seen.append(message)
        return post(message)

    monkeypatch.setattr(screen, "post_message", keep)
    return seen


@asynccontextmanager
async def listed() -> AsyncIterator[tuple[ImsApp, DemoCloud, Any, MainScreen]]:
    """A demo cloud of 30 images listed at 80x24: the app, the cloud, the pilot and the main screen."""
    app, cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        yield app, cloud, pilot, main_screen(app)


async def open_picker(pilot: Any, app: ImsApp) -> ColumnPickerScreen:
    await pilot.press("C")
    await until(pilot, lambda: isinstance(app.screen, ColumnPickerScreen), "the column picker")
    assert isinstance(app.screen, ColumnPickerScreen)
    return app.screen


async def test_choose_add_a_property_reorder_and_apply(monkeypatch: Any) -> None:
    async with listed() as (app, cloud, pilot, screen):
        assert header(app) == ["name", "status", "size", "visibility", "created▼"]
        chosen = recorded(screen, monkeypatch)
        lists_before = len(list_requests(cloud))
        picker = await open_picker(pilot, app)
        assert picker.chosen == ("name", "status", "size", "visibility", "created_at")  # what shows now
        # hide visibility, add os_distro by name (it lands after the last shown column), move it up three lines
        # (past the hidden visibility too), all typed back to back
        await pilot.press("down", "down", "down", "space", "a", *"os_distro", "enter", "K", "K", "K")
        await settle(pilot)
        assert picker.chosen == ("name", "status", "os_distro", "size", "created_at")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MainScreen) and not screen.pages.reloading, "a reload")
        assert header(app) == ["name", "status", "os_distro", "size", "created▼"]
        assert screen.chosen_columns() == ("name", "status", "os_distro", "size", "created_at")
        assert [message.names for message in chosen] == [screen.chosen_columns()]
        # the values came with the rows, by a reload that said so
        assert len(list_requests(cloud)) > lists_before
        assert any("reloading the list" in note and "os_distro" in note for note in told(app))
        images = await server_images(cloud)
        first = screen.table.rows[0]
        distro = images[first.id]["os_distro"]
        assert first.kept_value("os_distro") == distro
        assert distro in screen_text(app).splitlines()[2]


async def test_escape_leaves_the_columns_as_they_were(monkeypatch: Any) -> None:
    async with listed() as (app, cloud, pilot, screen):
        chosen = recorded(screen, monkeypatch)
        before, lists_before = screen_text(app), len(list_requests(cloud))
        await open_picker(pilot, app)
        await pilot.press("down", "space", "J", "a", *"os_distro", "enter", "escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the list again")
        assert screen.chosen_columns() is None and screen.table.chosen is None
        assert chosen == [] and len(list_requests(cloud)) == lists_before
        assert screen_text(app) == before


async def test_keys_typed_in_a_burst_land_in_order() -> None:
    async with listed() as (app, _cloud, pilot, screen):
        # no settle between them: open, hide status, move size down below visibility, apply
        await pilot.press("C", "down", "space", "down", "J", "enter")
        await until(pilot, lambda: isinstance(app.screen, MainScreen) and screen.chosen_columns() is not None, "apply")
        await settle(pilot)
        assert screen.chosen_columns() == ("name", "visibility", "size", "created_at")
        assert header(app) == ["name", "visibility", "size", "created▼"]


async def test_reset_to_default_and_the_name_always_shows() -> None:
    async with listed() as (app, _cloud, pilot, screen):
        screen.apply_columns(["name", "hw_firmware_type", "min_ram"])
        await settle(pilot)
        assert header(app) == ["name", "hw_firmware_type", "min", "ram"]
        picker = await open_picker(pilot, app)
        await pilot.press("space")  # on the name: refused, saying why
        await settle(pilot)
        assert "name" in picker.chosen and "the name always shows" in screen_text(app)
        await pilot.press("end", "enter")  # the last line: Reset to default
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the list again")
        await settle(pilot)
        assert screen.chosen_columns() is None
        assert header(app) == ["name", "status", "size", "visibility", "created▼"]


async def test_sorts_follow_the_chosen_columns_and_a_property_says_it_cannot() -> None:
    async with listed() as (app, cloud, pilot, screen):
        screen.apply_columns(["name", "os_distro", "created_at", "disk_format"])
        await until(pilot, lambda: not screen.pages.reloading, "the reload")
        assert header(app)[-2:] == ["created▼", "disk"]  # the arrow on the column the list is sorted by
        sorts = [command.title for command in screen.palette_commands() if command.title.startswith("Sort by")]
        assert sorts[:3] == ["Sort by name", "Sort by created", "Sort by disk format"]
        cannot = next(command for command in screen.palette_commands() if command.title == "Sort by os_distro")
        cannot.callback()
        await settle(pilot)
        assert any("cannot sort by os_distro" in note for note in told(app))
        await pilot.press("s")  # from created_at, the next sortable chosen column
        await until(pilot, lambda: not screen.pages.reloading, "the sorted list")
        assert screen.list_query.sort == (("disk_format", "asc"),)
        assert "sort_key=disk_format" in list_requests(cloud)[-1]


async def test_the_profiles_columns_open_the_list(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[ui]\ncolumns = ["name", "size"]\n[clouds.d]\ntype = "demo"\ndemo_images = 30\n'
        'columns = ["name", "os_distro", "status"]\n'
    )
    home = tmp_path / "home"
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CONFIG_DIRS": str(tmp_path / "x")}
    resolved = resolve(ConnectOptions(environ=env, config_path=config, cwd=tmp_path, cloud="d"))
    app = ImsApp(resolved.sessions["d"](), resolved=resolved, profile="d", now=frozen_now)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: bool(main_screen(app).table.rows), "the first page")
        screen = main_screen(app)
        assert screen.chosen_columns() == ("name", "os_distro", "status")
        assert header(app) == ["name", "os_distro", "status"]
        assert screen.listing is not None and screen.listing.keep == ("os_distro",)
        assert any(row.kept_value("os_distro") for row in screen.table.rows)


async def test_a_row_refreshed_by_the_detail_keeps_its_property_values() -> None:
    app, _cloud = make_app(count=30)
    async with app.run_test(size=(120, 40)) as pilot:  # wide: the detail pane fetches the highlighted image
        await settle(pilot)
        screen = main_screen(app)
        screen.apply_columns(["name", "os_distro"])
        await until(pilot, lambda: not screen.pages.reloading, "the reload")
        await pilot.press("j", "j")
        await settle(pilot)
        screen.flush_detail()
        await until(pilot, lambda: screen.detail.fresh, "the fresh detail")
        row = screen.table.rows[2]
        assert isinstance(screen.detail.image, Image) and screen.detail.image.id == row.id
        assert row.kept_value("os_distro") == screen.detail.image.properties["os_distro"]


async def test_a_chosen_column_without_room_is_named_not_dropped_in_silence() -> None:
    async with listed() as (app, _cloud, pilot, screen):
        await open_picker(pilot, app)
        # os_distro lands after the five shown columns; at 80 cells the name keeps its room and it gives way
        await pilot.press("a", *"os_distro", "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, MainScreen) and not screen.pages.reloading, "a reload")
        assert "os_distro" not in header(app)
        assert any("no room" in note and "os_distro" in note and "move it up" in note for note in told(app))
