"""Bulk actions from the keyboard at 80x24, on the demo cloud: d and X act on the marks, b opens the menu, the plan
is shown before anything is sent (Cancel focused, Esc never confirms, also with keys back to back), Esc stops a
run, the results say what became of every image, and a retry plans the failed ones only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from ims_tui.api.session import SessionInfo, StaticSession
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.bulk_dialogs import BulkArgumentScreen, BulkMenuScreen
from ims_tui.ui.screens.bulk_plan import BulkPlanScreen
from ims_tui.ui.screens.bulk_progress import BulkProgressScreen, BulkResultScreen
from ims_tui.ui.screens.main import MainScreen
from ims_tui.ui.widgets.status import HeaderBar

from .helpers import frozen_now, main_screen, make_app, screen_text, settle, status_text, told, until

W = TypeVar("W", bound=httpx.AsyncBaseTransport)


def app_behind(make: Callable[[httpx.AsyncBaseTransport], W], count: int = 30) -> tuple[ImsApp, DemoCloud, W]:
    """An app on the demo cloud behind the transport ``make`` wraps it in, and that transport."""
    made: list[W] = []
    app, cloud = make_app(count=count, wrap=lambda inner: made.append(make(inner)) or made[0])
    return app, cloud, made[0]


def writes(cloud: DemoCloud, method: str) -> list[str]:
    return [path for verb, path in cloud.request_log if verb == method]


def the_main(app: ImsApp) -> MainScreen:
    return next(screen for screen in app.screen_stack if isinstance(screen, MainScreen))


def first_ids(app: ImsApp, count: int) -> list[str]:
    return [row.id for row in the_main(app).table.rows[:count]]


async def unprotected(pilot: Any, cloud: DemoCloud, count: int) -> list[str]:
    """The first ``count`` rows' images, made unprotected so a delete may take them all."""
    ids = first_ids(pilot.app, count)
    for image_id in ids:
        cloud.images[image_id]["protected"] = False
    return ids


async def plan_open(pilot: Any) -> BulkPlanScreen:
    await until(pilot, lambda: isinstance(pilot.app.screen, BulkPlanScreen), "the plan screen")
    screen = pilot.app.screen
    assert isinstance(screen, BulkPlanScreen)
    return screen


async def test_d_with_marks_shows_the_plan_and_esc_twice_sends_nothing() -> None:
    app, cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        ids = await unprotected(pilot, cloud, 3)
        cloud.images[ids[1]]["protected"] = True
        await pilot.press("space", "space", "space", "d")
        plan = await plan_open(pilot)
        assert plan.plan.title == "Delete 2 images"
        assert plan.focused is plan.cancel_button
        text = screen_text(app)
        assert f"DELETE /v2/images/{ids[0]}" in text and "Left out (1):" in text
        assert "protected: unprotect it first" in text
        await pilot.press("escape", "escape")  # back to back: the plan closes, then the marks clear
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and writes(cloud, "DELETE") == []
        assert all(image_id in cloud.images for image_id in ids)


async def test_enter_and_n_on_the_plan_never_send_either() -> None:
    app, cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await unprotected(pilot, cloud, 2)
        await pilot.press("space", "space", "d")
        await plan_open(pilot)
        await pilot.press("enter")  # Cancel has the focus
        await settle(pilot)
        await pilot.press("d")
        await plan_open(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and writes(cloud, "DELETE") == []


async def test_a_bulk_delete_drops_the_rows_and_unmarks_them() -> None:
    app, cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        ids = await unprotected(pilot, cloud, 3)
        await pilot.press("space", "space", "space", "d")
        await plan_open(pilot)
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, BulkResultScreen), "the results")
        text = screen_text(app)
        assert "Delete 3 images: finished" in text and "3 done" in text
        assert sorted(writes(cloud, "DELETE")) == sorted(f"/v2/images/{i}" for i in ids)
        await pilot.press("escape")
        await settle(pilot)
        main = main_screen(app)
        assert not set(ids) & {row.id for row in main.table.rows} and not main.marks.ids
        assert "marked" not in status_text(app)
        assert not [note for note in told(app) if "no longer exists" in note]  # one result screen, no toast each


