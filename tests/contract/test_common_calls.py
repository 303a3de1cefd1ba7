"""Calls common to the demo cloud, a real Glance and the IMS simulator where the three differ as documented (each
difference named once in ``conftest.DIFFERENCES``), and IMS's own calls (cloudimages, jobs, quota) on the
simulator. The rest of the common calls (show, create, patch, delete, tags, paging, filters, sort) are the
``common_backend`` tests of test_contract.py, which expect the same of all three."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ims_tui.api import BadRequest, ListQuery

from .conftest import Backend

DATA = b"ims-tui contract data\n" * 40


async def test_a_new_image_is_private_on_ims_and_shared_on_glance(common_backend: Backend) -> None:
    plain = await common_backend.create(disk_format="raw", container_format="bare")
    if common_backend.can("visibility_on_create"):
        assert plain["visibility"] == "shared"  # Glance's default since Ocata
        made = await common_backend.create(visibility="shared")
        assert made["visibility"] == "shared"
        return
    assert plain["visibility"] == "private" and plain["__imagetype"] == "private"
    with pytest.raises(BadRequest) as caught:
        await common_backend.create(visibility="shared")
    assert "private" in caught.value.message and caught.value.request_id


async def test_an_upload_gives_the_size_each_cloud_reports_its_own_way(common_backend: Backend) -> None:
    made = await common_backend.create(disk_format="raw", container_format="bare")
    image_id = str(made["id"])
    await common_backend.client._send(
        "PUT",
        f"/v2/images/{image_id}/file",
        content=DATA,
        headers={"Content-Type": "application/octet-stream"},
        ok=(204,),
    )
    image = await common_backend.client.get(image_id)
    assert image.status == "active" and image.effective_size == len(DATA)
    if common_backend.can("glance_sizes"):
        assert image.size == len(DATA) and image.checksum == hashlib.md5(DATA).hexdigest()
    else:
        assert image.size is None and image.checksum is None
        assert image.properties["__image_size"] == str(len(DATA))
    # the native list (IMS) or its Glance fallback: the same size either way
    [listed] = (await common_backend.client.list_native_page(ListQuery(ids=(image_id,)))).images
    assert listed.effective_size == len(DATA)


async def test_the_native_list_lists_what_the_glance_list_lists(common_backend: Backend) -> None:
    tag = common_backend.marker_tag
    made = {
        str((await common_backend.create(disk_format=form, container_format="bare"))["id"]) for form in ("raw",) * 3
    }
    await common_backend.create(disk_format="qcow2", container_format="bare")
    query = ListQuery(tags=(tag,), disk_formats=("raw",), limit=2, sort=(("name", "asc"),))
    glance = {image.id for image in (await common_backend.client.list_page(query.with_changes(limit=None))).images}
    assert glance == made
    native = await common_backend.client.list_native_page(query.with_changes(tags=(), limit=500))
    mine = {image.id for image in native.images if tag in image.tags}
    assert mine == made
    if common_backend.can("cloudimages"):
        assert not common_backend.client.cloudimages_refused
    else:
        assert common_backend.client.cloudimages_refused  # 404: every list goes to Glance from then on


async def test_ims_quota_counts_the_images_made(common_backend: Backend) -> None:
    common_backend.needs("cloudimages")
    [before] = await common_backend.client.ims_quota()
    await common_backend.create()
    [after] = await common_backend.client.ims_quota()
    assert after.type == before.type and after.used == before.used + 1 and after.used <= after.quota


async def test_an_ims_copy_is_a_job_the_client_follows_to_its_image(common_backend: Backend) -> None:
    common_backend.needs("cloudimages")
    made = await common_backend.create(disk_format="raw", container_format="bare")
    source = str(made["id"])
    await common_backend.raw.put(
        f"/v2/images/{source}/file", content=DATA, headers={"Content-Type": "application/octet-stream"}
    )
    started = await common_backend.raw.post(f"/v1/cloudimages/{source}/copy", json={"name": "contract copy"})
    assert started.status_code == 200, started.text
    job_id = started.json()["job_id"]
    job = await common_backend.client.ims_job(common_backend.project_id, job_id)
    assert job.status == "SUCCESS" and job.image_id  # job_seconds 0: done by its first look
    copy = await common_backend.client.get(job.image_id)
    common_backend.created.append(copy.id)
    assert copy.name == "contract copy" and copy.effective_size == len(DATA)


def test_every_reference_example_is_compared_with_the_simulator() -> None:
    fixtures = Path(__file__).parent.parent / "fixtures" / "ims"
    # the simulator's answers (test_ims_simulator.py) and the client's requests (test_ims_copy.py, test_ims_obs.py)
    checks = "".join(path.read_text() for path in (Path(__file__).parent.parent / "unit").glob("test_ims_*.py"))
    unchecked = [path.name for path in sorted(fixtures.glob("*.json")) if f'"{path.name}"' not in checks]
    assert unchecked == []
