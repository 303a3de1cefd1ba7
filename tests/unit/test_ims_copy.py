"""IMS copies, cross-region copies, batch sharing and the quota check (``api/ims_copy.py``): the bodies have the
API reference's shapes (tests/fixtures/ims), the checks before sending say what is wrong, and on the simulator
each call starts a job that ends as IMS's would, through the same auth, request log and read-only guard."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from test_ims_simulator import fixture, shape_problems

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import BadRequest, ReadOnlyError
from ims_tui.api.huawei import AkSkAuth
from ims_tui.api.ims_copy import CopyRequest, MemberBatch, copy_refusal, quota_refusal
from ims_tui.api.ims_jobs import QuotaUse
from ims_tui.api.models import Image
from ims_tui.api.request_log import RequestLog
from ims_tui.demo.ims_cloud import DEMO_AK, DEMO_SK, ImsCloud
from ims_tui.demo.seed import DEMO_PROJECT_ID

CROSS = {"region": "cn-north-1", "project_name": "cn-north-1", "agency_name": "ims_admin_agency"}
PROJECT = "9c61004714024f9586705d090530f9fa"


def test_the_request_bodies_have_the_reference_shapes() -> None:
    region = CopyRequest("region", "ims_test", "test image", cmk_id="k", enterprise_project_id="0")
    assert shape_problems(fixture("copy_request.json"), region.body()) == []
    assert set(region.body()) == set(fixture("copy_request.json"))
    cross = CopyRequest("cross", "ims_test", "test image", **CROSS)
    assert set(cross.body()) == set(fixture("cross_region_copy_request.json"))
    assert shape_problems(fixture("cross_region_copy_request.json"), cross.body()) == []
    batch = MemberBatch(("a", "b"), (PROJECT,))
    assert shape_problems(fixture("members_request.json"), batch.body()) == []
    assert (batch.method, MemberBatch(("a",), (PROJECT,), remove=True).method) == ("POST", "DELETE")


def test_a_copy_sends_only_what_its_mode_takes_and_only_what_was_given() -> None:
    region = CopyRequest("region", " web ", region="cn-north-1", agency_name="x")
    assert region.body() == {"name": "web"}
    assert region.path("a/b") == "/v1/cloudimages/a%2Fb/copy"
    cross = CopyRequest("cross", "web", cmk_id="k", **CROSS)
    assert "cmk_id" not in cross.body() and cross.path("i").endswith("/i/cross_region_copy")
    assert cross.preview("i").splitlines()[0] == "POST /v1/cloudimages/i/cross_region_copy"


def test_the_fields_are_checked_before_sending() -> None:
    assert CopyRequest("region", "ok name_1.2").problems() == {}
    assert set(CopyRequest("region", "").problems()) == {"name"}
    assert set(CopyRequest("region", " lead").problems()) == {"name"}
    assert set(CopyRequest("region", "x" * 129).problems()) == {"name"}
    assert set(CopyRequest("region", "a/b").problems()) == {"name"}
    assert set(CopyRequest("region", "a", "<b>").problems()) == {"description"}
    assert set(CopyRequest("region", "a", enterprise_project_id="x").problems()) == {"enterprise_project_id"}
    assert CopyRequest("cross", "a", **CROSS).problems() == {}
    assert set(CopyRequest("cross", "a").problems()) == {"region", "project_name", "agency_name"}
    same = CopyRequest("cross", "a", **{**CROSS, "region": "cn-north-4"}).problems(here="cn-north-4")
    assert "this region" in same["region"]
    assert set(CopyRequest("cross", "a", **{**CROSS, "region": "North 1"}).problems()) == {"region"}


def _image(**values: Any) -> Image:
    return Image.model_validate({"id": "i", "status": "active", "disk_format": "qcow2", **values})


def test_ims_s_limits_are_said_before_sending() -> None:
    assert copy_refusal(_image(), "cross") is None and copy_refusal(_image(), "region") is None
    iso = _image(disk_format="iso")
    assert "ISO" in (copy_refusal(iso, "cross") or "") and "ISO" in (copy_refusal(iso, "region") or "")
    encrypted = _image(__system_encrypted="1")
    assert "encrypted" in (copy_refusal(encrypted, "cross") or "") and copy_refusal(encrypted, "region") is None
    big = _image(size=None, __image_size=str(129 * 1024**3))
    assert "129.0 GB" in (copy_refusal(big, "cross") or "") and copy_refusal(big, "region") is None
    assert "saving" in (copy_refusal(_image(status="saving"), "region") or "")


def test_the_quota_refusal_gives_the_numbers() -> None:
    uses = [QuotaUse(type="image", used=19, quota=20)]
    assert quota_refusal(uses, 1) is None
    said = quota_refusal(uses, 2) or ""
    assert "19 of 20" in said and "make 21" in said
    assert quota_refusal([QuotaUse(type="image", used=20, quota=20)]) is not None
    assert quota_refusal([], 5) is None  # a quota IMS does not report is not guessed


def _client(cloud: ImsCloud, **kwargs: Any) -> ImageClient:
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID)
    return ImageClient(cloud.url, auth=auth, transport=cloud.transport, **kwargs)


def _private(cloud: ImsCloud, iso: bool = False) -> list[str]:
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID)
    with httpx.Client(transport=cloud.transport, base_url=cloud.url, auth=auth) as direct:
        mine = direct.get("/v2/cloudimages", params={"__imagetype": "private", "status": "active"}).json()
    return [image["id"] for image in mine["images"] if (image["disk_format"] == "iso") == iso]


async def test_a_copy_on_the_simulator_is_one_job_and_the_request_log_shows_it() -> None:
    cloud, log = ImsCloud(image_count=300), RequestLog()
    client = _client(cloud, request_log=log)
    source = _private(cloud)[0]
    job_id = await client.ims_copy(source, CopyRequest("region", "the copy"))
    job = await client.ims_job(DEMO_PROJECT_ID, job_id)
    assert job.status == "SUCCESS" and job.job_type == "imsCopyImageJob" and job.image_id
    copy = await client.get(job.image_id)
    assert copy.name == "the copy" and copy.visibility == "private"
    assert any(e.method == "POST" and e.path == f"/v1/cloudimages/{source}/copy" and e.status == 200 for e in log)
    await client.aclose()


async def test_a_cross_region_copy_of_an_iso_fails_its_job_with_ims_s_code() -> None:
    cloud = ImsCloud(image_count=300)
    client = _client(cloud)
    iso = _private(cloud, iso=True)[0]
    job = await client.ims_job(DEMO_PROJECT_ID, await client.ims_copy(iso, CopyRequest("cross", "c", **CROSS)))
    assert (job.status, job.error_code, job.fail_reason) == ("FAIL", "IMG.0094", "ISO images cannot be replicated.")
    unknown_agency = CopyRequest("cross", "c", **{**CROSS, "agency_name": "nobody"})
    job = await client.ims_job(DEMO_PROJECT_ID, await client.ims_copy(_private(cloud)[0], unknown_agency))
    assert job.status == "FAIL" and job.error_code == "IMG.0216" and "nobody" in (job.fail_reason or "")
    await client.aclose()


async def test_batch_sharing_is_one_job_that_adds_and_removes_every_pair() -> None:
    cloud = ImsCloud(image_count=300)
    client = _client(cloud)
    images = tuple(_private(cloud)[:3])
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID)
    with httpx.Client(transport=cloud.transport, base_url=cloud.url, auth=auth) as direct:
        answer = direct.post("/v1/cloudimages/members", json=fixture("members_request.json"))
        assert answer.status_code == 404  # the reference's image ids are not this account's images
        answer = direct.post("/v1/cloudimages/members", json={"images": list(images[:1]), "projects": [PROJECT]})
        assert shape_problems(fixture("job_created.json"), answer.json()) == []
    job_id = await client.ims_members(MemberBatch(images, (PROJECT,)))
    assert (await client.ims_job(DEMO_PROJECT_ID, job_id)).status == "SUCCESS"
    for image_id in images:
        assert [m.member_id for m in await client.members(image_id)] == [PROJECT]
        assert (await client.get(image_id)).visibility == "shared"
    await client.ims_job(DEMO_PROJECT_ID, await client.ims_members(MemberBatch(images, (PROJECT,), remove=True)))
    for image_id in images:
        assert await client.members(image_id) == []
    with pytest.raises(BadRequest) as own:
        await client.ims_members(MemberBatch(images, (DEMO_PROJECT_ID,)))
    assert "owns the images" in own.value.one_line()
    await client.aclose()


async def test_the_simulator_refuses_a_create_or_copy_over_its_quota() -> None:
    cloud = ImsCloud(image_count=300)
    client = _client(cloud)
    [use] = await client.ims_quota()
    cloud.image_quota = use.used
    with pytest.raises(BadRequest) as create:
        await client.create({"name": "one too many"})
    assert "IMG.0133" in create.value.one_line()
    with pytest.raises(BadRequest):
        await client.ims_copy(_private(cloud)[0], CopyRequest("region", "c"))
    await client.aclose()


async def test_read_only_refuses_every_native_write_before_sending() -> None:
    cloud = ImsCloud(image_count=300)
    client = _client(cloud, read_only=True)
    source = _private(cloud)[0]
    sent = len(cloud.request_log)
    with pytest.raises(ReadOnlyError):
        await client.ims_copy(source, CopyRequest("region", "c"))
    with pytest.raises(ReadOnlyError):
        await client.ims_copy(source, CopyRequest("cross", "c", **CROSS))
    with pytest.raises(ReadOnlyError):
        await client.ims_members(MemberBatch((source,), (PROJECT,), remove=True))
    assert len(cloud.request_log) == sent and not cloud.jobs
    await client.aclose()
