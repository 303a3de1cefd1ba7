"""The one-job view (Enter on the jobs screen) follows its job while open: status, progress, end time and, for a
job that fails, IMS's code and reason, with no key pressed; closed, nothing more is asked once no job runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ims_tui.ui.screens.jobs import JobScreen, JobsScreen

from .helpers import screen_text, settle
from .test_jobs import FAST, Clock, job_requests, jobs_app, look_up, main_screen_of, start_job, until


def body(app: Any) -> str:
    screen = app.screen
    assert isinstance(screen, JobScreen), screen
    return str(screen.query_one("#job-body").render())


@asynccontextmanager
async def job_opened(what: str) -> AsyncIterator[tuple[Any, Clock, Any]]:
    """A job started as the console would, looked up on the jobs screen and opened with Enter."""
    clock = Clock()
    app, cloud, auth = jobs_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main_screen_of(app).job_tracker.timer.backoff = FAST
        await look_up(pilot, start_job(cloud, auth, what))
        await pilot.press("enter")
        await settle(pilot)
        yield pilot, clock, cloud


async def test_the_open_job_shows_its_progress_and_end_as_they_come() -> None:
    async with job_opened("copy") as (pilot, clock, cloud):
        app = pilot.app
        assert "INIT" in body(app) and "end " not in body(app)
        assert "updates as it runs" in screen_text(app)
        clock.tick(4)
        await until(pilot, lambda: "RUNNING" in body(app), "the open job running")
        assert "50%" in body(app)
        clock.tick(5)
        await until(pilot, lambda: "SUCCESS" in body(app), "the open job's end")
        assert "100%" in body(app) and "end " in body(app) and " UTC" in body(app)
        assert "updates as it runs" not in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, JobsScreen)
        asked = job_requests(cloud)
        for _ in range(5):
            await settle(pilot)
        assert job_requests(cloud) == asked  # closed, and nothing runs: nothing is asked


async def test_the_open_job_turns_to_its_failure_and_says_why() -> None:
    async with job_opened("export") as (pilot, clock, _cloud):  # of an ISO image: IMS refuses it when it runs
        app = pilot.app
        screen = app.screen
        assert isinstance(screen, JobScreen) and not screen.has_class("-failed")
        assert "FAIL" not in body(app)
        clock.tick(9)
        await until(pilot, lambda: "FAIL" in body(app), "the open job's failure")
        assert "IMG.0098" in body(app) and "ISO images cannot be exported." in body(app)
        assert screen.has_class("-failed")  # its border turns to the error colour
