"""On an IMS session the list comes from ``GET /v2/cloudimages`` (paged by marker), on the IMS simulator; a cloud
that refuses cloudimages, a query cloudimages cannot express and a Glance session list through ``/v2/images``.
Pilot sessions press real keys; what is checked is what the user sees (rows, the status line) and which list
calls reached the cloud.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from ims_tui.api.cloudimages import cloudimages_params
from ims_tui.api.huawei import AkSkAuth
from ims_tui.api.models import ListQuery
from ims_tui.api.session import SessionInfo, StaticSession
from ims_tui.demo.ims_cloud import DEMO_AK, DEMO_SK, ImsCloud
from ims_tui.demo.seed import DEMO_PROJECT_ID
from ims_tui.ui.app import ImsApp

from .helpers import frozen_now, list_requests, make_app, screen_text, settle, status_text
from .test_ims_mode import make_ims_app


def ims_app(count: int = 700) -> tuple[ImsApp, ImsCloud]:
    cloud = ImsCloud(image_count=count, clock=frozen_now)
    info = SessionInfo(cloud="Huawei Cloud IMS demo", region="cn-north-4", ims=True)
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=frozen_now)
    session = StaticSession(info, cloud.url, auth=auth, transport=cloud.transport)
    return ImsApp(session, page_size=200, now=frozen_now), cloud


def native_requests(cloud: Any) -> list[dict[str, list[str]]]:
    return [
        parse_qs(urlsplit(path).query)
        for method, path in cloud.request_log
        if method == "GET" and path.split("?")[0] == "/v2/cloudimages"
    ]


async def test_the_ims_list_comes_from_cloudimages_and_pages_by_marker() -> None:
    app, cloud = ims_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = native_requests(cloud)
        assert len(first) == 1 and first[0]["limit"] == ["200"] and "marker" not in first[0]
        assert list_requests(cloud) == []  # no Glance list at all
        auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=frozen_now)
        before = len(cloud.request_log)
        with httpx.Client(transport=cloud.transport, base_url=cloud.url, auth=auth) as direct:
            shown = direct.get("/v2/cloudimages", params={"limit": 3}).json()["images"]
        del cloud.request_log[before:]  # the test's own look at the list is not the app's paging
        for image in shown:
            assert (image["name"] or "(no name)")[:20] in screen_text(app)
        assert "200 loaded, more below" in status_text(app)
        await pilot.press("end")
        await settle(pilot)
        await pilot.press("end", "end")
        await settle(pilot)
        pages = native_requests(cloud)
        assert len(pages) >= 3 and all("marker" in page for page in pages[1:])
        assert len({page["marker"][0] for page in pages[1:]}) == len(pages) - 1  # each page after the one before
        await pilot.press("end")
        await settle(pilot)
        with httpx.Client(transport=cloud.transport, base_url=cloud.url, auth=auth) as direct:
            first_500 = direct.get("/v2/cloudimages").json()["images"]
            rest = direct.get("/v2/cloudimages", params={"marker": first_500[-1]["id"]}).json()["images"]
        assert len(first_500) == 500 and len(rest) < 500
        assert f"{500 + len(rest)} images, all loaded" in status_text(app)


async def test_a_cloud_without_cloudimages_lists_through_glance() -> None:
    app, cloud = make_ims_app(count=500)  # the Glance demo, in a session marked IMS
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert len(native_requests(cloud)) == 1  # tried once: the demo Glance answers 404
        assert len(list_requests(cloud)) == 1
        assert "200 loaded, more below" in status_text(app)
        await pilot.press("end")
        await settle(pilot)
        assert len(native_requests(cloud)) == 1  # not asked again
        assert len(list_requests(cloud)) >= 2


async def test_a_glance_session_never_asks_for_cloudimages() -> None:
    app, cloud = make_app(count=300)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        assert native_requests(cloud) == [] and list_requests(cloud)


def test_what_cloudimages_can_and_cannot_express() -> None:
    query = ListQuery(limit=900, sort=(("name", "asc"),), properties=(("__imagetype", "gold"),), protected=True)
    assert cloudimages_params(query) == [
        ("limit", "500"),
        ("protected", "true"),
        ("__imagetype", "gold"),
        ("sort_key", "name"),
        ("sort_dir", "asc"),
    ]
    assert cloudimages_params(ListQuery(tags=("prod",))) == [("tag", "prod")]  # one tag: the reference's `tag`
    assert cloudimages_params(ListQuery(tags=("prod", "lts"))) is None  # all of several: Glance's
    assert cloudimages_params(ListQuery(statuses=("active", "queued"))) is None
    assert cloudimages_params(ListQuery(sort=(("name", "asc"), ("created_at", "desc")))) is None
    assert cloudimages_params(ListQuery(size_min=1)) is None
