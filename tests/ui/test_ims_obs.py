"""IMS and OBS in the app, on the IMS simulator, with real key presses: export an image (O) and watch its job
finish; a bad bucket name refused before sending; create from OBS (B) picking the OS version from IMS's list and
see the image appear when its job ends; register a file into a queued image; a job that fails and says why;
key/value tags (T) edited and shown in the detail; the keys hidden on a Glance session and refused read-only."""

from __future__ import annotations

from typing import Any

import httpx

from ims_tui.api.request_log import SESSION_LOG
from ims_tui.api.session import SessionInfo, StaticSession
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.ims_export import ExportObsScreen
from ims_tui.ui.screens.ims_register import CreateObsScreen
from ims_tui.ui.screens.ims_tags import KvTagsScreen

from .helpers import frozen_now, main_screen, make_app, screen_text, settle, told, until
from .test_jobs import FAST, Clock, jobs_app


class AnswerLost(httpx.AsyncBaseTransport):
    """The simulator, except that a write whose path ends with ``suffix`` is applied and its answer lost."""

    def __init__(self, inner: httpx.AsyncBaseTransport, suffix: str) -> None:
        self.inner, self.suffix = inner, suffix

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method != "GET" and request.url.path.endswith(self.suffix):
            raise httpx.RemoteProtocolError("peer closed connection without sending a response", request=request)
        return response


def lossy_app(clock: Clock, suffix: str) -> tuple[ImsApp, Any]:
    app, cloud, auth = jobs_app(clock)
    info = app.session.info
    session = StaticSession(info, cloud.url, auth=auth, transport=AnswerLost(cloud.transport, suffix))
    return ImsApp(session, page_size=200, now=frozen_now), cloud


def own_row(app: ImsApp, status: str = "active") -> Any:
    """Highlight an image of this project in ``status`` (not an ISO: IMS exports none) and return its row."""
    screen = main_screen(app)
    project = screen.session.info.project_id
    index, row = next(
        (i, row)
        for i, row in enumerate(screen.view.visible)
        if row.owner == project and row.status == status and row.disk_format != "iso"
    )
    screen.table.move_to(index)
    return row


async def open_app(pilot: Any, app: ImsApp) -> None:
    await settle(pilot)
    main_screen(app).job_tracker.timer.backoff = FAST


async def open_export(pilot: Any, app: ImsApp) -> Any:
    """The app ready, an image of this project highlighted, O pressed: that image's row."""
    await open_app(pilot, app)
    row = own_row(app)
    await pilot.press("O")
    await settle(pilot)
    return row


async def test_export_an_image_and_watch_its_job_finish() -> None:
    clock = Clock()
    app, cloud, _auth = jobs_app(clock)
    SESSION_LOG.clear()
    async with app.run_test(size=(80, 24)) as pilot:
        row = await open_export(pilot, app)
        assert isinstance(app.screen, ExportObsScreen)
        await pilot.press(*"ims-export", "tab", "ctrl+u", *"out.vmdk", "tab")
        await pilot.press("enter")  # the format list opens on qcow2
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")  # vhd, zvhd, vmdk
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = screen_text(app)
        assert f"POST /v1/cloudimages/{row.id}/file" in shown and '"bucket_url": "ims-export:out.vmdk"' in shown
        await pilot.press("y")
        await settle(pilot)
        assert "1 job running" in str(main_screen(app).query_one("#status").render())
        assert "out.vmdk" not in cloud.obs.buckets["ims-export"]
        clock.tick(9)
        await until(pilot, lambda: any("finished" in said for said in told(app)), "the export's end")
        assert any(said.startswith("export ") and "finished" in said for said in told(app))
        assert "out.vmdk" in cloud.obs.buckets["ims-export"]
    assert any(entry.method == "POST" and entry.path.endswith(f"/{row.id}/file") for entry in SESSION_LOG)


async def test_a_bad_bucket_name_is_refused_before_anything_is_sent() -> None:
    app, cloud, _auth = jobs_app(Clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_export(pilot, app)
        sent = len(cloud.request_log)
        await pilot.press(*"My_Bucket", "enter")
        await settle(pilot)
        assert "not sent: a bucket name has only lowercase letters, digits, - and ." in screen_text(app)
        assert isinstance(app.screen, ExportObsScreen) and app.screen.focused is app.screen.query_one("#obs-bucket")
        assert not any(method == "POST" for method, _path in cloud.request_log[sent:])
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ExportObsScreen)