class FailPatchOf(httpx.AsyncBaseTransport):
    """The demo, except that a PATCH of the images in ``failing`` gets Glance's 409, request id and all."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.failing: set[str] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH" and request.url.path.rsplit("/", 1)[-1] in self.failing:
            body = {"code": 409, "title": "Conflict", "message": "Image is locked by another operation"}
            return httpx.Response(409, json=body, headers={"x-openstack-request-id": "req-bulk-409"}, request=request)
        return await self.inner.handle_async_request(request)


async def test_tags_from_the_menu_a_failure_stays_marked_and_a_retry_plans_it_alone() -> None:
    app, cloud, flaky = app_behind(FailPatchOf)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        ids = first_ids(app, 4)
        flaky.failing = {ids[2]}
        await pilot.press("space", "space", "space", "space", "b")
        await until(pilot, lambda: isinstance(app.screen, BulkMenuScreen), "the menu")
        await pilot.press("down", "down", "down", "enter")  # add tags
        await until(pilot, lambda: isinstance(app.screen, BulkArgumentScreen), "the tag prompt")
        await pilot.press(*"bulk-x", "enter")
        plan = await plan_open(pilot)
        assert plan.plan.title == "Add tags to 4 images: add tags bulk-x"
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, BulkResultScreen), "the results")
        text = screen_text(app)
        assert "3 done · 1 failed" in text and "HTTP 409 Conflict" in text and "req-bulk-409" in text
        assert "Retry the 1 failed" in text
        assert the_main(app).marks.ids == (ids[2],)  # the failed one stays marked
        assert ["bulk-x" in cloud.images[i]["tags"] for i in ids] == [True, True, False, True]
        flaky.failing = set()
        await pilot.press("r")
        plan = await plan_open(pilot)
        assert plan.plan.title == "Add tags to 1 image: add tags bulk-x"
        assert [step.image_id for step in plan.plan.steps] == [ids[2]]
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, BulkResultScreen), "the results of the retry")
        assert "1 done" in screen_text(app) and "bulk-x" in cloud.images[ids[2]]["tags"]
        await pilot.press("escape")
        await settle(pilot)
        assert not the_main(app).marks.ids


async def test_a_bad_argument_is_refused_in_the_prompt() -> None:
    app, cloud = make_app(count=10)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, BulkMenuScreen), "the menu")
        await pilot.press(*["down"] * 5, "enter")  # set a property: the highlighted image only
        await until(pilot, lambda: isinstance(app.screen, BulkArgumentScreen), "the prompt")
        await pilot.press(*"status=gone", "enter")
        await settle(pilot)
        assert isinstance(app.screen, BulkArgumentScreen) and "read-only" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and writes(cloud, "PATCH") == []


class Gate(httpx.AsyncBaseTransport):
    """The demo, with every PATCH held until ``open`` is set: a run can be stopped while requests are in flight."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.open = asyncio.Event()
        self.waiting = 0

    def holds(self, request: httpx.Request) -> bool:
        return request.method == "PATCH"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.holds(request):
            self.waiting += 1
            await self.open.wait()
        return await self.inner.handle_async_request(request)


async def paused_until(pilot: Any, done: Callable[[], bool], what: str) -> None:
    for _ in range(200):
        if done():
            return
        await pilot.pause()
    raise AssertionError(f"{what} never happened:\n{screen_text(pilot.app)}")


async def test_esc_stops_a_run_and_those_in_flight_finish() -> None:
    app, cloud, gate = app_behind(Gate)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        ids = first_ids(app, 10)
        for image_id in ids:
            cloud.images[image_id]["protected"] = False
        await pilot.press(*["space"] * 10)
        the_main(app).start_bulk("protect")
        await plan_open(pilot)
        await pilot.press("y")
        # settle() waits for every worker, and the run's is held at the gate: only pauses until it is opened
        await paused_until(pilot, lambda: gate.waiting == 4, "four requests in flight")  # the default bound
        assert isinstance(app.screen, BulkProgressScreen) and "0 done · 0 failed · 10 left" in screen_text(app)
        await pilot.press("escape", "escape")
        await paused_until(pilot, lambda: "stopping" in screen_text(app), "the word that it stops")
        gate.open.set()
        await until(pilot, lambda: isinstance(app.screen, BulkResultScreen), "the results")
        assert "4 done · 6 not attempted" in screen_text(app) and "stopped" in screen_text(app)
        assert len(writes(cloud, "PATCH")) == 4
        assert [cloud.images[i]["protected"] for i in ids] == [True] * 4 + [False] * 6
        assert set(the_main(app).marks.ids) == set(ids[4:])  # what was not done stays marked


