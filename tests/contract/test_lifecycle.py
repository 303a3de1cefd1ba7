"""Deactivate, reactivate, hide and unhide, and what the server says it can do, against the demo and Glance 33."""

from __future__ import annotations

from pathlib import Path

import pytest

from ims_tui.api import Forbidden, ImageClient, ListQuery
from ims_tui.api.download import download_image
from ims_tui.api.lifecycle import hidden_ops
from ims_tui.api.upload import upload_file

from .conftest import Backend, TwoProjects
from .transfer_helpers import data_file


async def active_image(client: ImageClient, folder: Path, name: str = "lifecycle") -> str:
    image = await client.create({"name": name, "disk_format": "raw", "container_format": "bare"})
    await upload_file(client, image.id, data_file(folder, 2048))
    return image.id


async def test_features_say_deactivate_and_hidden_are_there(common_backend: Backend) -> None:
    features = await common_backend.client.features()
    assert await common_backend.client.features() is features  # asked once per session
    if not common_backend.can("deactivate"):
        assert features.version == (2, 2)  # IMS's versions end at v2.2: no deactivate, no os_hidden
        assert not features.deactivate and not features.hidden
        return
    assert features.version >= (2, 17)
    assert features.deactivate and features.hidden and features.has("tasks")


async def test_deactivate_and_reactivate(common_backend: Backend, tmp_path: Path) -> None:
    common_backend.needs("deactivate")
    image_id = await active_image(common_backend.client, tmp_path)
    common_backend.created.append(image_id)
    await common_backend.client.deactivate(image_id)
    assert (await common_backend.client.get(image_id)).status == "deactivated"
    await common_backend.client.deactivate(image_id)  # again: nothing changes, no error
    await common_backend.client.reactivate(image_id)
    assert (await common_backend.client.get(image_id)).status == "active"
    await common_backend.client.reactivate(image_id)
    queued = str((await common_backend.create())["id"])
    with pytest.raises(Forbidden) as caught:
        await common_backend.client.deactivate(queued)
    assert caught.value.message == "Not allowed to deactivate image in status 'queued'"


async def test_a_deactivated_image_is_not_downloadable_but_by_admins(two_projects: TwoProjects, tmp_path: Path) -> None:
    alice, admin = two_projects.alice, two_projects.admin
    image_id = await active_image(alice, tmp_path)
    try:
        await alice.deactivate(image_id)
        with pytest.raises(Forbidden) as caught:
            await download_image(alice, image_id, tmp_path / "refused.raw")
        assert "The requested image has been deactivated. Image data download is forbidden." in caught.value.message
        assert not (tmp_path / "refused.raw").exists()
        saved = await download_image(admin, image_id, tmp_path / "admin.raw")
        assert saved.verified == "os_hash_value"
        await alice.reactivate(image_id)
        assert (await download_image(alice, image_id, tmp_path / "again.raw")).size == 2048
    finally:
        await admin.delete(image_id)


async def test_hide_and_unhide(common_backend: Backend) -> None:
    common_backend.needs("os_hidden")
    created = await common_backend.create(name="hidden-one")
    image_id = str(created["id"])
    image = await common_backend.client.get(image_id)
    ops = hidden_ops(image, True)
    assert ops == [{"op": "replace", "path": "/os_hidden", "value": True}]  # Glance always sends os_hidden
    hidden = await common_backend.client.update(image_id, ops)
    assert hidden.os_hidden is True
    tagged = ListQuery(tags=(common_backend.marker_tag,))
    assert image_id not in [i.id for i in (await common_backend.client.list_page(tagged)).images]
    listed = await common_backend.raw.get("/v2/images", params={"os_hidden": "true", "tag": common_backend.marker_tag})
    assert [i["id"] for i in listed.json()["images"]] == [image_id]
    shown = await common_backend.client.update(image_id, hidden_ops(hidden, False))
    assert shown.os_hidden is False
    assert image_id in [i.id for i in (await common_backend.client.list_page(tagged)).images]


async def test_adding_os_hidden_works_where_the_image_has_it_too(common_backend: Backend) -> None:
    """The ``add`` that an IMS image (no os_hidden key) gets is accepted by Glance as well (JSON-patch draft 10)."""
    common_backend.needs("os_hidden")
    image_id = str((await common_backend.create())["id"])
    updated = await common_backend.client.update(image_id, [{"op": "add", "path": "/os_hidden", "value": True}])
    assert updated.os_hidden is True
