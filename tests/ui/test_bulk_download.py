"""Bulk download from the keyboard at 80x24 on the demo cloud: three rows marked, D asks for a folder (Tab completes
folders), the plan lists each GET and the file it saves to, y downloads them, and the results say how each was
verified. The snapshot is the plan."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from ims_tui.demo import DemoCloud
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.bulk_folder import BulkFolderScreen
from ims_tui.ui.screens.bulk_plan import BulkPlanScreen
from ims_tui.ui.screens.bulk_progress import BulkResultScreen

from .helpers import main_screen, make_app, screen_text, settle, until
from .test_bulk import Gate, app_behind, paused_until


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def with_data(app: ImsApp, cloud: DemoCloud, count: int) -> dict[str, bytes]:
    """The first ``count`` rows' images given data of their own (the demo's seeded ones have none, only sizes);
    their names made plain for a stable plan."""
    client = main_screen(app).client
    assert client is not None
    blobs: dict[str, bytes] = {}
    for index, row in enumerate(main_screen(app).table.rows[:count]):
        cloud.images[row.id].update(status="queued", disk_format="raw", container_format="bare")
        data = bytes([index + 1]) * (5000 + index)
        await client.update(row.id, [{"op": "replace", "path": "/name", "value": f"disk-{index}"}])
        await client.put_data(row.id, chunks(data), size=len(data))
        blobs[row.id] = data
    return blobs


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))  # the folder is shown as ~/out: the same in every run
    (tmp_path / "out").mkdir()
    (tmp_path / "out-file").write_bytes(b"")  # a file: Tab offers the folder only
    return tmp_path / "out"


def to_the_plan(cloud: DemoCloud) -> Callable[[Any], Awaitable[dict[str, bytes]]]:
    async def run(pilot: Any) -> dict[str, bytes]:
        await settle(pilot)
        blobs = await with_data(pilot.app, cloud, 3)
        await pilot.press("space", "space", "space", "D")
        await until(pilot, lambda: isinstance(pilot.app.screen, BulkFolderScreen), "the folder question")
        await pilot.press("o", "tab", "enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, BulkPlanScreen), "the plan")
        return blobs

    return run


async def test_mark_three_d_a_folder_and_y_downloads_them_verified(folder: Path) -> None:
    app, cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        blobs = await to_the_plan(cloud)(pilot)
        plan = app.screen
        assert isinstance(plan, BulkPlanScreen) and plan.focused is plan.cancel_button
        assert plan.plan.title == "Download 3 images: to ~/out"
        assert [r.line() for s in plan.plan.steps for r in s.requests] == [f"GET /v2/images/{i}/file" for i in blobs]
        assert list(folder.iterdir()) == []  # nothing before y
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, BulkResultScreen), "the results")
        text = screen_text(app)
        assert "3 done" in text and text.count("verified with sha512") == 3
        for index, data in enumerate(blobs.values()):
            assert (folder / f"disk-{index}").read_bytes() == data
            assert hashlib.sha512(data).hexdigest() in {record.get("os_hash_value") for record in cloud.images.values()}
        assert sorted(path.name for path in folder.iterdir()) == ["disk-0", "disk-1", "disk-2"]
        await pilot.press("escape")
        await settle(pilot)
        assert "3 marked" not in screen_text(app)  # done ones are unmarked


class DataGate(Gate):
    """The demo, with every read of image data held until ``open`` is set: a run is stopped with two in flight."""

    def holds(self, request: httpx.Request) -> bool:
        return request.method == "GET" and request.url.path.endswith("/file")


async def test_two_at_a_time_and_esc_starts_no_new_one_while_those_running_finish(folder: Path) -> None:
    app, cloud, gate = app_behind(DataGate)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        blobs = await with_data(app, cloud, 5)
        await pilot.press(*["space"] * 5, "D")
        await until(pilot, lambda: isinstance(app.screen, BulkFolderScreen), "the folder question")
        await pilot.press("o", "tab", "enter")
        await until(pilot, lambda: isinstance(app.screen, BulkPlanScreen), "the plan")
        await pilot.press("y")
        await paused_until(pilot, lambda: gate.waiting == 2, "two downloads in flight")
        for _ in range(5):
            await pilot.pause()
        assert gate.waiting == 2 and "0 done · 0 failed · 5 left" in screen_text(app)
        await pilot.press("escape")
        await paused_until(pilot, lambda: "stopping" in screen_text(app), "the word that it stops")
        assert [path.name for path in folder.iterdir()] == []  # nothing under a final name while in flight
        gate.open.set()
        await until(pilot, lambda: isinstance(app.screen, BulkResultScreen), "the results")
        assert "2 done · 3 not attempted" in screen_text(app) and gate.waiting == 2
        saved = sorted(path.name for path in folder.iterdir())
        assert saved == ["disk-0", "disk-1"]  # and no partial file left behind
        assert [(folder / name).read_bytes() for name in saved] == list(blobs.values())[:2]


async def test_the_folder_must_exist_before_any_plan(folder: Path) -> None:
    app, _ = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "D")
        await until(pilot, lambda: isinstance(app.screen, BulkFolderScreen), "the folder question")
        await pilot.press(*"nowhere", "enter")
        await settle(pilot)
        assert isinstance(app.screen, BulkFolderScreen) and "no such folder" in screen_text(app)


def test_bulk_download_plan(snap_compare: Any, folder: Path) -> None:
    app, cloud = make_app(count=30)
    assert snap_compare(app, terminal_size=(80, 24), run_before=to_the_plan(cloud))
