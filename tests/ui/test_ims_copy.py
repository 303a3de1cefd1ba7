"""IMS's copies, quota and batch sharing in the app, on the IMS simulator, by real key presses: a copy in the
region is reviewed, sent once, followed in the jobs view until the copy shows in the list; a cross-region copy
of an ISO image is refused before anything is sent; a copy whose job fails says IMS's code and reason; the
quota panel gives IMS's numbers and a full quota refuses a create and a copy before sending; a bulk share is
one IMS job; Glance and read-only sessions have none of it."""

from __future__ import annotations

from typing import Any

import httpx

from ims_tui.api.huawei import AkSkAuth
from ims_tui.api.query import ListQuery
from ims_tui.api.session import SessionInfo, StaticSession
from ims_tui.demo.ims_cloud import DEMO_AK, DEMO_SK, ImsCloud
from ims_tui.demo.seed import DEMO_PROJECT_ID
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.bulk_dialogs import BulkArgumentScreen, BulkMenuScreen
from ims_tui.ui.screens.bulk_plan import BulkPlanScreen
from ims_tui.ui.screens.ims_copy import CopyReviewScreen, CopyScreen
from ims_tui.ui.screens.quota import QuotaScreen

from .helpers import frozen_now, screen_text, settle, told, until
from .test_ims_mode import make_ims_app
from .test_jobs import FAST, Clock, main_screen_of, main_status

PRIVATE = ListQuery(properties=(("__imagetype", "private"),), statuses=("active",), sort=(("created_at", "desc"),))
PROJECT = "9c61004714024f9586705d090530f9fa"


class AnswerLost(httpx.AsyncBaseTransport):
    """The simulator, except that the answer to a copy is lost after IMS has started its job."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/copy"):
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")
        return response


def ims_app(clock: Clock, *, read_only: bool = False, lose: bool = False) -> tuple[ImsApp, ImsCloud]:
    """The simulator listing the account's own active private images (the ones IMS copies and shares)."""
    cloud = ImsCloud(image_count=300, clock=clock, job_seconds=8.0)
    info = SessionInfo(
        cloud="Huawei Cloud IMS demo", region="cn-north-4", ims=True, project_id=DEMO_PROJECT_ID, read_only=read_only
    )
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=clock)
    transport = AnswerLost(cloud.transport) if lose else cloud.transport
    session = StaticSession(info, cloud.url, auth=auth, transport=transport)
    return ImsApp(session, page_size=200, now=frozen_now, query=PRIVATE), cloud


def posts(cloud: ImsCloud, part: str) -> list[str]:
    return [path for method, path in cloud.request_log if method in ("POST", "DELETE") and part in path]


async def on_row(pilot: Any, iso: bool) -> str:
    """Move the cursor (by keys) to the first row that is (or is not) an ISO image; its id."""
    screen = main_screen_of(pilot.app)
    wanted = next(row.id for row in screen.listing.rows if (row.disk_format == "iso") == iso)
    for _ in range(len(screen.listing.rows)):
        if screen.table.current is not None and screen.table.current.id == wanted:
            return wanted
        await pilot.press("down")
    raise AssertionError("the row never got the cursor")


async def open_copy(pilot: Any) -> CopyScreen:
    await pilot.press("Y")
    await until(pilot, lambda: isinstance(pilot.app.screen, CopyScreen), "the copy form")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CopyScreen)
    return screen


async def to_another_region(pilot: Any, agency: str = "ims_admin_agency") -> None:
    """From the name field: up to the choice, pick "to another region", fill the target."""
    await pilot.press("shift+tab", "right", "enter")  # the choice sits above the name
    await pilot.press("tab", "tab", "tab", *"cn-south-1", "tab", *"cn-south-1", "tab", *agency)


async def review_and_send(pilot: Any) -> None:
    await pilot.press("ctrl+s")
    await until(pilot, lambda: isinstance(pilot.app.screen, CopyReviewScreen), "the request's review")
    await pilot.press("enter")  # Send has the focus
    await settle(pilot)


