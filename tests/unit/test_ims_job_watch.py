"""The session's IMS jobs (``api/ims_job_watch.py``) followed on the IMS simulator, on its clock: INIT, RUNNING
with progress, SUCCESS or FAIL with IMS's reason; a job IMS does not know ends with the reason; nothing is asked
once no job is unfinished. The UI's timing (``watch.Backoff``) is checked on the rounds' outcomes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest

from ims_tui.api.client import ImageClient
from ims_tui.api.huawei import AkSkAuth
from ims_tui.api.ims_job_watch import JobWatch, job_id_problem
from ims_tui.api.session import SessionInfo, StaticSession
from ims_tui.api.watch import Backoff
from ims_tui.demo.ims_cloud import DEMO_AK, DEMO_SK, ImsCloud
from ims_tui.demo.seed import BASE_TIME, DEMO_PROJECT_ID


@dataclass
class Lab:
    cloud: ImsCloud
    client: ImageClient
    now: list[datetime]
    auth: AkSkAuth

    def tick(self, seconds: float) -> None:
        self.now[0] += timedelta(seconds=seconds)

    def start(self, what: str = "copy", disk_format: str | None = None) -> tuple[str, str]:
        """A job started as another tool would (the simulator's copy or export): its id and the image's."""
        with httpx.Client(transport=self.cloud.transport, base_url=self.cloud.url, auth=self.auth) as direct:
            mine = direct.get("/v2/cloudimages", params={"__imagetype": "private", "status": "active"}).json()
            source = next(
                image
                for image in mine["images"]
                if (image["disk_format"] == disk_format if disk_format else image["disk_format"] != "iso")
            )
            if what == "copy":
                answer = direct.post(f"/v1/cloudimages/{source['id']}/copy", json={"name": "copied"})
            else:
                answer = direct.post(
                    f"/v1/cloudimages/{source['id']}/file", json={"bucket_url": "b:f.qcow2", "file_format": "qcow2"}
                )
        return answer.json()["job_id"], source["id"]

    def job_calls(self) -> int:
        return sum(1 for _method, path in self.cloud.request_log if "/job" in path)


@pytest.fixture
async def lab() -> AsyncIterator[Lab]:
    now = [BASE_TIME + timedelta(days=2)]
    clock = lambda: now[0]  # noqa: E731
    cloud = ImsCloud(image_count=300, clock=clock, job_seconds=8.0)
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=clock)
    session = StaticSession(SessionInfo(cloud="ims", ims=True), cloud.url, auth=auth, transport=cloud.transport)
    client = (await session.connect()).client
    try:
        yield Lab(cloud, client, now, auth)
    finally:
        await session.aclose()


async def test_a_copy_runs_to_success_with_its_progress(lab: Lab) -> None:
    job_id, image_id = lab.start()
    watch = JobWatch(lab.client, DEMO_PROJECT_ID)
    watch.track(job_id, "imsCopyImageJob", image_id)
    first = await watch.round()
    assert [t.status for t in first.changed] == ["INIT"] and first.ended == ()
    assert watch.summary() == "1 job running 0%"
    lab.tick(4)
    halfway = await watch.round()
    assert [(t.status, t.percent) for t in halfway.changed] == [("RUNNING", 50)]
    assert watch.summary() == "1 job running 50%"
    quiet = await watch.round()  # the clock stood still: nothing changed
    assert quiet.changed == ()
    lab.tick(5)
    done = await watch.round()
    [ended] = done.ended
    assert ended.status == "SUCCESS" and ended.target == image_id and ended.job is not None
    assert ended.job.image_id and await lab.client.find(ended.job.image_id) is not None  # the copy is there
    assert watch.summary() is None


async def test_a_failed_export_says_why_and_nothing_is_asked_after(lab: Lab) -> None:
    job_id, _image = lab.start("export", disk_format="iso")  # IMS cannot export an ISO image
    watch = JobWatch(lab.client, DEMO_PROJECT_ID)
    watch.track(job_id, "imsExportImageJob")
    lab.tick(9)
    [ended] = (await watch.round()).ended
    assert ended.status == "FAIL" and ended.job is not None
    assert ended.job.error_code == "IMG.0098" and "ISO images cannot be exported" in (ended.job.fail_reason or "")
    asked = lab.job_calls()
    assert (await watch.round()).changed == () and lab.job_calls() == asked  # none running: nothing sent
    assert watch.unfinished == [] and watch.summary() is None


async def test_an_unknown_job_ends_with_the_reason_and_two_run_at_once(lab: Lab) -> None:
    watch = JobWatch(lab.client, DEMO_PROJECT_ID)
    watch.track("0" * 32)
    first_id, _ = lab.start()
    watch.track(first_id, "imsCopyImageJob")
    found = await watch.round()
    [gone] = found.ended
    assert gone.status == "UNKNOWN" and gone.problem and "does not exist" in gone.problem
    assert watch.summary() == "1 job running 0%"
    second_id, _ = lab.start()
    watch.track(second_id)
    await watch.round()
    assert watch.summary() == "2 jobs running"
    assert [t.job_id for t in watch.jobs.values()] == ["0" * 32, first_id, second_id]  # the order tracked


def test_job_ids_are_checked_before_they_reach_a_url() -> None:
    assert job_id_problem("ff8080814dbd65d7014dbe0d84db0013") is None
    assert job_id_problem("  ") == "type a job id"
    for bad in ("../../v2/images", "abc", "x" * 65, "id with spaces", "id?x=1"):
        assert job_id_problem(bad) is not None, bad
    with pytest.raises(ValueError):
        JobWatch(None, DEMO_PROJECT_ID).track("../x")  # type: ignore[arg-type]


async def test_quiet_rounds_wait_longer_up_to_thirty_seconds_and_a_change_brings_them_back(lab: Lab) -> None:
    # What the UI's timer does with each round (ui/job_watch.py): the next waits Backoff.after the last.
    job_id, _ = lab.start()
    watch = JobWatch(lab.client, DEMO_PROJECT_ID)
    watch.track(job_id)
    backoff, delay, delays = Backoff(), None, []
    for _ in range(9):
        delay = backoff.after(delay, changed=bool((await watch.round()).changed))
        delays.append(delay)
    assert delays[0] == 2.0 and delays[1] > 2.0 and delays[-1] == 30.0 and delays == sorted(delays)
    lab.tick(4)
    assert backoff.after(delay, changed=bool((await watch.round()).changed)) == 2.0  # it moved: ask again soon
