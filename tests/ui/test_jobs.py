"""The IMS jobs screen (``J``) on the IMS simulator: a copy started elsewhere (here: straight through the
simulator, as the console would) is looked up by id, runs with its progress on the status line, and when it
ends the user is told and the list shows the copy. A failed job shows IMS's code and reason; a bad id is refused
before any request; a Glance session has no jobs screen. Pilot sessions press real keys."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from ims_tui.api.huawei import AkSkAuth
from ims_tui.api.session import SessionInfo, StaticSession
from ims_tui.api.watch import Backoff
from ims_tui.demo.ims_cloud import DEMO_AK, DEMO_SK, ImsCloud
from ims_tui.demo.seed import DEMO_PROJECT_ID
from ims_tui.ui.app import ImsApp
from ims_tui.ui.widgets.status import StatusLine

from .helpers import frozen_now, main_screen, make_app, screen_text, settle, told

FAST = Backoff(first=0.01, limit=0.01, factor=1.0)  # the timing is checked on its own; here rounds come at once


class Clock:
    def __init__(self) -> None:
        self.now = frozen_now()

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def jobs_app(clock: Clock) -> tuple[ImsApp, ImsCloud, AkSkAuth]:
    cloud = ImsCloud(image_count=300, clock=clock, job_seconds=8.0)
    info = SessionInfo(cloud="Huawei Cloud IMS demo", region="cn-north-4", ims=True, project_id=DEMO_PROJECT_ID)
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=clock)
    session = StaticSession(info, cloud.url, auth=auth, transport=cloud.transport)
    return ImsApp(session, page_size=200, now=frozen_now), cloud, auth


def start_job(cloud: ImsCloud, auth: AkSkAuth, what: str = "copy") -> str:
    return start_job_on(cloud, auth, what)[0]


def start_job_on(cloud: ImsCloud, auth: AkSkAuth, what: str = "copy") -> tuple[str, str]:
    """A job started as the console would (the simulator's copy or export): its id and its image's."""
    with httpx.Client(transport=cloud.transport, base_url=cloud.url, auth=auth) as direct:
        mine = direct.get("/v2/cloudimages", params={"__imagetype": "private", "status": "active"}).json()
        if what == "copy":
            source = next(image for image in mine["images"] if image["disk_format"] != "iso")
            answer = direct.post(f"/v1/cloudimages/{source['id']}/copy", json={"name": "the-copy"})
            return str(answer.json()["job_id"]), source["id"]
        source = next(image for image in mine["images"] if image["disk_format"] == "iso")
        body = {"bucket_url": "bucket:file.qcow2", "file_format": "qcow2"}
        return str(direct.post(f"/v1/cloudimages/{source['id']}/file", json=body).json()["job_id"]), source["id"]


def main_status(app: ImsApp) -> str:
    return str(main_screen_of(app).query_one(StatusLine).render())


def main_screen_of(app: ImsApp) -> Any:
    from ims_tui.ui.screens.main import MainScreen

    return next(screen for screen in app.screen_stack if isinstance(screen, MainScreen))


def job_requests(cloud: ImsCloud) -> int:
    return sum(1 for _method, path in cloud.request_log if "/job" in path)


async def until(pilot: Any, done: Any, what: str) -> None:
    for _ in range(60):
        if done():
            return
        await settle(pilot)
    raise AssertionError(f"{what} never happened; screen:\n{screen_text(pilot.app)}")


async def look_up(pilot: Any, job_id: str) -> None:
    await pilot.press("J")
    await settle(pilot)
    await pilot.press("i", *job_id, "enter")
    await settle(pilot)


async def test_a_copy_looked_up_by_id_runs_finishes_and_the_list_shows_it() -> None:
    clock = Clock()
    app, cloud, auth = jobs_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main_screen(app).job_tracker.timer.backoff = FAST
        assert "the-copy" not in screen_text(app)
        asked = job_requests(cloud)
        await settle(pilot)
        assert job_requests(cloud) == asked == 0  # no job tracked: nothing is asked
        job_id = start_job(cloud, auth)
        await look_up(pilot, job_id)
        assert "copy" in screen_text(app) and "INIT" in screen_text(app)
        assert "1 job running 0%" in main_status(app)
        clock.tick(4)
        await until(pilot, lambda: "RUNNING" in screen_text(app), "the job running")
        assert "50%" in screen_text(app) and "1 job running 50%" in main_status(app)
        clock.tick(5)
        await until(pilot, lambda: "SUCCESS" in screen_text(app), "the job's end")
        assert any(said.startswith("copy ") and "finished" in said for said in told(app))
        assert "job running" not in main_status(app)
        await pilot.press("enter")
        await settle(pilot)
        assert job_id in screen_text(app) and "100%" in screen_text(app)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert "the-copy" in screen_text(app)  # the list was read again: the copy is there
        asked = job_requests(cloud)
        for _ in range(5):
            await settle(pilot)
        assert job_requests(cloud) == asked  # none running: no more rounds


async def test_a_failed_export_shows_ims_s_code_and_reason() -> None:
    clock = Clock()
    app, cloud, auth = jobs_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main_screen(app).job_tracker.timer.backoff = FAST
        job_id = start_job(cloud, auth, "export")
        clock.tick(9)
        await look_up(pilot, job_id)
        assert "FAIL" in screen_text(app) and "IMG.0098" in screen_text(app)
        assert any("failed" in said and "ISO images cannot be exported" in said for said in told(app))
        await pilot.press("enter")
        await settle(pilot)
        assert "ISO images cannot be exported." in screen_text(app)


async def test_a_job_the_session_started_is_tracked_with_its_image_s_name() -> None:
    clock = Clock()
    app, cloud, auth = jobs_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        job_id, image_id = start_job_on(cloud, auth)
        [row] = [row for row in screen.listing.rows if row.id == image_id]
        screen.track_job(job_id, "imsCopyImageJob", image_id)  # as a copy action will, with the answer's job_id
        await settle(pilot)
        assert "1 job running 0%" in main_status(app)
        await pilot.press("J")
        await settle(pilot)
        assert (row.name or "")[:19] in screen_text(app) and "INIT" in screen_text(app)


async def test_a_bad_id_is_refused_before_any_request_and_esc_cancels() -> None:
    app, cloud, _auth = jobs_app(Clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await look_up(pilot, "../x")
        assert "a job id is 8 to 64 letters" in screen_text(app) and job_requests(cloud) == 0
        await pilot.press("escape")
        await settle(pilot)
        assert "a job id is" not in screen_text(app) and "Jobs: 0 this session" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert main_screen(app) is app.screen


async def test_a_glance_session_has_no_jobs_screen() -> None:
    app, _cloud = make_app(count=5)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not main_screen(app).ims  # these five rows carry no IMS image type: a plain Glance
        await pilot.press("J")
        await settle(pilot)
        assert main_screen(app) is app.screen


def test_jobs_screen_snapshot(snap_compare: Any) -> None:
    clock = Clock()
    app, cloud, auth = jobs_app(clock)
    failed = start_job(cloud, auth, "export")
    clock.tick(9)
    running = start_job(cloud, auth)
    clock.tick(3)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await look_up(pilot, failed)
        await pilot.press("i", *running, "enter")
        await settle(pilot)
        pilot.app.clear_notifications()  # the failure's notice would cover the rows
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