async def test_a_copy_is_reviewed_sent_once_and_followed_until_it_shows_in_the_list() -> None:
    clock = Clock()
    app, cloud = ims_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main_screen_of(app).job_tracker.timer.backoff = FAST
        source = await on_row(pilot, iso=False)
        await open_copy(pilot)
        assert "ISO images cannot be" in screen_text(app)  # the limits, before anything is sent
        await pilot.press(*"the-copy")  # the name field starts selected: typing replaces it
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, CopyReviewScreen), "the request's review")
        text = screen_text(app)
        assert f"POST /v1/cloudimages/{source}/copy" in text and '"name": "the-copy"' in text
        assert posts(cloud, "/copy") == []  # the review sends nothing
        await pilot.press("enter")
        await until(pilot, lambda: "1 job running" in main_status(app), "the job on the status line")
        assert any("copy in this region started" in said for said in told(app))
        clock.tick(9)
        await until(pilot, lambda: any("finished" in said for said in told(app)), "the job's end")
        await until(pilot, lambda: "the-copy" in screen_text(app), "the copy in the list")
        assert posts(cloud, "/copy") == [f"/v1/cloudimages/{source}/copy"]  # sent once
        entries = [(e.method, e.path, e.status) for e in app.request_log]
        assert ("POST", f"/v1/cloudimages/{source}/copy", 200) in entries  # through the request log, as every call


async def test_a_copy_whose_answer_is_lost_is_never_sent_again_and_points_to_the_jobs() -> None:
    app, cloud = ims_app(Clock(), lose=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await on_row(pilot, iso=False)
        await open_copy(pilot)
        await review_and_send(pilot)
        await until(pilot, lambda: "Maybe created, maybe not" in screen_text(app), "the unknown outcome")
        assert "J lists this session's jobs" in screen_text(app) and len(cloud.jobs) == 1  # IMS did start it
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CopyScreen) and len(posts(cloud, "/copy")) == 1  # never repeated
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, CopyScreen)


async def test_a_cross_region_copy_of_an_iso_image_is_refused_before_sending() -> None:
    app, cloud = ims_app(Clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await on_row(pilot, iso=True)
        await open_copy(pilot)
        await to_another_region(pilot)
        assert "an ISO image cannot be copied to another region" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CopyScreen) and "not sent: an ISO image" in screen_text(app)
        assert posts(cloud, "copy") == []


