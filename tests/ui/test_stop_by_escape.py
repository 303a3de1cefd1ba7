"""Esc while a transfer runs, with real keys against the demo cloud: Esc first clears what is nearer (marks, the
quick filter), then asks before stopping the transfer, as ctrl+x does; a second Esc in the same burst answers
"go on", and a list key typed behind the Esc (y is Raw) answers nothing. Nothing is stopped without the question."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from ims_tui.demo import DemoCloud
from ims_tui.ui.screens.stop_transfer import StopTransferScreen
from ims_tui.ui.transfers import TransferPanel

from .helpers import main_screen, make_app, settle
from .test_transfers import StallingUploads, qcow2_file, queued, while_stalled


@contextlib.asynccontextmanager
async def uploading(tmp_path: Path, name: str) -> AsyncIterator[tuple[Any, DemoCloud, Any, TransferPanel, str]]:
    """The app (pilot, cloud) with an upload that stays running (its link stalls) until the test stops it."""
    qcow2_file(tmp_path / "disk.qcow2")
    app, cloud = make_app(count=5, wrap=StallingUploads)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        panel = screen.query_one(TransferPanel)
        image_id = await queued(app, name)
        panel.upload(screen.client, image_id, name, tmp_path / "disk.qcow2")  # type: ignore[arg-type]
        await while_stalled(pilot, lambda: bool(panel.running), "the upload starting")
        yield pilot, cloud, screen, panel, image_id


async def test_escape_clears_marks_and_filter_first_then_asks_and_a_second_escape_goes_on(tmp_path: Path) -> None:
    async with uploading(tmp_path, "long-upload") as (pilot, cloud, screen, panel, image_id):
        app = pilot.app
        await pilot.press("space")  # a mark
        await pilot.press("escape")
        await while_stalled(pilot, lambda: not len(screen.marks), "the marks cleared")
        assert app.screen is screen  # that Esc cleared the marks, and asked nothing
        await pilot.press("slash", "x")  # a quick filter
        await pilot.press("escape")
        await while_stalled(pilot, lambda: not screen.view.filtering, "the filter cleared")
        assert app.screen is screen
        await pilot.press("escape")  # nothing nearer left: the question
        await while_stalled(pilot, lambda: isinstance(app.screen, StopTransferScreen), "the stop question")
        assert app.focused is not None and app.focused.id == "stop-cancel"  # "Go on" first
        assert "esc keeps it going" in str(app.screen.query_one("#stop-message").render())
        await pilot.press("escape")
        await while_stalled(pilot, lambda: app.screen is screen, "back to the list")
        assert [t.image_id for t in panel.running] == [image_id]
        assert cloud.images[image_id]["status"] != "deleted"
        await pilot.press("ctrl+x")  # the other way in asks the same question
        await while_stalled(pilot, lambda: isinstance(app.screen, StopTransferScreen), "the stop question")
        await pilot.press("tab", "enter")  # to Stop, in one burst
        await while_stalled(pilot, lambda: not panel.running, "the stop")
        await settle(pilot)
        assert cloud.images[image_id]["status"] == "queued"  # stopped, nothing half-written


async def test_escape_pressed_twice_in_a_burst_never_stops_the_transfer(tmp_path: Path) -> None:
    async with uploading(tmp_path, "burst") as (pilot, cloud, screen, panel, image_id):
        app = pilot.app
        await pilot.press("escape", "escape")
        for _ in range(20):
            await pilot.pause()
        assert app.screen is screen and len(panel.running) == 1  # asked, and answered "go on"
        await pilot.press("escape", "y")  # a reflex Esc, then Raw typed behind it
        await while_stalled(pilot, lambda: isinstance(app.screen, StopTransferScreen), "the stop question")
        for _ in range(20):
            await pilot.pause()
        assert isinstance(app.screen, StopTransferScreen) and len(panel.running) == 1  # y answered nothing
        await pilot.press("escape", "escape", "escape")  # go on; then the question again, and go on again
        for _ in range(20):
            await pilot.pause()
        assert app.screen is screen and len(panel.running) == 1
        assert cloud.images[image_id]["status"] != "deleted"
        stop = next(iter(panel.running))
        panel.cancel(stop.number)  # the test's own clean-up: the stalled link would never end
        await while_stalled(pilot, lambda: not panel.running, "the clean-up")
