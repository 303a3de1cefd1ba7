"""The two demos tell IMS from Glance as a user sees it: on ``--demo ims`` a queued image's size is blank (IMS
lists every size as 0), and on the Glance demo, whose images carry hand-set IMS properties here and there as a
real Glance's may, the app does not take the cloud for IMS (no type column, no jobs screen)."""

from __future__ import annotations

from typing import Any

from ims_tui.api.huawei import AkSkAuth
from ims_tui.api.image_rows import ImageRow
from ims_tui.api.models import Image, ListQuery
from ims_tui.api.session import SessionInfo, StaticSession
from ims_tui.demo.ims_cloud import DEMO_AK, DEMO_SK, ImsCloud
from ims_tui.demo.seed import DEMO_PROJECT_ID
from ims_tui.ui.app import ImsApp

from .helpers import frozen_now, main_screen, make_app, screen_text, settle, told


def ims_demo(ims: bool | None = True, query: ListQuery | None = None) -> tuple[ImsApp, ImsCloud]:
    """The app on the IMS simulator, as ``--demo ims`` opens it (``query``: its ``--filter``)."""
    cloud = ImsCloud(image_count=300, clock=frozen_now)
    info = SessionInfo(cloud="Huawei Cloud IMS demo", region=cloud.region, ims=ims, project_id=DEMO_PROJECT_ID)
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=frozen_now)
    session = StaticSession(info, cloud.url, auth=auth, transport=cloud.transport)
    return ImsApp(session, now=frozen_now, query=query), cloud


def row_line(app: Any, row: ImageRow) -> str:
    return next(line for line in screen_text(app).splitlines() if (row.name or "")[:20] in line)


def test_an_ims_record_without_a_size_has_none() -> None:
    queued = {"id": "q", "status": "queued", "size": 0, "__imagetype": "private"}
    assert Image.model_validate(queued).effective_size is None  # cloudimages' 0 for "no data yet"
    assert Image.model_validate({**queued, "__image_size": "0"}).effective_size is None
    assert Image.model_validate({**queued, "__image_size": "2048"}).effective_size == 2048
    # a Glance image of no bytes is one: its 0 stays
    assert Image.model_validate({"id": "g", "status": "active", "size": 0}).effective_size == 0


async def test_queued_rows_on_the_ims_demo_show_no_size() -> None:
    app, _ = ims_demo()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        main = main_screen(app)
        assert main.ims
        visible = main.table.rows[:20]
        queued = [row for row in visible if row.status == "queued" and row.name]
        active = [row for row in visible if row.status == "active"]
        assert queued and active
        for row in queued:
            assert row.size is None and " 0 B " not in row_line(app, row), row_line(app, row)
        assert any(row.size for row in active)  # their __image_size, not cloudimages' 0


async def test_the_glance_demo_is_not_taken_for_ims() -> None:
    app, _ = make_app()  # 2000 seed images, some with __imagetype set as on a Glance fed from IMS exports
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        main = main_screen(app)
        rows = main.table.rows[:50]
        assert any(row.image_type for row in rows) and not all(row.image_type for row in rows)
        assert not main.ims and not main.table.ims
        assert " type " not in screen_text(app).splitlines()[1]
        await pilot.press("J")
        await settle(pilot)
        assert main_screen(app) is main
        assert not any("IMS" in str(message) for message in told(app))


async def test_an_unknown_session_is_taken_for_ims_when_every_image_says_so() -> None:
    ims_app, _ = ims_demo(ims=None)  # neither endpoint nor profile says IMS: the images do
    async with ims_app.run_test(size=(99, 30)) as pilot:
        await settle(pilot)
        assert main_screen(ims_app).ims and main_screen(ims_app).table.ims
        assert " type " in screen_text(ims_app).splitlines()[1]