async def test_create_from_obs_picking_the_os_version_and_the_image_appears_when_the_job_ends() -> None:
    clock = Clock()
    app, cloud, _auth = jobs_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_app(pilot, app)
        own_row(app)  # an active image: no register offered, a new image it is
        await pilot.press("B")
        await settle(pilot)
        assert isinstance(app.screen, CreateObsScreen) and app.screen.kind == "create"
        await pilot.press(*"from-obs-1", "tab", *"ims-image", "tab", *"centos70.qcow2", "tab")
        await pilot.press(*"cent 7.0")
        await settle(pilot)
        assert "CentOS 7.9 64bit" not in screen_text(app) and "CentOS 7.0 64bit" in screen_text(app)
        await pilot.press("down", "enter")  # into the list, pick
        await settle(pilot)
        form = app.screen
        assert form.query_one("#obs-os").value == "CentOS 7.0 64bit"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert '"os_version": "CentOS 7.0 64bit"' in screen_text(app) and "POST /v2/cloudimages/action" in screen_text(
            app
        )
        await pilot.press("y")
        await settle(pilot)
        assert "from-obs-1" not in screen_text(app)
        clock.tick(9)
        await until(pilot, lambda: "from-obs-1" in screen_text(app), "the new image in the list")
        assert any("finished" in said for said in told(app))


async def test_register_into_a_queued_image_and_a_failing_job_says_why() -> None:
    clock = Clock()
    app, cloud, _auth = jobs_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_app(pilot, app)
        row = own_row(app, "queued")
        await pilot.press("B")
        await settle(pilot)
        assert isinstance(app.screen, CreateObsScreen) and app.screen.kind == "register"
        assert "register into" in screen_text(app)
        await pilot.press(*"ims-image", "tab", *"missing.vmdk", "ctrl+s")
        await settle(pilot)
        assert f"PUT /v1/cloudimages/{row.id}/upload" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        clock.tick(9)
        await until(pilot, lambda: any("failed" in said for said in told(app)), "the job's failure")
        said = next(said for said in told(app) if "failed" in said)
        assert "IMG.0162" in said and "missing.vmdk does not exist" in said
        await pilot.press("B")
        await settle(pilot)
        await pilot.press(*"ims-image", "tab", *"data-disk.vmdk", "enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        clock.tick(9)
        await until(pilot, lambda: cloud.images[row.id]["status"] == "active", "the image filled")
        await until(pilot, lambda: sum("finished" in said for said in told(app)) == 1, "the end told")


async def test_key_value_tags_edited_and_shown_in_the_detail() -> None:
    app, cloud, _auth = jobs_app(Clock())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_app(pilot, app)
        row = own_row(app)
        screen = main_screen(app)
        screen.flush_detail()
        await settle(pilot)
        assert "Key/value tags" in screen_text(app)
        await pilot.press("T")
        await settle(pilot)
        assert isinstance(app.screen, KvTagsScreen)
        await pilot.press(*"env", "tab", *"prod", "tab", *"team", "tab", *"a/b", "ctrl+s")
        await settle(pilot)
        assert "not sent: row 2: a tag value has none of" in screen_text(app)
        await pilot.press("ctrl+u", *"images", "ctrl+s")
        await settle(pilot)
        assert '"action": "create"' in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, KvTagsScreen)
        assert cloud.kv_tags[row.id] == {"env": "prod", "team": "images"}
        pane = str(screen.detail.rendered)
        section = pane[pane.index("Key/value tags") :]
        assert "env" in section and "prod" in section and "team" in section and "images" in section


