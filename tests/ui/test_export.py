"""Export by real keys at 80x24: marked rows to CSV, the rows a quick filter shows, a file already there asks
first, an unwritable folder says so; JSON Lines of every attribute matches the server's own list."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from textual.widgets import Select, Static

from ims_tui.demo import DemoCloud
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.confirm import ConfirmScreen
from ims_tui.ui.screens.export_rows import ExportScreen

from .helpers import FlakyTransport, main_screen, make_app, settle, until

T = TypeVar("T", bound=httpx.AsyncBaseTransport)


def notes(app: ImsApp) -> list[str]:
    return [notification.message for notification in app._notifications]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


async def open_dialog(pilot: Any, app: ImsApp) -> ExportScreen:
    await pilot.press("w")
    await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
    assert isinstance(app.screen, ExportScreen)
    return app.screen


def in_pages(wrap: Callable[[httpx.AsyncBaseTransport], T]) -> tuple[ImsApp, DemoCloud, T]:
    """An app on 40 images in pages of 15, its transport wrapped by ``wrap``."""
    made: list[T] = []
    app, cloud = make_app(count=40, page_size=15, wrap=lambda inner: made.append(wrap(inner)) or made[0])
    return app, cloud, made[0]


async def every_page_dialog(pilot: Any, app: ImsApp) -> ExportScreen:
    """Once the first page is in, the export dialog with "every page" chosen."""
    await settle(pilot)
    dialog = await open_dialog(pilot, app)
    dialog.query_one("#export-pages", Select).value = True
    return dialog


async def written(pilot: Any, app: ImsApp, what: str = "wrote") -> None:
    await until(pilot, lambda: any(what in note for note in notes(app)), f"a notice saying {what!r}")


async def server_list(cloud: DemoCloud) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(transport=cloud.transport, base_url="http://demo") as other:
        response = await other.get("/v2/images", params={"limit": 1000, "sort": "created_at:desc"})
        return list(response.json()["images"])


async def test_three_marked_rows_go_to_csv_with_the_columns_shown(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    app, _cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = main_screen(app).table.rows
        await pilot.press("j", "space", "space", "j", "space")
        await settle(pilot)
        dialog = await open_dialog(pilot, app)
        assert "the 3 marked rows shown" in str(dialog.about)
        assert not dialog.query("#export-pages")  # marks choose among the rows loaded
        await pilot.press("enter")
        await written(pilot, app)
        read = read_csv(tmp_path / "images.csv")
        assert [line["id"] for line in read] == [rows[i].id for i in (1, 2, 4)]
        assert list(read[0]) == [
            "name",
            "status",
            "size",
            "visibility",
            "created_at",
            "id",
        ]  # sorted by creation, the age column shows it
        assert [line["name"] for line in read] == [rows[i].name for i in (1, 2, 4)]
        assert read[0]["size"] == str(rows[1].size or "")
        assert any("wrote 3 rows to" in note for note in notes(app))


async def test_the_chosen_columns_are_the_columns_written_property_values_included(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    app, cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.apply_columns(["name", "os_distro", "status"])
        await until(pilot, lambda: not screen.pages.reloading, "the reload that brings os_distro")
        await settle(pilot)
        await open_dialog(pilot, app)
        await pilot.press("enter")
        await written(pilot, app)
        read = read_csv(tmp_path / "images.csv")
        assert list(read[0]) == ["name", "os_distro", "status", "id"]
        by_id = {image["id"]: image for image in await server_list(cloud)}
        assert [line["os_distro"] for line in read] == [by_id[line["id"]].get("os_distro", "") for line in read]
        assert any(line["os_distro"] for line in read)


async def test_after_a_quick_filter_every_row_shown_is_written(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    app, _cloud = make_app(count=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        needle = screen.table.rows[0].name[:3]  # type: ignore[index]
        await pilot.press("slash", *needle, "enter")
        await settle(pilot)
        shown = [row.id for row in screen.table.rows]
        assert 0 < len(shown) < 60
        await open_dialog(pilot, app)
        await pilot.press("enter")
        await written(pilot, app)
        assert [line["id"] for line in read_csv(tmp_path / "images.csv")] == shown


async def test_a_file_already_there_is_replaced_only_after_asking(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "images.csv"
    target.write_text("keep me\n")
    app, _cloud = make_app(count=5)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_dialog(pilot, app)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the replace question")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen), "back in the dialog")
        assert target.read_text() == "keep me\n"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the replace question")
        await pilot.press("y")
        await written(pilot, app)
        assert len(read_csv(target)) == len(main_screen(app).table.rows)


async def test_a_folder_that_cannot_be_written_is_said_plainly() -> None:
    app, _cloud = make_app(count=5)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dialog = await open_dialog(pilot, app)
        dialog.field.input.value = "/proc/images.csv"  # no one, root included, may create a file there
        await pilot.press("enter")
        await written(pilot, app, "cannot write")
        assert any(note.startswith("cannot write /proc/images.csv: ") for note in notes(app)), notes(app)
        assert not any("wrote" in note for note in notes(app))


async def test_every_page_as_json_lines_of_every_attribute_is_the_servers_list(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    app, cloud = make_app(count=40, page_size=15)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        loaded = len(main_screen(app).table.rows)
        assert loaded < 40
        dialog = await open_dialog(pilot, app)
        assert "(more are on the server)" in str(dialog.about)
        dialog.query_one("#export-format", Select).value = "jsonl"
        dialog.query_one("#export-fields", Select).value = True
        dialog.query_one("#export-pages", Select).value = True
        await pilot.pause()
        assert dialog.field.value == "images.jsonl"  # the extension follows the format
        await pilot.press("enter")
        await written(pilot, app)
        lines = [json.loads(line) for line in (tmp_path / "images.jsonl").read_text().splitlines()]
        assert len(main_screen(app).table.rows) == loaded  # the list on screen is left as it was
        told = notes(app)
    server = await server_list(cloud)
    assert any(f"wrote {len(server)} rows" in note for note in told), told
    assert [line["id"] for line in lines] == [image["id"] for image in server]
    for line, image in zip(lines, server, strict=True):
        for key in ("name", "status", "visibility", "disk_format", "container_format", "owner", "created_at"):
            assert line[key] == image.get(key), key
        # the size in bytes; IMS images with size 0 say it in __image_size, as the list's size column does
        assert line["size"] == (image.get("size") or int(image.get("__image_size") or 0) or image.get("size"))


async def test_a_page_that_fails_while_loading_every_page_is_said_in_the_dialog(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    app, _cloud, flaky = in_pages(FlakyTransport)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await every_page_dialog(pilot, app)
        flaky.failing = True
        await pilot.press("enter")
        note = dialog.query_one(".path-note", Static)
        await until(pilot, lambda: "could not load the list" in str(note.render()), "the failure")
        assert "HTTP 500" in str(note.render()), str(note.render())
        assert app.screen is dialog and not (tmp_path / "images.csv").exists()
        flaky.failing = False
        await pilot.press("enter")  # once the server answers again, the same dialog exports
        await written(pilot, app)
        assert (tmp_path / "images.csv").exists()


class HeldPages(httpx.AsyncBaseTransport):
    """Holds each request for a further page of the list while ``hold`` is set, until ``release`` is."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.hold = False
        self.held = asyncio.Event()  # a page request is waiting
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.hold and request.url.path == "/v2/images" and "marker" in request.url.params:
            self.held.set()
            await self.release.wait()
        return await self.inner.handle_async_request(request)


async def test_loading_every_page_first_shows_how_far_it_has_come(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    app, cloud, held = in_pages(HeldPages)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await every_page_dialog(pilot, app)
        held.hold = True
        await pilot.press("enter")
        await held.held.wait()  # the export's own first page is in, the second is asked for (no sleep)
        await pilot.pause()
        note = str(dialog.query_one(".path-note", Static).render())
        assert note == "loading the list: 15 images so far (Esc stops)", note
        assert app.screen is dialog and dialog.confirm_button.disabled
        held.release.set()
        await written(pilot, app)
        told = notes(app)
    count = len(await server_list(cloud))
    assert any(f"wrote {count} rows" in said for said in told), told
