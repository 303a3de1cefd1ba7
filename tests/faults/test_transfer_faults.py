"""Faults on the data of an image, from the list: upload (u) and download (D), against the real Glance.

The fault is on the data request only (``PUT``/``GET .../file``). Each case checks: the app answers a key while
and after the transfer fails, the failure is readable at 80 columns with its status or plain reason, the server
holds what the user was told (an upload that failed leaves the image queued, never half-written as active; a
download that failed leaves no file at the target), the data request was sent once, and once the fault is gone
the same keys finish the job, verified.

Glance answers an upload with 204 and no body: a reset, a cut or a rewrite after that head spoils nothing, so
those faults are successes for an upload (the upload is verified against the image all the same).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from ims_tui.api import ImageClient
from ims_tui.api.upload import upload_file
from ims_tui.ui.screens.transfer_dialogs import DownloadScreen, UploadScreen
from ims_tui.ui.transfers import TransferPanel
from tools.fault_proxy import FaultProxy

from .conftest import (
    APPLIED,
    Case,
    Target,
    assert_responsive,
    fault_params,
    faulty_app,
    list_loaded,
    main_screen,
    readable,
    wait_until,
)

pytestmark = pytest.mark.glance
DATA = re.compile(r"^/v2/images/[0-9a-f-]{36}/file$")
SIZE = 256 * 1024


def data_file(folder: Path) -> Path:
    path = folder / "disk.raw"
    path.write_bytes(os.urandom(SIZE))  # random: Glance's format inspector must see raw data
    return path


def data_requests(proxy: FaultProxy, method: str, image_id: str) -> int:
    return len(proxy.requests(method, f"/v2/images/{image_id}/file"))


async def run_transfer(pilot: Any, key: str, dialog: type, path: str | None) -> None:
    """Open the dialog with ``key``, give the path (or keep the one offered), start, wait until it ends."""
    app = pilot.app
    screen = main_screen(app)
    panel = screen.query_one(TransferPanel)
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, dialog), f"the {key} dialog")
    if path is not None:
        app.screen.field.input.value = path
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.screen is screen and not panel.running, "the transfer's end")


@pytest.mark.parametrize("case", fault_params())
async def test_upload(proxy: FaultProxy, truth: ImageClient, target: Target, case: Case, tmp_path: Path) -> None:
    source = data_file(tmp_path)
    proxy.inject(case.make(), method="PUT", path=DATA, times=None)
    app = faulty_app(proxy)
    async with app.run_test(size=(80, 24)) as pilot:
        await list_loaded(pilot)
        await run_transfer(pilot, "u", UploadScreen, str(source))
        assert data_requests(proxy, "PUT", target.id) == 1  # never resent unasked
        held = await truth.get(target.id)
        if case.name in APPLIED:
            assert held.status == "active" and held.size == SIZE
            told = [note.message for note in app._notifications]
            # verified; or, when the reset also cost the buffered head of the 204, "the answer was lost": never
            # "failed" for an upload Glance stored
            assert any("verified with sha512" in m or "the answer was lost" in m for m in told), told
            return
        assert held.status == "queued" and not held.size  # nothing half-written became active
        assert readable(app, case.sign), f"{case} not readable at 80 columns"
        await assert_responsive(pilot)
        proxy.clear()
        await wait_until(pilot, lambda: main_screen(app).table.current is not None, "the row")
        await run_transfer(pilot, "u", UploadScreen, str(source))
        held = await truth.get(target.id)
        assert held.status == "active" and held.size == SIZE


@pytest.mark.parametrize("case", fault_params())
async def test_download(
    proxy: FaultProxy, truth: ImageClient, target: Target, case: Case, tmp_path: Path, monkeypatch: Any
) -> None:
    source = data_file(tmp_path)
    await upload_file(truth, target.id, source)
    monkeypatch.chdir(tmp_path)
    saved = tmp_path / "saved.raw"
    proxy.inject(case.make(), method="GET", path=DATA, times=None)
    app = faulty_app(proxy)
    async with app.run_test(size=(80, 24)) as pilot:
        await list_loaded(pilot)
        await run_transfer(pilot, "D", DownloadScreen, str(saved))
        assert data_requests(proxy, "GET", target.id) == 1
        assert not saved.exists()  # nothing at the target until the whole image arrived and was verified
        sign = r"dropped" if case.name == "wrong-types" else case.sign  # raw bytes cannot be rewritten as JSON:
        assert readable(app, sign), f"{case} not readable at 80 columns"  # the proxy cuts the line instead
        await assert_responsive(pilot)
        proxy.clear()
        await run_transfer(pilot, "D", DownloadScreen, str(saved))
        assert saved.read_bytes() == source.read_bytes()