async def test_glance_sessions_hide_the_ims_keys_and_read_only_refuses_them() -> None:
    app, _cloud = make_app(count=5)  # rows without an IMS image type: a plain Glance
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("O", "B", "T"):
            await pilot.press(key)
            await settle(pilot)
            assert not isinstance(app.screen, ExportObsScreen | CreateObsScreen | KvTagsScreen)
        assert told(app).count("an IMS call: this is a Glance session") == 3
    clock = Clock()
    _app, cloud, auth = jobs_app(clock)
    info = SessionInfo(cloud="IMS demo", region="cn-north-4", ims=True, project_id=_app.session.info.project_id)
    session = StaticSession(info.with_changes(read_only=True), cloud.url, auth=auth, transport=cloud.transport)
    read_only = ImsApp(session, page_size=200, now=frozen_now)
    async with read_only.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        own_row(read_only)
        for key in ("O", "B", "T"):
            await pilot.press(key)
            await settle(pilot)
            assert main_screen(read_only) is read_only.screen
        assert sum("read-only" in said for said in told(read_only)) == 3


async def test_a_lost_answer_is_never_sent_again() -> None:
    app, cloud = lossy_app(Clock(), "/file")
    async with app.run_test(size=(80, 24)) as pilot:
        row = await open_export(pilot, app)
        await pilot.press(*"ims-export", "ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        said = str(app.screen.query_one("#obs-error").render())
        assert "the answer was lost" in said and "Not sent again: look in the bucket, and at J" in said
        assert "the answer was lost" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ExportObsScreen)  # no second question, nothing sent
        posts = [path for method, path in cloud.request_log if method == "POST" and path.endswith("/file")]
        assert posts == [f"/v1/cloudimages/{row.id}/file"]
        assert len(cloud.jobs) == 1  # the job the lost answer started
        await pilot.press("escape")
        await settle(pilot)
        assert main_screen(app) is app.screen


async def test_a_tag_change_whose_answer_is_lost_is_settled_by_reading_the_tags() -> None:
    app, cloud = lossy_app(Clock(), "/tags/action")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_app(pilot, app)
        row = own_row(app)
        await pilot.press("T")
        await settle(pilot)
        await pilot.press(*"env", "tab", *"prod", "ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert cloud.kv_tags[row.id] == {"env": "prod"}
        assert any(said.startswith("Saved: the answer was lost") for said in told(app))
        actions = [path for method, path in cloud.request_log if method == "POST" and path.endswith("/action")]
        assert len(actions) == 1


async def _export_form(pilot: Any) -> None:
    await open_export(pilot, pilot.app)
    await pilot.press(*"ims-export")
    await settle(pilot)


async def _create_form(pilot: Any) -> None:
    await open_app(pilot, pilot.app)
    own_row(pilot.app)
    await pilot.press("B")
    await settle(pilot)
    await pilot.press(*"web-01", "tab", *"ims-image", "tab", *"centos70.qcow2", "tab", *"ubuntu")
    await settle(pilot)


def test_export_form_snapshot(snap_compare: Any) -> None:
    app, _cloud, _auth = jobs_app(Clock())
    assert snap_compare(app, terminal_size=(80, 24), run_before=_export_form)


def test_create_from_obs_form_snapshot(snap_compare: Any) -> None:
    app, _cloud, _auth = jobs_app(Clock())
    assert snap_compare(app, terminal_size=(80, 24), run_before=_create_form)


async def test_key_value_tags_only_on_this_project_s_own_images() -> None:
    app, cloud, _auth = jobs_app(Clock())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_app(pilot, app)
        screen = main_screen(app)
        project = screen.session.info.project_id
        index, other = next((i, row) for i, row in enumerate(screen.view.visible) if row.owner != project)
        screen.table.move_to(index)
        screen.flush_detail()
        await settle(pilot)
        assert "Key/value tags" not in str(screen.detail.rendered)
        assert not any(f"{other.id}/tags" in path for _method, path in cloud.request_log)
        await pilot.press("T")
        await settle(pilot)
        assert main_screen(app) is app.screen
        assert "IMS keeps key/value tags on this project's own images only" in told(app)


async def test_quick_export_names_no_format_and_the_file_becomes_zvhd2() -> None:
    app, _cloud, _auth = jobs_app(Clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_export(pilot, app)
        await pilot.press(*"ims-export", "tab", "tab", "tab", "space")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ExportObsScreen)
        assert form.query_one("#obs-object").value.endswith(".zvhd2")
        body = form.request_line()[2]
        assert body["is_quick_export"] is True and "file_format" not in body
        assert '"is_quick_export": true' in screen_text(app)
        await pilot.press("space")
        await settle(pilot)
        assert form.query_one("#obs-object").value.endswith(".qcow2")
