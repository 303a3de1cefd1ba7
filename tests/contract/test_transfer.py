"""Image data in and out, against the demo cloud and a real Glance 33: upload with hash checks, download with and
without ranges, resume, no data, refusals, and a cancelled upload."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from ims_tui.api import BadRequest, Conflict, UnsupportedMediaType
from ims_tui.api.download import download_image, partial_path
from ims_tui.api.progress import Progress
from ims_tui.api.transfer import NoImageData, TargetExists
from ims_tui.api.upload import upload_file

from .conftest import Backend
from .transfer_helpers import data_file, eventually

MIB = 1 << 20


async def raw_image(backend: Backend, **attributes: object) -> str:
    attributes.setdefault("disk_format", "raw")
    attributes.setdefault("container_format", "bare")
    return str((await backend.create(**attributes))["id"])


async def uploaded(backend: Backend, folder: Path, size: int = 3 * MIB + 17) -> tuple[str, Path]:
    image_id = await raw_image(backend)
    source = data_file(folder, size)
    await upload_file(backend.client, image_id, source)
    return image_id, source


async def test_upload_records_the_hashes_the_client_computed(backend: Backend, tmp_path: Path) -> None:
    image_id = await raw_image(backend)
    source = data_file(tmp_path, 3 * MIB + 17)
    seen: list[Progress] = []
    result = await upload_file(backend.client, image_id, source, on_progress=seen.append, chunk_size=256 * 1024)
    data = source.read_bytes()
    assert result.verified == "os_hash_value" and result.verified_words == "verified with sha512"
    assert result.checksum == hashlib.md5(data).hexdigest()
    image = await backend.client.get(image_id)
    assert image.status == "active" and image.size == len(data) and image.virtual_size == len(data)
    assert image.os_hash_algo == "sha512" and image.os_hash_value == hashlib.sha512(data).hexdigest()
    assert image.properties["stores"] == "fs"
    assert seen[0].done == 0 and seen[-1].done == len(data) and seen[-1].phase == "done"
    assert [p.done for p in seen] == sorted(p.done for p in seen)


async def test_download_is_verified_and_appears_only_when_complete(backend: Backend, tmp_path: Path) -> None:
    image_id, source = await uploaded(backend, tmp_path)
    target = tmp_path / "saved.raw"
    seen: list[Progress] = []
    result = await download_image(backend.client, image_id, target, on_progress=seen.append)
    assert target.read_bytes() == source.read_bytes()
    assert result.verified == "os_hash_value" and result.resumed_from == 0 and not result.resume_refused
    assert result.words() == "saved 3.0 MiB, verified with sha512"
    assert not partial_path(target, image_id).exists()
    assert seen[-1].done == source.stat().st_size and seen[-1].percent == 100


async def test_download_resumes_from_a_partial_file(backend: Backend, tmp_path: Path) -> None:
    image_id, source = await uploaded(backend, tmp_path)
    target = tmp_path / "resumed.raw"
    data = source.read_bytes()
    partial_path(target, image_id).write_bytes(data[: MIB + 5])
    result = await download_image(backend.client, image_id, target)
    assert target.read_bytes() == data
    assert result.resumed_from == MIB + 5 and result.verified == "os_hash_value"
    assert "resumed at 1.0 MiB" in result.words()


async def test_ranges_answer_206_with_content_range(backend: Backend, tmp_path: Path) -> None:
    image_id, source = await uploaded(backend, tmp_path, 100_000)
    data = source.read_bytes()
    whole = await backend.raw.get(f"/v2/images/{image_id}/file")
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["content-md5"] == hashlib.md5(data).hexdigest()
    assert whole.headers["content-type"] == "application/octet-stream"
    tail = await backend.raw.get(f"/v2/images/{image_id}/file", headers={"Range": "bytes=99990-"})
    assert tail.status_code == 206 and tail.content == data[99990:]
    assert tail.headers["content-range"] == "bytes 99990-99999/100000"
    middle = await backend.raw.get(f"/v2/images/{image_id}/file", headers={"Range": "bytes=10-19"})
    assert middle.status_code == 206 and middle.content == data[10:20]
    beyond = await backend.raw.get(
        f"/v2/images/{image_id}/file", headers={"Range": "bytes=100000-", "Accept": "application/json"}
    )
    assert beyond.status_code == 416
    assert "Start position MUST be in the inclusive range [0, 99999]" in beyond.json()["message"]


async def test_download_never_overwrites_unless_told(backend: Backend, tmp_path: Path) -> None:
    image_id, source = await uploaded(backend, tmp_path, 1000)
    target = tmp_path / "kept.raw"
    target.write_bytes(b"precious")
    with pytest.raises(TargetExists) as caught:
        await download_image(backend.client, image_id, target)
    assert "is there already" in caught.value.one_line()
    assert target.read_bytes() == b"precious"
    await download_image(backend.client, image_id, target, overwrite=True)
    assert target.read_bytes() == source.read_bytes()


async def test_an_image_without_data_says_so(backend: Backend, tmp_path: Path) -> None:
    image_id = await raw_image(backend)
    answer = await backend.raw.get(f"/v2/images/{image_id}/file")
    assert answer.status_code == 204 and answer.content == b""
    with pytest.raises(NoImageData) as caught:
        await download_image(backend.client, image_id, tmp_path / "nothing.raw")
    assert "status queued): nothing was uploaded to it yet" in caught.value.one_line()
    assert not (tmp_path / "nothing.raw").exists() and not partial_path(tmp_path / "nothing.raw", image_id).exists()


async def test_data_that_is_not_the_chosen_format_is_refused(backend: Backend, tmp_path: Path) -> None:
    image_id = await raw_image(backend, disk_format="qcow2")
    with pytest.raises(UnsupportedMediaType) as caught:
        await upload_file(backend.client, image_id, data_file(tmp_path, 4096))
    assert "Image disk_format qcow2 does not match stream data raw" in caught.value.message
    image = await backend.client.get(image_id)
    assert image.status == "queued" and image.size is None


async def test_upload_needs_formats_and_a_queued_image(backend: Backend, tmp_path: Path) -> None:
    bare = str((await backend.create())["id"])
    with pytest.raises(BadRequest) as caught:
        await upload_file(backend.client, bare, data_file(tmp_path, 100))
    assert "Properties disk_format, container_format must be set prior to saving data." in caught.value.message
    assert (await backend.client.get(bare)).status == "queued"
    image_id, _ = await uploaded(backend, tmp_path, 100)
    with pytest.raises(Conflict) as refused:
        await upload_file(backend.client, image_id, data_file(tmp_path, 100, "again.raw"))
    assert "Image status transition from active to saving is not allowed" in refused.value.message


async def test_a_cancelled_upload_leaves_the_image_queued_and_uploadable(backend: Backend, tmp_path: Path) -> None:
    image_id = await raw_image(backend)
    source = data_file(tmp_path, 32 * MIB)
    started = asyncio.Event()

    def on_progress(progress: Progress) -> None:
        if progress.done > 0:
            started.set()

    upload = asyncio.create_task(
        upload_file(backend.client, image_id, source, on_progress=on_progress, chunk_size=64 * 1024)
    )
    await started.wait()
    upload.cancel()
    with pytest.raises(asyncio.CancelledError):
        await upload
    # Glance notices the closed connection, fails the upload and puts the image back (its _restore)
    image = await eventually(lambda: backend.client.get(image_id), lambda i: i.status == "queued", "queued again")
    assert image.size is None
    small = data_file(tmp_path, 5000, "small.raw")
    result = await upload_file(backend.client, image_id, small)
    assert result.verified == "os_hash_value" and result.image.size == 5000
