"""A bulk delete of 50 images from the keyboard, against the real Glance behind the proxy, with faults in the middle
of the run and a stop half-way: the result screen says what became of every image, the server holds exactly the
images it does not call done, a lost answer is checked and never resent, and "retry" plans the failed ones only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from ims_tui.api import ImageClient
from ims_tui.api.bulk_run import RunResult, bounded
from ims_tui.ui.screens.bulk_plan import BulkPlanScreen
from ims_tui.ui.screens.bulk_progress import BulkProgressScreen, BulkResultScreen
from tools.fault_proxy import FaultProxy, glance_error, hang, html_page

from .conftest import faulty_app, fresh_name, list_loaded, main_screen, sent, wait_until

pytestmark = pytest.mark.glance
COUNT = 50


async def fifty(truth: ImageClient) -> list[str]:
    """COUNT new images; with the seeded ones they fit one page of 100."""

    async def one(index: int) -> str:
        image = await truth.create({"name": fresh_name(f"bulk-{index:02d}"), "disk_format": "raw"})
        return image.id

    return await bounded(list(range(COUNT)), 4, one)


def path_of(image_id: str) -> str:
    return f"/v2/images/{image_id}"


async def marked_and_planned(pilot: Any, ids: list[str]) -> BulkPlanScreen:
    """Space on each of the rows of ``ids`` (j past the others), then d."""
    await list_loaded(pilot)
    rows = main_screen(pilot.app).table.rows
    assert set(ids) <= {row.id for row in rows}
    await pilot.press(*["space" if row.id in ids else "j" for row in rows], "d")
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, BulkPlanScreen), "the plan")
    plan = app.screen
    assert isinstance(plan, BulkPlanScreen)
    assert {step.image_id for step in plan.plan.steps} == set(ids)  # the 50 marked, nothing else
    return plan


def result_of(app: Any) -> RunResult:
    screen = app.screen
    assert isinstance(screen, BulkResultScreen), screen
    return screen.result


async def on_server(truth: ImageClient, ids: list[str]) -> set[str]:
    found = await bounded(ids, 4, truth.find)
    return {image_id for image_id, image in zip(ids, found, strict=True) if image is not None}


async def test_faults_in_the_middle_then_a_retry_of_the_failed_ones(
    proxy: FaultProxy, truth: ImageClient, clean: None
) -> None:
    ids = await fifty(truth)
    refused, gateway, hung = ids[10], ids[20], ids[30]
    proxy.inject(glance_error(500, "database went away", "req-bulk-500"), method="DELETE", path=path_of(refused))
    proxy.inject(html_page(502, "502 Bad Gateway"), method="DELETE", path=path_of(gateway))
    proxy.inject(hang(30), method="DELETE", path=path_of(hung))  # the client gives up after 1 s: unknown
    app = faulty_app(proxy, page_size=100)
    async with app.run_test(size=(80, 24)) as pilot:
        await marked_and_planned(pilot, ids)
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, BulkResultScreen), "the results", limit=200)
        result = result_of(app)
        assert set(result.ids("failed")) == {refused, gateway} and result.ids("unknown") == (hung,)
        assert len(result.ids("done")) == 47
        assert "47 done · 2 failed · 1 unknown" in str(app.screen.query_one("#bulk-result-summary").render())
        assert await on_server(truth, ids) == {refused, gateway, hung}  # exactly what the results say
        deletes = [request.target for request in sent(proxy, "DELETE")]
        assert sorted(deletes) == sorted(map(path_of, ids))  # one DELETE each: nothing resent unasked
        assert set(main_screen(app).marks.ids) == {refused, gateway, hung}

        proxy.clear()
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, BulkPlanScreen), "the retry's plan")
        assert {step.image_id for step in app.screen.plan.steps} == {refused, gateway}  # never the unknown one
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, BulkResultScreen), "the retry's results")
        assert set(result_of(app).ids("done")) == {refused, gateway}
        assert await on_server(truth, ids) == {hung}
        await pilot.press("escape")
        await wait_until(pilot, lambda: main_screen(app).marks.ids == (hung,), "the unknown one still marked")
        assert not {refused, gateway} & {row.id for row in main_screen(app).table.rows}


async def until_running(pilot: Any, done: Callable[[], bool], what: str) -> None:
    """Wait for ``done`` while a run is under way: not ``wait_until``, which waits for every worker to end."""
    deadline = time.monotonic() + 60
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never happened")
        await pilot.pause(0.02)
        await asyncio.sleep(0)


async def test_stop_half_way_leaves_the_rest_on_the_server_and_marked(
    proxy: FaultProxy, truth: ImageClient, clean: None
) -> None:
    ids = await fifty(truth)
    app = faulty_app(proxy, page_size=100)
    async with app.run_test(size=(80, 24)) as pilot:
        await marked_and_planned(pilot, ids)
        proxy.delay = 0.1  # slow enough that Esc arrives while much of the run is still to go
        await pilot.press("y")
        await until_running(pilot, lambda: isinstance(app.screen, BulkProgressScreen), "the progress view")
        progress = app.screen
        assert isinstance(progress, BulkProgressScreen)
        await until_running(pilot, lambda: progress.runner.state.done >= 10, "ten images deleted")
        await pilot.press("escape")
        await until_running(pilot, lambda: isinstance(app.screen, BulkResultScreen), "the results")
        result = result_of(app)
        done, skipped = result.ids("done"), result.ids("not_attempted")
        # how many finished before the stop depends on the machine's load: at least one was never sent
        assert result.stopped and len(done) + len(skipped) == COUNT and len(done) >= 10 and skipped
        assert await on_server(truth, ids) == set(skipped)
        assert len(sent(proxy, "DELETE")) == len(done)  # not one request after the stop but those in flight
        assert set(main_screen(app).marks.ids) == set(skipped)
