# ruff: noqa: F811
"""Bulk download to a folder, against the demo cloud and a real Glance: five images with data (two of one name, one
without a name), each saved under its safe name (or its id), verified, and never over a file already there."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

from ims_tui.api.bulk import BulkAction, build_plan
from ims_tui.api.bulk_run import BulkRunner, Progress, read_targets

from .test_write_outcomes import Link, link  # noqa: F401  (the fixture, and its parameter below)

FORMATS = [
    {"op": "replace", "path": "/disk_format", "value": "raw"},
    {"op": "replace", "path": "/container_format", "value": "bare"},
]


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 4096):
        yield data[start : start + 4096]


async def with_data(link: Link, name: str | None, data: bytes) -> str:
    image = await link.direct.create({"tags": [link.tag], **({"name": name} if name is not None else {})})
    link.created.append(image.id)
    await link.direct.update(image.id, FORMATS)
    await link.direct.put_data(image.id, chunks(data), size=len(data))
    return image.id


async def test_downloading_five_images_to_a_folder(link: Link, tmp_path: Path) -> None:
    names = ["web/../server", "twin", "twin", None, ".hidden-one"]
    blobs = [bytes([index]) * (10_000 + index * 777) for index in range(5)]
    ids = [await with_data(link, name, data) for name, data in zip(names, blobs, strict=True)]
    queued = (await link.direct.create({"name": "nothing-yet", "tags": [link.tag]})).id
    link.created.append(queued)
    (tmp_path / "hidden-one").write_bytes(b"mine")  # there already: left out, never overwritten

    targets = await read_targets(link.client, [*ids, queued])
    plan = build_plan(BulkAction("download", (str(tmp_path),)), targets)
    expected = ["web-..-server", ids[1], ids[2], ids[3]]
    assert [Path(step.requests[0].target).name for step in plan.steps] == expected
    assert [request.line() for step in plan.steps for request in step.requests] == [
        f"GET /v2/images/{image_id}/file" for image_id in ids[:4]
    ]
    assert [(item.image_id, item.reason.split(":")[0]) for item in plan.left_out] == [
        (ids[4], "exists"),
        (queued, "no data"),
    ]

    seen: list[Progress] = []
    result = await BulkRunner(link.client, plan, progress=seen.append).run()

    assert result.ids("done") == tuple(ids[:4]) and seen[-1] == Progress(4, done=4)
    for name, data, item in zip(expected, blobs[:4], result.results, strict=True):
        saved = tmp_path / name
        assert saved.read_bytes() == data
        image = await link.direct.get(item.image_id)
        assert hashlib.sha512(data).hexdigest() == image.os_hash_value and "verified with sha512" in item.note
    assert (tmp_path / "hidden-one").read_bytes() == b"mine"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([*expected, "hidden-one"])  # no partial left


async def test_a_file_that_appears_after_the_plan_is_never_overwritten(link: Link, tmp_path: Path) -> None:
    ids = [await with_data(link, name, b"data of " + name.encode()) for name in ("late", "fine")]
    plan = build_plan(BulkAction("download", (str(tmp_path),)), await read_targets(link.client, ids))
    (tmp_path / "late").write_bytes(b"someone else's")
    result = await BulkRunner(link.client, plan).run()
    assert result.ids("done") == (ids[1],) and result.retry_ids() == (ids[0],)
    (failed,) = [item for item in result.results if item.state == "failed"]
    assert failed.error is not None and "is there already" in failed.error.one_line()
    assert (tmp_path / "late").read_bytes() == b"someone else's" and (tmp_path / "fine").read_bytes() == b"data of fine"
    again = build_plan(plan.action, await read_targets(link.client, result.retry_ids()))
    assert again.steps == () and again.left_out[0].reason == f"exists: {tmp_path / 'late'} (never overwritten)"
