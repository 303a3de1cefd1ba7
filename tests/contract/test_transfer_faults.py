"""Transfers over a link that fails mid-way, on a real socket (tools/fault_proxy.py in front of a real Glance 33):
a download cut half-way keeps its partial file and resumes with a range; an upload cut half-way is never
re-sent blindly, leaves the image queued, and can be uploaded again."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from ims_tui.api import ImageClient, NetworkError
from ims_tui.api.download import download_image, partial_path
from ims_tui.api.transfer import TransferInterrupted
from ims_tui.api.upload import upload_file
from tools.fault_proxy import FaultProxy, cut_request, reset_mid, truncated

from .transfer_helpers import data_file, eventually

MIB = 1 << 20
DATA_PATH = re.compile(r"^/v2/images/[^/]+/file$")


@pytest.fixture
def proxy(glance_noauth: str) -> Iterator[FaultProxy]:
    with FaultProxy(glance_noauth) as running:
        yield running


@pytest.fixture
async def clients(glance_noauth: str, proxy: FaultProxy) -> AsyncIterator[tuple[ImageClient, ImageClient]]:
    """A client through the proxy, and one around it to see what the server holds."""
    through = ImageClient(proxy.url, backoff=0, timeout=httpx.Timeout(10.0))
    truth = ImageClient(glance_noauth)
    try:
        yield through, truth
    finally:
        await through.aclose()
        await truth.aclose()


async def image_with_data(truth: ImageClient, folder: Path, size: int) -> tuple[str, Path]:
    image = await truth.create({"name": "fault-transfer", "disk_format": "raw", "container_format": "bare"})
    source = data_file(folder, size)
    await upload_file(truth, image.id, source)
    return image.id, source


@pytest.mark.parametrize("fault", [reset_mid, truncated], ids=["reset", "truncated"])
async def test_a_download_cut_half_way_resumes_from_its_partial_file(
    fault: object, proxy: FaultProxy, clients: tuple[ImageClient, ImageClient], tmp_path: Path
) -> None:
    through, truth = clients
    image_id, source = await image_with_data(truth, tmp_path, 4 * MIB)
    target = tmp_path / "saved.raw"
    try:
        proxy.inject(fault(0.5), method="GET", path=DATA_PATH)  # type: ignore[operator]
        with pytest.raises(TransferInterrupted) as caught:
            await download_image(through, image_id, target)
        stopped = caught.value
        assert isinstance(stopped.cause, NetworkError)
        assert "download again to resume" in stopped.one_line()
        assert not target.exists()
        assert stopped.partial == partial_path(target, image_id) and stopped.partial.stat().st_size == stopped.done
        # A reset may cost the bytes already in the client's socket buffer (Linux drops them on RST): on a busy
        # machine nothing of the half sent is read. A clean cut (truncated) always leaves a partial file.
        assert (0 if fault is reset_mid else 1) <= stopped.done < 4 * MIB
        result = await download_image(through, image_id, target)
        assert target.read_bytes() == source.read_bytes()
        assert result.resumed_from == stopped.done and result.verified == "os_hash_value"
        if stopped.done:
            last = proxy.requests("GET", f"/v2/images/{image_id}/file")[-1]
            assert last.header("Range") == f"bytes={stopped.done}-"
    finally:
        await truth.delete(image_id)


async def test_an_upload_cut_half_way_is_settled_not_resent(
    proxy: FaultProxy, clients: tuple[ImageClient, ImageClient], tmp_path: Path
) -> None:
    through, truth = clients
    image = await truth.create({"name": "fault-upload", "disk_format": "raw", "container_format": "bare"})
    source = data_file(tmp_path, 8 * MIB)
    try:
        proxy.inject(cut_request(0.5), method="PUT", path=DATA_PATH)
        with pytest.raises(NetworkError) as caught:
            await upload_file(through, image.id, source)
        assert caught.value.method == "PUT" and "dropped" in caught.value.one_line()
        assert len(proxy.requests("PUT")) == 1  # settled with a GET, never sent again
        assert proxy.requests("GET", f"/v2/images/{image.id}")  # the settling GET
        # the server got half the body, then the connection went: Glance fails the upload and restores the image
        await eventually(lambda: truth.get(image.id), lambda i: i.status == "queued", "the image queued again")
        result = await upload_file(through, image.id, source)
        assert result.verified == "os_hash_value" and result.image.size == 8 * MIB
    finally:
        await truth.delete(image.id)
