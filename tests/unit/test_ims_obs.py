"""IMS and OBS calls and key/value tags: the bodies the app sends have the shape of the API reference's examples
(tests/fixtures/ims), IMS's and OBS's rules refuse before sending, and the simulator's answers (export, create,
quick import, register as jobs; the OS version list; tags) have the reference's shapes and do what IMS does.
The client calls run against the simulator through the app's own signer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import BadRequest, ReadOnlyError
from ims_tui.api.huawei import AkSkAuth
from ims_tui.api.ims_obs import CreateRequest, ExportRequest, bucket_problem, object_problem, register_problems
from ims_tui.api.ims_tags import TagChange, rows_problems
from ims_tui.api.models import Image
from ims_tui.demo.ims_cloud import DEMO_AK, DEMO_SK, ImsCloud
from ims_tui.demo.seed import DEMO_PROJECT_ID
from tests.unit.test_ims_simulator import Clock, fixture, shape_problems

GB = 1024**3


def image(**fields: Any) -> Image:
    return Image.model_validate({"id": "i-1", "status": "active", "disk_format": "qcow2", **fields})


# -- rules, before anything is sent ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("ab", "3 to 63"),
        ("a" * 64, "3 to 63"),
        ("My-Bucket", "lowercase"),
        ("my_bucket", "lowercase"),
        ("-bucket", "starts and ends"),
        ("bucket.", "starts and ends"),
        ("my..bucket", "'..'"),
        ("my-.bucket", "'.-'"),
        ("192.168.1.10", "IP address"),
        ("", "type the bucket"),
    ],
)
def test_obs_bucket_names_follow_obs_rules(name: str, says: str) -> None:
    problem = bucket_problem(name)
    assert problem is not None and says in problem


def test_good_bucket_and_object_names_pass() -> None:
    for name in ("ims-image", "my.bucket-01", "abc", "a" * 63):
        assert bucket_problem(name) is None
    assert object_problem("exports/2026/disk.qcow2") is None
    assert object_problem("/root.qcow2") is not None
    assert object_problem("a\nb") is not None
    assert object_problem("x" * 1025) is not None


def test_export_body_matches_the_reference_and_quick_export_names_no_format() -> None:
    body = ExportRequest("ims-image", "centos7_5.qcow2", "qcow2").body()
    assert shape_problems(fixture("export_request.json"), body) == []
    assert body == fixture("export_request.json")
    quick = ExportRequest("ims-image", "big.zvhd2", "vmdk", quick=True).body()
    assert quick == {"bucket_url": "ims-image:big.zvhd2", "is_quick_export": True}


def test_export_rules_of_the_image() -> None:
    request = ExportRequest("ims-image", "x.qcow2")
    assert "ISO" in request.problems(image(disk_format="iso"))["image"]
    big = image(__image_size=str(200 * GB))
    assert "128 GB" in request.problems(big)["quick"]
    assert ExportRequest("ims-image", "x.zvhd2", quick=True).problems(big) == {}
    encrypted = image(__system_encrypted="1")
    assert "encrypted" in ExportRequest("ims-image", "x", quick=True).problems(encrypted)["quick"]
    assert "1 TB" in request.problems(image(__image_size=str(1024 * GB)))["image"]


def test_create_and_quick_import_bodies_match_the_reference() -> None:
    create = CreateRequest(
        "ims_test_file",
        "ims-image",
        "centos70.qcow2",
        "CentOS 7.0 64bit",
        40,
        "Create an image from a file in an OBS bucket",
    )
    assert create.problems({"CentOS 7.0 64bit"}) == {}
    assert shape_problems(fixture("create_from_obs_request.json"), create.body()) == []
    assert create.path == "/v2/cloudimages/action"
    quick = CreateRequest("ims_test_file", "ims-image", "centos70.zvhd2", "CentOS 7.0 64bit", 40, quick=True)
    assert quick.path == "/v2/cloudimages/quickimport/action"
    assert shape_problems(fixture("quickimport_request.json"), {**quick.body(), "description": ""}) == []
    assert shape_problems(fixture("register_request.json"), {"image_url": "ims-image:disk.vmdk"}) == []


def test_create_is_refused_field_by_field_before_sending() -> None:
    found = CreateRequest("", "BAD", "", "Windows 3.1", 0, "a <b>", type="Nope").problems({"CentOS 7.0 64bit"})
    assert set(found) == {"name", "bucket", "object", "os_version", "min_disk", "description", "type"}
    quick = CreateRequest("n", "ims-image", "disk.qcow2", "CentOS 7.0 64bit", 40, quick=True).problems(None)
    assert "raw or .zvhd2" in quick["object"]
    data = CreateRequest("d", "ims-image", "d.raw", "", 40, type="DataImage", quick=True)
    assert data.problems(None) == {} and "os_version" not in data.body() and data.body()["os_type"] == "Linux"


def test_register_only_into_a_queued_image() -> None:
    assert "queued" in register_problems(image(), "ims-image", "disk.vmdk")["image"]
    assert register_problems(image(status="queued"), "ims-image", "disk.vmdk") == {}
    assert "registers files of" in register_problems(image(status="queued"), "ims-image", "disk.exe")["object"]


def test_tag_rules_and_the_change_as_batch_actions() -> None:
    rows = [("env", "prod"), ("env", "dev"), ("", "x"), ("a/b", ""), ("k" * 37, ""), (" pad", ""), ("ok", "")]
    found = rows_problems(rows)
    assert set(found) == {1, 2, 3, 4, 5}
    assert "row 1" in found[1]
    assert 10 in rows_problems([(f"k{i}", "") for i in range(11)])
    change = TagChange({"env": "dev", "old": "1", "same": "x"}, {"env": "prod", "new": "", "same": "x"})
    bodies = change.bodies()
    assert [body["action"] for body in bodies] == ["delete", "create"]  # never over 10 in between
    assert bodies[0]["tags"] == [{"key": "old", "value": "1"}]
    assert {tag["key"] for tag in bodies[1]["tags"]} == {"env", "new"}
    assert shape_problems(fixture("kv_tags_action_request.json"), bodies[1]) == []
    assert TagChange({"a": "1"}, {"a": "1"}).empty


# -- the simulator, through the app's client --------------------------------------------------------------------


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cloud(clock: Clock) -> ImsCloud:
    return ImsCloud(image_count=300, clock=clock, job_seconds=10.0)


def app_client(cloud: ImsCloud, clock: Clock, *, read_only: bool = False) -> ImageClient:
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=clock)
    return ImageClient(cloud.url, auth=auth, transport=cloud.transport, read_only=read_only)


def direct(cloud: ImsCloud, clock: Clock) -> httpx.Client:
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=clock)
    return httpx.Client(transport=cloud.transport, base_url=cloud.url, auth=auth)


def own(cloud: ImsCloud, clock: Clock, status: str = "active") -> dict[str, Any]:
    with direct(cloud, clock) as ims:
        found = ims.get("/v2/cloudimages", params={"__imagetype": "private", "status": status}).json()["images"]
    return next(item for item in found if item["disk_format"] != "iso")


async def test_the_os_version_list_has_the_reference_shape(cloud: ImsCloud, clock: Clock) -> None:
    with direct(cloud, clock) as ims:
        assert shape_problems(fixture("os_versions.json"), ims.get("/v1/cloudimages/os_version").json()) == []
    async with app_client(cloud, clock) as client:
        versions = [version.os_version for version in await client.os_versions()]
    assert "CentOS 7.0 64bit" in versions and "Other(32 bit)" in versions


async def test_an_export_runs_as_a_job_and_the_file_lands_in_its_bucket(cloud: ImsCloud, clock: Clock) -> None:
    source = own(cloud, clock)
    async with app_client(cloud, clock) as client:
        job_id = await client.export_to_obs(source["id"], ExportRequest("ims-export", "out.vmdk", "vmdk"))
        assert (await client.ims_job(DEMO_PROJECT_ID, job_id)).status == "INIT"
        assert "out.vmdk" not in cloud.obs.buckets["ims-export"]
        clock.now += timedelta(seconds=11)
        job = await client.ims_job(DEMO_PROJECT_ID, job_id)
        missing = await client.export_to_obs(source["id"], ExportRequest("no-such-bucket", "x.qcow2"))
        clock.now += timedelta(seconds=11)
        failed = await client.ims_job(DEMO_PROJECT_ID, missing)
    assert job.status == "SUCCESS" and "out.vmdk" in cloud.obs.buckets["ims-export"]
    assert failed.status == "FAIL" and "no-such-bucket does not exist" in (failed.fail_reason or "")
    assert ("POST", f"/v1/cloudimages/{source['id']}/file") in cloud.request_log


async def test_create_from_obs_makes_the_image_when_the_job_ends(cloud: ImsCloud, clock: Clock) -> None:
    request = CreateRequest("from-obs", "ims-image", "centos70.qcow2", "CentOS 7.0 64bit", 40)
    async with app_client(cloud, clock) as client:
        job_id = await client.create_from_obs(request)
        with direct(cloud, clock) as ims:
            assert ims.get("/v2/cloudimages", params={"name": "from-obs"}).json()["images"] == []
        clock.now += timedelta(seconds=11)
        job = await client.ims_job(DEMO_PROJECT_ID, job_id)
        made = await client.get(job.image_id or "")
        bad_os = CreateRequest("x", "ims-image", "centos70.qcow2", "Windows 3.1", 40)
        with pytest.raises(BadRequest, match="os_version Windows 3.1 is not supported"):
            await client.create_from_obs(bad_os)
        lost_file = await client.create_from_obs(CreateRequest("y", "ims-image", "none.qcow2", "CentOS 7.0 64bit", 40))
        clock.now += timedelta(seconds=11)
        no_file = await client.ims_job(DEMO_PROJECT_ID, lost_file)
    assert made.name == "from-obs" and made.status == "active" and made.min_disk == 40
    assert made.properties["__os_version"] == "CentOS 7.0 64bit"
    assert no_file.status == "FAIL" and no_file.error_code == "IMG.0162"


async def test_register_fills_the_queued_image(cloud: ImsCloud, clock: Clock) -> None:
    queued = own(cloud, clock, "queued")
    async with app_client(cloud, clock) as client:
        job_id = await client.register_from_obs(queued["id"], "ims-image:data-disk.vmdk")
        assert (await client.get(queued["id"])).status == "queued"
        clock.now += timedelta(seconds=11)
        assert (await client.ims_job(DEMO_PROJECT_ID, job_id)).status == "SUCCESS"
        filled = await client.get(queued["id"])
        with pytest.raises(BadRequest, match="only a queued image"):
            await client.register_from_obs(queued["id"], "ims-image:data-disk.vmdk")
    assert filled.status == "active" and filled.effective_size == 10 * GB


async def test_key_value_tags_round_trip_and_refusals(cloud: ImsCloud, clock: Clock) -> None:
    source = own(cloud, clock)
    async with app_client(cloud, clock) as client:
        assert await client.kv_tags(DEMO_PROJECT_ID, source["id"]) == {}
        change = TagChange({}, {"env": "prod", "team": ""})
        tags, lost = await client.change_kv_tags(DEMO_PROJECT_ID, source["id"], change)
        assert lost is None and tags == {"env": "prod", "team": ""}
        tags, _ = await client.change_kv_tags(DEMO_PROJECT_ID, source["id"], TagChange(tags, {"env": "dev"}))
        assert tags == {"env": "dev"}
        await client.delete_kv_tag(DEMO_PROJECT_ID, source["id"], "env")
        with direct(cloud, clock) as ims:
            path = f"/v2/{DEMO_PROJECT_ID}/images/{source['id']}/tags"
            assert shape_problems(fixture("kv_tags.json"), ims.get(path).json()) == []
            many = [{"key": f"k{i}", "value": ""} for i in range(11)]
            assert ims.post(path + "/action", json={"action": "create", "tags": many}).status_code == 400
            bad = [{"key": "a=b", "value": ""}]
            assert ims.post(path + "/action", json={"action": "create", "tags": bad}).status_code == 400


async def test_read_only_refuses_every_obs_write_before_sending(cloud: ImsCloud, clock: Clock) -> None:
    source = own(cloud, clock)
    before = len(cloud.request_log)
    async with app_client(cloud, clock, read_only=True) as client:
        for call in (
            client.export_to_obs(source["id"], ExportRequest("ims-export", "x.qcow2")),
            client.create_from_obs(CreateRequest("n", "ims-image", "centos70.qcow2", "CentOS 7.0 64bit", 40)),
            client.register_from_obs(source["id"], "ims-image:a.vmdk"),
            client.change_kv_tags(DEMO_PROJECT_ID, source["id"], TagChange({}, {"a": "b"})),
        ):
            with pytest.raises(ReadOnlyError):
                await call
    assert len(cloud.request_log) == before
