"""An image's import tasks in the detail, against the demo cloud, with real keys: a web-download from a URL that
does not answer fails, and the detail says why (the task's status and message); the pane asks only for images that
had an import, once per change; a failed read is said, status first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ims_tui.demo import DemoCloud
from ims_tui.ui.screens.detail import DetailScreen
from ims_tui.ui.screens.import_dialog import ImportScreen
from ims_tui.ui.screens.main import MainScreen
from ims_tui.ui.widgets.detail import DetailView

from .helpers import NOW, FlakyTransport, main_screen, make_app, screen_text, settle, told, until

DEAD_LINK = "http://downloads.example.invalid/missing.qcow2"  # not among the demo's web files: the task fails


def task_reads(cloud: DemoCloud) -> list[str]:
    return [path for method, path in cloud.request_log if method == "GET" and path.endswith("/tasks")]


async def failed_import(pilot: Any, name: str = "from-a-dead-link") -> str:
    """A queued image, and a web-download into it from the dead link, through the import dialog."""
    app = pilot.app
    await settle(pilot)
    screen = main_screen(app)
    assert screen.client is not None
    image = await screen.client.create({"name": name, "disk_format": "qcow2", "container_format": "bare"})
    await pilot.press("r")
    await settle(pilot)
    index = screen.view.index_of(image.id)
    assert index is not None
    screen.table.move_to(index)  # images made in the same (frozen) second: either may come first
    await pilot.press("i")
    await until(pilot, lambda: isinstance(app.screen, ImportScreen), "the import dialog")
    await pilot.press(*DEAD_LINK, "enter")
    await until(pilot, lambda: app.screen is screen, "the dialog closing")
    assert any(f"import started: {name}" in message for message in told(app))
    return image.id


async def test_the_detail_screen_says_why_a_web_download_failed() -> None:
    app, cloud = make_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        image_id = await failed_import(pilot)
        assert cloud.images[image_id]["status"] == "queued"  # the task failed: the image waits for data again
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen), "the detail screen")
        await until(pilot, lambda: "Task failed due to Internal" in screen_text(app), "the task's message")
        text = screen_text(app)
        assert "Import tasks" in text and "failure: web-download" in text and "api_image_import" in text
        assert text.index("Import tasks") < text.index("Formats & sizes")  # read before the formats
        assert task_reads(cloud) == [f"/v2/images/{image_id}/tasks"]
        await pilot.press("r")  # the detail's refresh reads them again
        await settle(pilot)
        assert len(task_reads(cloud)) == 2


async def test_the_pane_reads_tasks_only_for_images_that_had_an_import_and_once_per_change() -> None:
    app, cloud = make_app(empty=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main_screen(app)
        assert screen.client is not None
        await screen.client.create({"name": "never-imported", "disk_format": "raw", "container_format": "bare"})
        image_id = await failed_import(pilot)
        screen.flush_detail()
        await until(pilot, lambda: "Task failed due to Internal" in screen_text(app), "the task in the pane")
        reads = len(task_reads(cloud))
        assert reads >= 1 and set(task_reads(cloud)) == {f"/v2/images/{image_id}/tasks"}
        imported = screen.table.cursor
        await pilot.press("k" if imported else "j")  # the image that never had an import
        screen.flush_detail()
        await settle(pilot)
        assert screen.table.current is not None and screen.table.current.name == "never-imported"
        assert "Import tasks" not in screen_text(app) and len(task_reads(cloud)) == reads
        await pilot.press("j" if imported else "k")  # back: from what the pane kept, the image has not changed
        screen.flush_detail()
        await settle(pilot)
        assert "Task failed due to Internal" in screen_text(app) and len(task_reads(cloud)) == reads


async def test_tasks_that_cannot_be_read_are_said_status_first() -> None:
    flaky: list[FlakyTransport] = []

    def wrap(inner: Any) -> FlakyTransport:
        flaky.append(FlakyTransport(inner, mode="html500", match="/v2/images/"))
        return flaky[0]

    app, cloud = make_app(empty=True, wrap=wrap)
    async with app.run_test(size=(80, 24)) as pilot:
        image_id = await failed_import(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen), "the detail screen")
        await settle(pilot)
        flaky[0].match, flaky[0].failing = f"/v2/images/{image_id}/tasks", True
        await pilot.press("r")
        await until(pilot, lambda: flaky[0].failures > 0, "the tasks read failing")
        await settle(pilot)
        view = app.screen.query_one(DetailView)
        assert view.tasks is not None and view.tasks.error is not None
        text = screen_text(app)
        assert "error" in text and "500" in text.split("Import tasks")[1]
        assert "fresh from the server" in screen_text(app)  # the image itself was read


async def test_the_open_detail_follows_the_import_to_its_failure() -> None:
    app, cloud = make_app(empty=True)
    moment = [NOW]
    cloud.clock = lambda: moment[0]
    cloud.import_delay = 30  # the task ends when the cloud's clock has moved on
    async with app.run_test(size=(80, 24)) as pilot:
        image_id = await failed_import(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: "processing: web-download" in screen_text(app), "the running task")
        assert "importing" in screen_text(app)
        moment[0] = NOW + timedelta(seconds=31)
        screen = next(s for s in app.screen_stack if isinstance(s, MainScreen))
        screen.image_watch.run_round()  # the watch's next round, run now rather than waited for
        await until(pilot, lambda: "Task failed due to Internal" in screen_text(app), "the failure shown")
        assert isinstance(app.screen, DetailScreen) and cloud.images[image_id]["status"] == "queued"
        assert "failure: web-download" in screen_text(app)
