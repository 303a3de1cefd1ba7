"""Upload and download from the main screen against the demo cloud, with real keys: the dialogs ask, the
transfer runs in the background with a progress line, the result is verified and said."""

from __future__ import annotations

import asyncio
import hashlib
import struct
from pathlib import Path
from typing import Any

import httpx

from ims_tui.ui.screens.transfer_dialogs import DownloadScreen, UploadScreen
from ims_tui.ui.transfers import TransferPanel

from .helpers import main_screen, make_app, settle, told, until


def qcow2_file(path: Path, size: int = 3 * 1024 * 1024) -> bytes:
    data = b"QFI\xfb" + struct.pack(">I", 3) + bytes(range(256)) * ((size - 8) // 256)
    path.write_bytes(data)
    return data


class StallingUploads(httpx.AsyncBaseTransport):
    """The demo cloud, but an upload's body stalls after its first chunk, as over a link that stopped moving:
    the transfer is still running when the test stops it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and request.url.path.endswith("/file"):
            async for _chunk in request.stream:  # type: ignore[union-attr]
                await asyncio.Event().wait()  # until cancelled
        return await self.inner.handle_async_request(request)


async def while_stalled(pilot: Any, done: Any, what: str, limit: int = 200) -> None:
    """Like ``until``, for while an upload is stalled: ``settle`` waits for every worker, and that one never ends
    by itself; screens and dialogs need only the message queue to run."""
    for _ in range(limit):
        if done():
            return
        await pilot.pause()
    raise AssertionError(f"{what} never happened")


async def queued(app: Any, name: str, disk_format: str = "qcow2") -> str:
    client = main_screen(app).client
    assert client is not None
    image = await client.create({"name": name, "disk_format": disk_format, "container_format": "bare"})
    return image.id


async def test_upload_then_download_verified(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    data = qcow2_file(tmp_path / "disk.qcow2")
    app, cloud = make_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        image_id = await queued(app, "jammy")
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, UploadScreen), "the upload dialog")
        await pilot.press("d", "i", "tab", "enter")  # one burst: the Tab completes what was typed before it
        screen = main_screen(app)
        await until(pilot, lambda: app.screen is screen and not screen.query_one(TransferPanel).running, "upload")
        row = screen.table.current
        assert row is not None and row.id == image_id and row.status == "active", told(app)
        assert any("jammy: verified with sha512" in message for message in told(app)), told(app)
        held = await screen.client.get(image_id)  # type: ignore[union-attr]
        assert held.os_hash_value == hashlib.sha512(data).hexdigest()

        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, DownloadScreen), "the download dialog")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen and not screen.query_one(TransferPanel).running, "download")
        assert (tmp_path / "jammy.qcow2").read_bytes() == data
        assert any("verified with sha512" in message for message in told(app) if "saved" in message), told(app)


async def test_stopping_an_upload_leaves_the_image_queued_or_deletes_it_as_chosen(tmp_path: Path) -> None:
    from ims_tui.api.errors import NotFound
    from ims_tui.ui.screens.stop_transfer import StopTransferScreen

    qcow2_file(tmp_path / "disk.qcow2")
    app, cloud = make_app(empty=True, wrap=StallingUploads)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.client is not None
        panel = screen.query_one(TransferPanel)
        for choice, button in (("stop", "stop-confirm"), ("delete", "stop-delete")):
            image_id = await queued(app, f"stopped-{choice}")
            panel.upload(screen.client, image_id, f"stopped-{choice}", tmp_path / "disk.qcow2")
            await pilot.press("ctrl+x")
            await while_stalled(pilot, lambda: isinstance(app.screen, StopTransferScreen), "the stop question")
            assert app.focused is not None and app.focused.id == "stop-cancel"  # the safe answer first
            await pilot.click(f"#{button}")
            await until(pilot, lambda: not panel.running, "the stop")
            if choice == "stop":
                assert (await screen.client.get(image_id)).status == "queued"  # nothing half-written
            else:
                await until(pilot, lambda: any("stopped" in m for m in told(app)), "the word")
                await app.workers.wait_for_complete()
                try:
                    await screen.client.get(image_id)
                except NotFound:
                    pass
                else:
                    raise AssertionError("the image should be gone")


async def test_quitting_asks_while_a_transfer_runs(tmp_path: Path) -> None:
    from ims_tui.ui.screens.confirm import ConfirmScreen

    qcow2_file(tmp_path / "disk.qcow2")
    app, _ = make_app(empty=True, wrap=StallingUploads)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        image_id = await queued(app, "busy")
        screen.query_one(TransferPanel).upload(screen.client, image_id, "busy", tmp_path / "disk.qcow2")  # type: ignore[arg-type]
        await pilot.press("q")
        await while_stalled(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the quit question")
        await pilot.press("escape")  # go on
        await while_stalled(pilot, lambda: app.screen is screen, "back to the list")
        assert app.is_running and screen.query_one(TransferPanel).running
        await pilot.press("q")
        await while_stalled(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the quit question again")
        await pilot.press("tab", "enter")  # to Quit, in one burst
        await while_stalled(pilot, lambda: not app.is_running, "the app quitting")


async def test_an_upload_into_an_image_that_is_not_queued_is_refused_in_words() -> None:
    app, _ = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        row = main_screen(app).table.current
        assert row is not None and row.status == "active"
        await pilot.press("u")
        await settle(pilot)
        assert any("only a queued image takes data" in message for message in told(app))
        assert not isinstance(app.screen, UploadScreen)


async def test_create_with_a_local_file_uploads_it_and_the_image_becomes_active(
    tmp_path: Path, monkeypatch: Any
) -> None:
    from ims_tui.ui.screens.image_form import ImageFormScreen

    monkeypatch.chdir(tmp_path)
    data = qcow2_file(tmp_path / "disk.qcow2")
    app, cloud = make_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, ImageFormScreen), "the form")
        form = app.screen
        await pilot.press(*"from-form")
        form.query_one("#data-file").input.focus()
        await settle(pilot)
        await pilot.press("d", "tab")  # completes to disk.qcow2
        await settle(pilot)
        assert form.query_one("#data-file").value == "disk.qcow2"
        await pilot.press("ctrl+s")
        screen = main_screen(app)
        await until(pilot, lambda: app.screen is screen and not screen.query_one(TransferPanel).running, "upload")
        row = screen.table.current
        assert row is not None and row.name == "from-form" and row.status == "active", told(app)
        assert cloud.images[row.id]["os_hash_value"] == hashlib.sha512(data).hexdigest()
        assert cloud.images[row.id]["disk_format"] == "qcow2"  # blank in the form: the file's format


async def test_create_with_a_file_but_no_disk_format_is_refused_before_sending(tmp_path: Path) -> None:
    from textual.widgets import Select

    from ims_tui.ui.screens.image_form import ImageFormScreen

    qcow2_file(tmp_path / "disk.qcow2")
    app, cloud = make_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, ImageFormScreen), "the form")
        form = app.screen
        form.query_one("#data-file").input.value = str(tmp_path / "disk.qcow2")
        await settle(pilot)
        assert form.query_one("#disk_format", Select).value == "qcow2"  # blank formats take the file's
        form.query_one("#disk_format", Select).clear()  # and the user clears it again
        await settle(pilot)
        before = len(cloud.request_log)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ImageFormScreen) and len(cloud.request_log) == before
        assert "Glance takes no data without them" in str(form.query_one("#data-note").render())