async def test_a_field_is_checked_before_sending_and_keeps_what_was_typed() -> None:
    app, cloud = ims_app(Clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await on_row(pilot, iso=False)
        form = await open_copy(pilot)
        await pilot.press("shift+tab", "right", "enter", "tab", "tab", "tab", *"cn-north-4")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "not sent: target region: cn-north-4 is this region" in screen_text(app)
        assert form.read().region == "cn-north-4" and posts(cloud, "copy") == []


async def test_a_cross_region_copy_whose_job_fails_says_ims_s_code_and_reason() -> None:
    clock = Clock()
    app, cloud = ims_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main_screen_of(app).job_tracker.timer.backoff = FAST
        await on_row(pilot, iso=False)
        await open_copy(pilot)
        await to_another_region(pilot, agency="no_such_agency")
        await review_and_send(pilot)
        await until(pilot, lambda: "1 job running" in main_status(app), "the job on the status line")
        clock.tick(9)
        await until(pilot, lambda: any("failed" in said for said in told(app)), "the failure's notice")
        [said] = [said for said in told(app) if "failed" in said]
        assert "IMG.0216" in said and "no_such_agency does not allow IMS" in said
        await pilot.press("J")
        await settle(pilot)
        assert "FAIL" in screen_text(app) and "IMG.0216" in screen_text(app)


async def test_the_quota_panel_gives_ims_s_numbers() -> None:
    app, cloud = ims_app(Clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [command.title for command in main_screen_of(app).palette_commands()]
        assert "Copy image (IMS)" in titles and "Quota (IMS)" in titles
        used, allowed = cloud.quota_use()
        await pilot.press("Q")
        await until(pilot, lambda: isinstance(app.screen, QuotaScreen) and "left" in screen_text(app), "the quota")
        line = next(line for line in screen_text(app).splitlines() if " image " in f" {line} ")
        assert line.split()[1:5] == ["image", str(used), str(allowed), str(allowed - used)]
        cloud.image_quota = used
        await pilot.press("r")
        await until(pilot, lambda: "full: a new image is refused" in screen_text(app), "the full quota")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, QuotaScreen)


async def test_a_full_quota_refuses_a_create_and_a_copy_before_sending() -> None:
    app, cloud = ims_app(Clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        used, _ = cloud.quota_use()
        cloud.image_quota = used
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"one-too-many", "ctrl+s")
        await until(pilot, lambda: "not sent: the image quota is full" in screen_text(app), "the refusal")
        assert any(f"{used} of {used} private images are used" in said for said in told(app))
        assert not [p for m, p in cloud.request_log if m == "POST" and p.startswith("/v2/images")]
        await pilot.press("escape")
        await settle(pilot)
        if not isinstance(app.screen, type(main_screen_of(app))):
            await pilot.press("tab", "enter")  # leave the form: discard what was typed
            await settle(pilot)
        await on_row(pilot, iso=False)
        await open_copy(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "not sent: the image quota is full" in screen_text(app), "the copy's refusal")
        assert posts(cloud, "copy") == []


async def test_a_bulk_share_on_ims_is_one_job_for_every_image() -> None:
    clock = Clock()
    app, cloud = ims_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen_of(app)
        screen.job_tracker.timer.backoff = FAST
        ids = [row.id for row in screen.table.rows[:3]]
        await pilot.press("space", "space", "space", "b")
        await until(pilot, lambda: isinstance(app.screen, BulkMenuScreen), "the menu")
        menu = app.screen
        assert isinstance(menu, BulkMenuScreen)
        await pilot.press(*["down"] * menu.kinds.index("share"), "enter")
        await until(pilot, lambda: isinstance(app.screen, BulkArgumentScreen), "the project prompt")
        await pilot.press(*PROJECT, "enter")
        await until(pilot, lambda: isinstance(app.screen, BulkPlanScreen), "the plan")
        assert "one IMS job for 3 images · 1 request" in screen_text(app)
        assert "POST /v1/cloudimages/members" in screen_text(app)
        await pilot.press("y")
        await until(pilot, lambda: "1 job running" in main_status(app), "the job on the status line")
        assert posts(cloud, "members") == ["/v1/cloudimages/members"]  # one request, not one per image
        clock.tick(9)
        await until(pilot, lambda: any("finished" in said for said in told(app)), "the job's end")
        assert all(cloud.members.get(image_id) == {PROJECT: "pending"} for image_id in ids)


async def test_glance_and_read_only_sessions_have_no_copy() -> None:
    app, _cloud = make_ims_app(ims=False, count=20)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen_of(app)
        assert screen.check_action("ims_copy", ()) is False and screen.check_action("quota", ()) is False
        titles = [command.title for command in screen.palette_commands()]
        assert "Copy image (IMS)" not in titles and "Quota (IMS)" not in titles
        screen.action_quota()
        await settle(pilot)
        assert any("the quota is IMS's" in said for said in told(app))
        await pilot.press("Y", "Q")
        await settle(pilot)
        assert app.screen is screen
    app, cloud = ims_app(Clock(), read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen_of(app)
        assert screen.check_action("ims_copy", ()) is False and screen.check_action("quota", ()) is True
        titles = [command.title for command in screen.palette_commands()]
        assert "Copy image (IMS)" not in titles and "Quota (IMS)" in titles
        await pilot.press("Y")
        await settle(pilot)
        assert app.screen is screen and posts(cloud, "copy") == []
