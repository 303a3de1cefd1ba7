"""The client's IMS job and quota calls (``api/ims_jobs.py``): they parse the API reference's examples and
follow a job on the IMS simulator from INIT to its end, through the signed session the app uses."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from ims_tui.api.errors import MalformedResponse, NotFound
from ims_tui.api.huawei import AkSkAuth
from ims_tui.api.ims_jobs import ImsJob, parse_quota
from ims_tui.api.session import SessionInfo, StaticSession
from ims_tui.demo.ims_cloud import DEMO_AK, DEMO_SK, ImsCloud
from ims_tui.demo.seed import BASE_TIME, DEMO_PROJECT_ID

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ims"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_the_reference_examples_parse() -> None:
    done = ImsJob.parse(fixture("job_success.json"))
    assert done.ended and done.image_id == "e9e91bff-14b6-4a0b-8377-4ed0813e3360"
    assert done.began == datetime(2015, 6, 4, 18, 11, 6, tzinfo=timezone.utc)
    failed = ImsJob.parse(fixture("job_fail.json"))
    assert failed.ended and failed.error_code and failed.fail_reason and failed.image_id is None
    running = ImsJob.parse(fixture("job_running.json"))
    assert not running.ended and running.finished is None and running.percent is None
    [image] = parse_quota(fixture("quota.json"))
    assert (image.type, image.used, image.quota, image.left) == ("image", 0, 20, 20)
    with pytest.raises(MalformedResponse):
        ImsJob.parse({"job_id": "x", "status": "DONE"})
    with pytest.raises(MalformedResponse):
        parse_quota({"quotas": {}})


async def test_a_job_is_followed_to_its_end_and_the_quota_read() -> None:
    now = [BASE_TIME + timedelta(days=2)]
    clock = lambda: now[0]  # noqa: E731
    cloud = ImsCloud(image_count=300, clock=clock, job_seconds=8.0)
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=clock)
    session = StaticSession(SessionInfo(cloud="ims", ims=True), cloud.url, auth=auth, transport=cloud.transport)
    client = (await session.connect()).client
    try:
        with httpx.Client(transport=cloud.transport, base_url=cloud.url, auth=auth) as direct:
            mine = direct.get("/v2/cloudimages", params={"__imagetype": "private", "status": "active"}).json()
            source = next(image for image in mine["images"] if image["disk_format"] != "iso")
            job_id = direct.post(f"/v1/cloudimages/{source['id']}/copy", json={"name": "c"}).json()["job_id"]
        assert (await client.ims_job(DEMO_PROJECT_ID, job_id)).status == "INIT"
        now[0] += timedelta(seconds=4)
        halfway = await client.ims_job(DEMO_PROJECT_ID, job_id, progress=True)
        assert halfway.status == "RUNNING" and halfway.percent == 50
        now[0] += timedelta(seconds=5)
        done = await client.ims_job(DEMO_PROJECT_ID, job_id)
        assert done.status == "SUCCESS" and done.image_id and (await client.find(done.image_id)) is not None
        with pytest.raises(NotFound) as missing:
            await client.ims_job(DEMO_PROJECT_ID, "no-such-job")
        assert "does not exist" in missing.value.one_line()
        [image] = await client.ims_quota()
        assert image.type == "image" and image.used > 0 and image.quota == cloud.image_quota
    finally:
        await session.aclose()
