"""The live watch's reads (api/watch.py) against both backends: few requests, hidden images still followed,
deleted ones reported gone, an image that got its data reported settled."""

from __future__ import annotations

import pytest

from ims_tui.api.watch import CHUNK, Watcher

from .conftest import Backend

pytestmark = pytest.mark.glance


async def give_data(backend: Backend, image_id: str) -> None:
    """Make a queued image active: Glance takes its data; the demo cloud (no upload call yet) is told directly."""
    if backend.cloud is not None:
        backend.cloud.images[image_id]["status"] = "active"
        return
    await backend.client._send(
        "PUT",
        f"/v2/images/{image_id}/file",
        content=b"x" * 1024,
        headers={"Content-Type": "application/octet-stream"},
        ok=(204,),
    )


async def test_a_queued_image_is_followed_until_it_has_data(backend: Backend) -> None:
    image = await backend.create(disk_format="raw", container_format="bare")
    watcher = Watcher(backend.client)
    watcher.watch.follow(str(image["id"]), "queued")
    quiet = await watcher.round()
    assert quiet.images == () and not quiet.changed  # read, unchanged: nothing for the screen to redraw
    await give_data(backend, str(image["id"]))
    done = await watcher.round()
    assert [(s.image.id, s.before, s.image.status) for s in done.settled] == [(image["id"], "queued", "active")]
    assert not watcher.watch  # nothing left to follow: the next round is never asked for
    assert watcher.requests == 2  # one list request a round


async def test_many_images_take_one_list_request_per_chunk(backend: Backend) -> None:
    images = [await backend.create() for _ in range(CHUNK + 3)]
    watcher = Watcher(backend.client)
    for created in images:
        watcher.watch.follow(str(created["id"]), "queued")
    found = await watcher.round()
    assert not found.changed and set(watcher.watch.ids) == {created["id"] for created in images}
    assert watcher.requests == 2  # every one found by the two list requests: no GET


async def test_a_hidden_image_is_still_followed_and_a_deleted_one_is_gone(backend: Backend) -> None:
    hidden = await backend.create(os_hidden=True)
    deleted = await backend.create()
    await backend.client.delete(str(deleted["id"]))
    watcher = Watcher(backend.client)
    watcher.watch.follow(str(hidden["id"]), "queued")
    watcher.watch.follow(str(deleted["id"]), "queued")
    found = await watcher.round()
    assert found.gone == (deleted["id"],)
    assert watcher.watch.ids == (hidden["id"],)  # the list leaves it out; its own GET finds it
    assert watcher.requests == 3
