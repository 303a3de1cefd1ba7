"""Upload and download from the main screen against the demo cloud, with real keys: the dialogs ask, the
transfer runs in the background with a progress line, the result is verified and said."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path
from typing import Any

from ims_tui.ui.screens.transfer_dialogs import DownloadScreen, UploadScreen
from ims_tui.ui.transfers import TransferPanel

from .helpers import main_screen, make_app, settle


def told(app: Any) -> list[str]:
    return [notification.message for notification in app._notifications]


def qcow2_file(path: Path, size: int = 3 * 1024 * 1024) -> bytes:
    data = b"QFI\xfb" + struct.pack(">I", 3) + bytes(range(256)) * ((size - 8) // 256)
    path.write_bytes(data)
    return data


async def until(pilot: Any, done: Any, what: str, limit: int = 60) -> None:
    for _ in range(limit):
        if done():
            return
        await settle(pilot)
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
