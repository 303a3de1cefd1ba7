"""Deleting an image's data from one store, from the list against the demo cloud's two stores (fs, fast), with
real keys: offered only for an image in several stores, no store chosen at first, Esc never deletes, the last copy
is refused in words, a lost answer is settled with a GET and never resent."""

from __future__ import annotations

from typing import Any

import httpx

from ims_tui.api.image_rows import ImageRow
from ims_tui.demo import DemoCloud
from ims_tui.ui.screens.main import MainScreen
from ims_tui.ui.screens.store_delete import StoreDeleteScreen

from .helpers import main_screen, make_app, screen_text, settle, told, until


def in_both_stores(cloud: DemoCloud, image_id: str) -> None:
    cloud.stores_of[image_id] = ["fs", "fast"]


async def first_row_in_both_stores(pilot: Any, cloud: DemoCloud) -> tuple[MainScreen, ImageRow]:
    """The list loaded, and its first image (a seed image, in fs) given a copy in fast too."""
    await settle(pilot)
    screen = main_screen(pilot.app)
    row = screen.table.current
    assert row is not None
    in_both_stores(cloud, row.id)
    return screen, row


def deletes(cloud: DemoCloud) -> list[str]:
    return [path for method, path in cloud.request_log if method == "DELETE" and path.startswith("/v2/stores/")]


async def open_dialog(pilot: Any) -> StoreDeleteScreen:
    app = pilot.app
    await pilot.press("W")
    await until(pilot, lambda: isinstance(app.screen, StoreDeleteScreen), "the store dialog")
    return app.screen  # type: ignore[no-any-return]


async def test_delete_from_the_second_store_keeps_the_image_in_the_first() -> None:
    app, cloud = make_app(count=10)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, row = await first_row_in_both_stores(pilot, cloud)
        assert row.status == "active"
        dialog = await open_dialog(pilot)
        text = str(dialog.query_one("#store-delete-message").render())
        assert "now in fs, fast" in text and "stays active and keeps its data in the other stores" in text
        assert "refuses to remove the last copy" in text
        assert dialog.chosen is None and dialog.confirm_button.disabled  # nothing is chosen for the operator
        await pilot.press("y")  # Delete before a store is chosen does nothing but say so
        await settle(pilot)
        status = dialog.query_one("#store-delete-status")
        assert deletes(cloud) == [] and "choose the store first" in str(status.render())
        await pilot.press("down", "enter")  # fast: one burst
        await settle(pilot)
        assert dialog.chosen == "fast" and str(dialog.confirm_button.label) == "Delete from fast"
        assert "the data stays in fs" in str(status.render())
        await pilot.press("tab", "tab", "enter")  # past Cancel to Delete, in one burst
        await until(pilot, lambda: app.screen is screen, "the dialog closing")
        assert deletes(cloud) == [f"/v2/stores/fast/{row.id}"]
        assert cloud.stores_of[row.id] == ["fs"] and cloud.images[row.id]["status"] == "active"
        assert "Deleted from fast; its data stays in fs" in told(app), told(app)
        fresh = screen.detail.cached(row.id)
        assert fresh is not None and fresh.properties["stores"] == "fs"  # the detail shows what the server has
        await pilot.press("W")  # now in one store: refused in words, no dialog, nothing sent
        await settle(pilot)
        assert not isinstance(app.screen, StoreDeleteScreen) and len(deletes(cloud)) == 1
        assert screen.check_action("delete_from_store", ()) is False  # and no longer offered
        assert told(app)[-1].startswith("the image is only in fs: Glance keeps its last copy")


async def test_escape_cancels_and_the_last_copy_is_explained() -> None:
    app, cloud = make_app(count=10)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        row = screen.table.current
        assert row is not None
        await pilot.press("W")  # a seed image is in fs only
        await settle(pilot)
        assert any("only in fs: Glance keeps its last copy; delete the image instead" in m for m in told(app))
        assert screen.check_action("delete_from_store", ()) is False  # it knows now: no longer offered
        in_both_stores(cloud, row.id)  # a copy made elsewhere; a reload forgets what the list knew
        await pilot.press("r")
        await settle(pilot)
        await open_dialog(pilot)
        await pilot.press("enter", "escape", "escape")  # a store chosen, then Esc: nothing is deleted
        await until(pilot, lambda: app.screen is screen, "the dialog closing")
        assert deletes(cloud) == [] and cloud.stores_of[row.id] == ["fs", "fast"]


class LosesStoreDeletes(httpx.AsyncBaseTransport):
    """The demo cloud, except that the answer to a delete from a store is lost after the server acted."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "DELETE" and request.url.path.startswith("/v2/stores/"):
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


async def test_a_lost_answer_is_settled_by_reading_the_image_not_by_sending_again() -> None:
    app, cloud = make_app(count=10, wrap=LosesStoreDeletes)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, row = await first_row_in_both_stores(pilot, cloud)
        await open_dialog(pilot)
        await pilot.press("down", "enter", "y")
        await until(pilot, lambda: app.screen is screen, "the dialog closing")
        assert len(deletes(cloud)) == 1 and cloud.stores_of[row.id] == ["fs"]
        assert any("the answer was lost, but the image is no longer there" in m for m in told(app)), told(app)


async def test_read_only_neither_offers_nor_runs_it() -> None:
    app, cloud = make_app(count=10, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, row = await first_row_in_both_stores(pilot, cloud)
        assert screen.check_action("delete_from_store", ()) is False
        await pilot.press("W")
        await settle(pilot)
        assert not isinstance(app.screen, StoreDeleteScreen) and deletes(cloud) == []
        assert any("read-only" in m for m in told(app))


async def test_store_names_and_descriptions_are_data_not_markup() -> None:
    app, cloud = make_app(count=10)
    cloud.store_descriptions["fast"] = "[bold red]not markup[/]"
    async with app.run_test(size=(80, 24)) as pilot:
        await first_row_in_both_stores(pilot, cloud)
        dialog = await open_dialog(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert "fast ([bold red]not markup[/])" in screen_text(app)
        assert str(dialog.confirm_button.label) == "Delete from fast"
