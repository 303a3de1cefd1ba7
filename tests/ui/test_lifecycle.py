"""Deactivate, hide and import from the list against the demo cloud, with real keys: each dialog says what the
action means, sends one request, and the row shows the result; what the server lacks is not offered."""

from __future__ import annotations

from typing import Any

from ims_tui.api.models import Image
from ims_tui.demo import DEMO_ENDPOINT
from ims_tui.ui.screens.import_dialog import ImportScreen
from ims_tui.ui.screens.lifecycle import LifecycleScreen
from ims_tui.ui.screens.main import MainScreen

from .helpers import main_screen, make_app, settle, told, until
from .test_ims_mode import make_ims_app


async def test_deactivate_then_reactivate_with_x() -> None:
    app, cloud = make_app(count=10)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        row = screen.table.current
        assert row is not None and row.status == "active"
        await pilot.press("X")
        await until(pilot, lambda: isinstance(app.screen, LifecycleScreen) and not app.screen.busy, "the dialog")
        text = "\n".join(str(static.render()) for static in app.screen.query("Static"))
        assert "cannot be downloaded or used to boot" in text and "actions/deactivate" in text
        assert app.focused is app.screen.cancel_button  # the safe answer first
        await pilot.press("tab", "enter")  # to Deactivate, in one burst
        await until(pilot, lambda: app.screen is screen, "the dialog closing")
        assert screen.table.current is not None and screen.table.current.status == "deactivated"
        assert cloud.images[row.id]["status"] == "deactivated"
        await pilot.press("X")
        await until(pilot, lambda: isinstance(app.screen, LifecycleScreen) and not app.screen.busy, "the dialog")
        assert app.screen.change == "reactivate"
        await pilot.press("tab", "enter")
        await until(pilot, lambda: app.screen is screen, "the dialog closing")
        assert cloud.images[row.id]["status"] == "active"


async def test_hide_leaves_the_image_out_of_the_list_on_reload() -> None:
    app, cloud = make_app(count=10)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        row = screen.table.current
        assert row is not None
        await pilot.press("H")
        await until(pilot, lambda: isinstance(app.screen, LifecycleScreen) and not app.screen.busy, "the dialog")
        assert app.screen.change == "hide"
        await pilot.press("tab", "enter")
        await until(pilot, lambda: app.screen is screen, "the dialog closing")
        assert cloud.images[row.id]["os_hidden"] is True
        await pilot.press("r")
        await settle(pilot)
        assert all(shown.id != row.id for shown in screen.table.rows)


async def listed(pilot: Any, attributes: dict[str, Any]) -> tuple[MainScreen, Image]:
    """An image created on the server, then the list reloaded to show it."""
    await settle(pilot)
    screen = main_screen(pilot.app)
    assert screen.client is not None
    image = await screen.client.create(attributes)
    await pilot.press("r")
    await settle(pilot)
    return screen, image


async def test_web_download_import_is_followed_until_the_image_is_active() -> None:
    app, cloud = make_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, image = await listed(pilot, {"name": "from-the-web", "disk_format": "raw", "container_format": "bare"})
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, ImportScreen), "the import dialog")
        await pilot.press(*f"{DEMO_ENDPOINT}/downloads/tiny.raw", "enter")
        await until(pilot, lambda: app.screen is screen, "the dialog closing")
        assert any("import started: from-the-web" in message for message in told(app))
        for _ in range(20):  # the watch's rounds, run now rather than waited for
            if cloud.images[image.id]["status"] == "active" and screen.image_watch.following == 0:
                break
            screen.image_watch.run_round()
            await settle(pilot)
        assert screen.table.current is not None and screen.table.current.status == "active"


async def test_a_bad_url_is_refused_before_sending() -> None:
    app, cloud = make_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await listed(pilot, {"name": "q", "disk_format": "raw", "container_format": "bare"})
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, ImportScreen), "the import dialog")
        before = len(cloud.request_log)
        await pilot.press(*"ftp://x", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        assert "http:// or https://" in str(app.screen.query_one("#import-error").render())
        assert len(cloud.request_log) == before


async def test_ims_offers_neither_deactivation_nor_hiding_nor_import() -> None:
    app, _ = make_ims_app(count=10)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await until(pilot, lambda: screen.features is not None, "the features")
        for action in ("toggle_active", "toggle_hidden", "import_data"):
            assert screen.check_action(action, ()) is False
        assert screen.check_action("download", ()) is True


async def test_an_import_into_an_image_without_formats_says_to_set_them_first() -> None:
    app, cloud = make_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await listed(pilot, {"name": "no-formats"})
        before = len(cloud.request_log)
        await pilot.press("i")
        await settle(pilot)
        assert not isinstance(app.screen, ImportScreen)
        assert "without a disk and a container format: e sets them" in told(app)[-1]
        assert all(method == "GET" for method, _path in cloud.request_log[before:])  # nothing sent but reads