async def test_read_only_offers_no_bulk_action() -> None:
    app, cloud = make_app(count=10, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "b", "d", "X")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert [verb for verb, _path in cloud.request_log if verb != "GET"] == []
        commands = [command.title for command in main_screen(app).palette_commands()]
        # only the bulk download, which changes nothing on the server, as D does for one image
        assert [title for title in commands if title.startswith("Bulk")] == ["Bulk: download to a folder"]
        main_screen(app).start_bulk("delete")  # a remapped key or a stale palette entry: refused all the same
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


def production_app(count: int) -> tuple[ImsApp, DemoCloud]:
    cloud = DemoCloud(image_count=count, latency=0.0, seed=42, clock=frozen_now)
    info = SessionInfo(cloud="prod", project="demo", user="operator", production=True)
    return ImsApp(StaticSession(info, DEMO_ENDPOINT, transport=cloud.transport), now=frozen_now), cloud


async def test_production_shows_a_badge_and_a_bulk_delete_wants_the_number_typed() -> None:
    app, cloud = production_app(20)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert " PROD " in str(the_main(app).query_one(HeaderBar).render())
        ids = await unprotected(pilot, cloud, 3)
        await pilot.press("space", "space", "space", "d")
        plan = await plan_open(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is plan and writes(cloud, "DELETE") == []  # y does nothing until the number is typed
        assert "type 3 to delete them" in screen_text(app)
        await pilot.press("tab", "tab", *"2")  # to the field: a wrong number
        await pilot.press("shift+tab", "y")
        await settle(pilot)
        assert app.screen is plan and writes(cloud, "DELETE") == []
        plan.query_one("#bulk-plan-typed").focus()
        await pilot.press("backspace", "3", "enter")  # Enter in the field moves to Cancel, never sends
        await settle(pilot)
        assert app.screen is plan and plan.focused is plan.cancel_button and writes(cloud, "DELETE") == []
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, BulkResultScreen), "the results")
        assert sorted(writes(cloud, "DELETE")) == sorted(f"/v2/images/{i}" for i in ids)


async def test_x_with_marks_deactivates_them_after_a_plan() -> None:
    app, cloud = make_app(count=30)
    for record in cloud.images.values():
        record["status"] = "active"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        ids = first_ids(app, 2)
        await pilot.press("space", "space", "X")
        plan = await plan_open(pilot)
        assert plan.plan.title == "Deactivate 2 images"
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, BulkResultScreen), "the results")
        await pilot.press("escape")
        await settle(pilot)
        statuses = {row.id: row.status for row in the_main(app).table.rows}
        assert [statuses[i] for i in ids] == ["deactivated", "deactivated"]  # the rows took the server's answer


async def test_h_with_marks_hides_them_after_a_plan_and_h_again_unhides_them() -> None:
    app, cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        ids = first_ids(app, 3)
        cloud.images[ids[1]]["os_hidden"] = True
        await pilot.press("space", "space", "space", "H")
        plan = await plan_open(pilot)
        assert plan.plan.title == "Hide 2 images" and "already hidden" in screen_text(app)
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, BulkResultScreen), "the results")
        assert [cloud.images[i]["os_hidden"] for i in ids] == [True, True, True]
        await pilot.press("escape", "escape")  # the results, then the mark the plan left out
        await settle(pilot)
        await pilot.press("up", "up", "up", "space", "space", "space", "H")  # all three hidden: H unhides them
        plan = await plan_open(pilot)
        assert plan.plan.title == "Unhide 3 images"
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, BulkResultScreen), "the results")
        assert [cloud.images[i]["os_hidden"] for i in ids] == [False, False, False]


async def test_the_menu_offers_accept_and_reject_only_when_the_session_knows_its_project() -> None:
    for project_id, answers in ((None, False), ("4c7a1b2f9e8d4c3b8a7f6e5d4c3b2a19", True)):
        cloud = DemoCloud(image_count=5, latency=0.0, seed=42, clock=frozen_now)
        info = SessionInfo(cloud="demo", project="demo", project_id=project_id)
        app = ImsApp(StaticSession(info, DEMO_ENDPOINT, transport=cloud.transport), now=frozen_now)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("b")
            await until(pilot, lambda: isinstance(pilot.app.screen, BulkMenuScreen), "the menu")
            text = screen_text(app)
            assert "Share with projects" in text and "Unshare from projects" in text
            assert ("Accept the share" in text) is answers and ("Reject the share" in text) is answers
            titles = [command.title for command in the_main(app).palette_commands()]
            assert ("Bulk: accept the share" in titles) is answers and "Bulk: share with projects" in titles
