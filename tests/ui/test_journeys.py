"""Whole user journeys on the in-process demo cloud, driven only by key presses.

Each test is one session as an operator would run it: open, page, filter, sort, find, create, edit, delete,
switch cloud, remap a key. What is checked is what the user would notice: the screen's text, the requests the
cloud received, and what the cloud holds afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from textual import events
from textual.command import CommandPalette
from textual.widgets import Input

from ims_tui.api import ImageClient, NotFound
from ims_tui.api.session import SessionInfo, StaticSession
from ims_tui.config import ConnectOptions, resolve
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.clouds import CloudPickerScreen
from ims_tui.ui.screens.delete import DeleteImageScreen
from ims_tui.ui.screens.filter import FilterScreen
from ims_tui.ui.screens.help import HelpScreen
from ims_tui.ui.screens.image_form import ImageFormScreen, PatchPreviewScreen
from ims_tui.ui.screens.main import MainScreen
from ims_tui.ui.widgets.status import HeaderBar

from .helpers import (
    NEEDS_FORMS_BRANCH,
    frozen_now,
    is_watch_request,
    list_requests,
    main_screen,
    make_app,
    screen_text,
    settle,
    status_text,
)


def header_text(app: ImsApp) -> str:
    return str(main_screen(app).query_one(HeaderBar).render())


def params(path: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(path).query)


def writes(cloud: DemoCloud) -> list[tuple[str, str]]:
    return [(method, path) for method, path in cloud.request_log if method != "GET"]


async def wait_for_screen(pilot: Any, kind: type, limit: int = 20) -> Any:
    """Let workers run until a screen of ``kind`` is on top (bounded: a missing screen fails, never hangs)."""
    for _ in range(limit):
        if isinstance(pilot.app.screen, kind):
            return pilot.app.screen
        await settle(pilot)
    raise AssertionError(f"{kind.__name__} never showed; on top: {pilot.app.screen!r}")


@NEEDS_FORMS_BRANCH
async def test_operator_journey_page_filter_sort_find_create_edit_delete() -> None:
    app, cloud = make_app(count=1000, page_size=50)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        table = screen.table

        # -- open: one request, one page on screen ------------------------------------------------------
        assert table.row_count == 50 and len(list_requests(cloud)) == 1
        assert "50 loaded, more below" in status_text(app)
        first_name = table.rows[0].name or "(no name)"
        assert first_name[:20] in screen_text(app)

        # -- scroll: j walks into the second page, page-down into the third, G into the fourth ---------
        for _ in range(35):
            await pilot.press("j")
        await settle(pilot)
        assert table.cursor == 35
        assert len(list_requests(cloud)) == 2 and table.row_count == 100
        for _ in range(3):
            await pilot.press("pagedown")
        await settle(pilot)
        assert len(list_requests(cloud)) == 3 and table.row_count == 150
        await pilot.press("G")
        await settle(pilot)
        assert table.cursor == 149
        requests = list_requests(cloud)
        assert len(requests) == 4 and table.row_count == 200
        # Each page asked for 50 rows after a different marker: no page was fetched twice.
        assert all(params(p)["limit"] == ["50"] for p in requests)
        markers = [params(p).get("marker", [""])[0] for p in requests]
        assert len(set(markers)) == 4 and markers[0] == ""
        assert "200 loaded, more below" in status_text(app)

        # -- server filter: f, pick status "active", apply ----------------------------------------------
        sent = len(list_requests(cloud))
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        assert "Server filter" in screen_text(app)
        await pilot.press("tab", "space", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        # The list starts over on the server (a reload may look a few pages down for the highlighted image).
        new = [params(p) for p in list_requests(cloud)[sent:]]
        assert new and "marker" not in new[0] and all(q["status"] == ["active"] for q in new)
        assert table.row_count > 0 and all(row.status == "active" for row in table.rows)
        assert "filter: status=active" in status_text(app)
        # F drops the filter again: the next request has no status, and other statuses come back.
        await pilot.press("F")
        await settle(pilot)
        assert "status" not in params(list_requests(cloud)[-1])
        assert "filter:" not in status_text(app)
        assert any(row.status != "active" for row in table.rows)

        # -- sort: s cycles created -> updated -> name, S reverses; the server sorts ---------------------
        await pilot.press("s", "s")
        await settle(pilot)
        last = params(list_requests(cloud)[-1])
        assert (last["sort_key"], last["sort_dir"]) == (["name"], ["asc"])
        names = [row.name for row in table.rows if row.name is not None]
        assert len(names) >= 45 and names == sorted(names)
        assert "sort: name ▲" in status_text(app)
        assert "name ▲" in screen_text(app).splitlines()[1]
        await pilot.press("S")
        await settle(pilot)
        last = params(list_requests(cloud)[-1])
        assert (last["sort_key"], last["sort_dir"]) == (["name"], ["desc"])
        names = [row.name for row in table.rows if row.name is not None]
        assert names == sorted(names, reverse=True)
        assert "sort: name ▼" in status_text(app)

        # -- quick filter: / narrows the loaded rows without asking the server; Esc clears --------------
        loaded = table.row_count
        before = len(list_requests(cloud))  # the live watch's own rounds may come and go meanwhile
        await pilot.press("slash", *"rocky")
        await pilot.pause()
        matches = [row for row in table.rows if "rocky" in (row.name or "").lower()]
        assert 0 < table.row_count == len(matches) < loaded
        assert f"quick filter: 'rocky' ({len(matches)} of {loaded} loaded rows)" in status_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == loaded and "quick filter" not in status_text(app)
        assert len(list_requests(cloud)) == before

        # -- create: n opens the form; every field by keys ------------------------------------------------
        rows_before = table.row_count
        await pilot.press("n")
        form = await wait_for_screen(pilot, ImageFormScreen)
        assert "New image" in screen_text(app)
        await pilot.press(*"journey-image")
        await pilot.press("tab", "enter", *"qcow2", "enter")  # disk format: a Select, typed to search
        await pilot.press("tab", "enter", *"bare", "enter")  # container format
        await pilot.press("tab", "tab", *"10")  # past visibility (a Glance: any of its choices), into min disk
        await pilot.press("tab", "tab", "tab", *"journey")  # past min RAM and protected, into tags
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form and isinstance(app.screen, MainScreen)
        created = table.current
        assert created is not None and created.name == "journey-image" and table.cursor == 0
        assert table.row_count == rows_before + 1
        assert writes(cloud) == [("POST", "/v2/images")]
        async with ImageClient(DEMO_ENDPOINT, transport=cloud.transport) as api:
            held = await api.get(created.id)
        assert (held.name, held.disk_format, held.container_format) == ("journey-image", "qcow2", "bare")
        assert held.min_disk == 10 and held.tags == ["journey"] and held.status == "queued"
        assert "journey-image" in screen_text(app)

        # -- edit: e, rename, add a tag and a property; the preview shows the ops; confirm --------------
        lists_before_edit = len(list_requests(cloud))
        await pilot.press("e")
        form = await wait_for_screen(pilot, ImageFormScreen)
        await settle(pilot)
        assert form.loaded and app.focused is form.query_one("#name", Input)
        await pilot.press("end", "ctrl+u", *"journey-renamed")
        await pilot.press(*["tab"] * 7)  # formats, visibility, min disk/RAM, protected -> tags
        assert app.focused is form.query_one("#tags", Input)
        await pilot.press("end", *", extra")
        await pilot.press("ctrl+n", *"os_distro", "tab", *"ubuntu")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PatchPreviewScreen)
        preview = screen_text(app)
        assert "Nothing has been sent yet" in preview and "3 operations" in preview
        assert 'replace /name = "journey-renamed"' in preview
        assert 'add     /os_distro = "ubuntu"' in preview
        assert '/tags = ["journey", "extra"]' in preview
        assert writes(cloud) == [("POST", "/v2/images")]  # nothing sent while the preview is up
        await pilot.press("enter")  # Confirm has the focus
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert writes(cloud)[-1] == ("PATCH", f"/v2/images/{created.id}")
        # The row changed in place: same position, same count, no reload.
        assert table.cursor == 0 and table.rows[0].id == created.id and table.rows[0].name == "journey-renamed"
        assert table.row_count == rows_before + 1
        assert len(list_requests(cloud)) == lists_before_edit
        assert "journey-renamed" in screen_text(app)
        async with ImageClient(DEMO_ENDPOINT, transport=cloud.transport) as api:
            held = await api.get(created.id)
        assert held.name == "journey-renamed" and sorted(held.tags) == ["extra", "journey"]
        assert held.properties["os_distro"] == "ubuntu"

        # -- delete: d opens a dialog focused on Cancel; Enter there cancels, Delete deletes --------------
        await pilot.press("d")
        dialog = await wait_for_screen(pilot, DeleteImageScreen)
        await settle(pilot)
        assert app.focused is dialog.query_one("#delete-cancel")
        assert "Delete journey-renamed?" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert not any(method == "DELETE" for method, _ in cloud.request_log)
        await pilot.press("d")
        dialog = await wait_for_screen(pilot, DeleteImageScreen)
        await settle(pilot)
        await pilot.press("tab")
        assert app.focused is dialog.query_one("#delete-confirm")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert writes(cloud)[-1] == ("DELETE", f"/v2/images/{created.id}")
        assert table.row_count == rows_before and all(row.id != created.id for row in table.rows)
        assert "journey-renamed" not in screen_text(app)
        async with ImageClient(DEMO_ENDPOINT, transport=cloud.transport) as api:
            with pytest.raises(NotFound):
                await api.get(created.id)


# -- switching clouds ----------------------------------------------------------------------------------------


TWO_PROFILES = """\
default = "alpha"

[clouds.alpha]
type = "demo"
demo_images = 120
demo_latency = 0.0

[clouds.beta]
type = "demo"
demo_images = 30
demo_latency = 0.0
read_only = true
"""


def two_profiles(tmp_path: Path) -> Any:
    path = tmp_path / "config.toml"
    path.write_text(TWO_PROFILES)
    return resolve(ConnectOptions(environ={"HOME": str(tmp_path)}, config_path=path, cwd=tmp_path))


@NEEDS_FORMS_BRANCH
async def test_cloud_switcher_by_keys_and_by_palette(tmp_path: Path) -> None:
    resolved = two_profiles(tmp_path)
    assert resolved.default == "alpha" and set(resolved.sessions) == {"alpha", "beta"}
    session = resolved.sessions["alpha"]()
    app = ImsApp(session, resolved=resolved, profile=resolved.default, now=frozen_now)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "alpha" in header_text(app) and "READ-ONLY" not in header_text(app)
        alpha_rows = main_screen(app).table.row_count
        assert 90 < alpha_rows <= 120 and f"{alpha_rows} images, all loaded" in status_text(app)

        # p: the picker lists both, the current one marked; down + Enter opens the other.
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, CloudPickerScreen)
        text = screen_text(app)
        assert "● alpha" in text and "beta" in text and "demo cloud (in-process)" in text
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.profile == "beta"
        header = header_text(app)
        assert "beta" in header and "READ-ONLY" in header and "alpha" not in header
        assert "READ-ONLY" in screen_text(app)
        beta_rows = main_screen(app).table.row_count
        assert 0 < beta_rows <= 30 and f"{beta_rows} images, all loaded" in status_text(app)
        beta_cloud = app.session.transport.cloud  # type: ignore[attr-defined]
        assert len(list_requests(beta_cloud)) == 1

        # Write keys do nothing but say why; no write reaches the cloud.
        await pilot.press("n", "e", "d", "delete")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("read-only" in n.message for n in app._notifications)
        assert writes(beta_cloud) == []
        footer = screen_text(app).splitlines()[-1]
        assert "New" not in footer and "Del" not in footer

        # The palette names the other cloud; choosing it switches back, with writes allowed again.
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Switch cloud")
        for _ in range(20):
            await settle(pilot)
            if "Switch cloud: alpha" in screen_text(app):
                break
        assert "Switch cloud: alpha" in screen_text(app)
        assert "Switch cloud: beta" not in screen_text(app)  # not the one already open
        await pilot.press("enter")
        await settle(pilot)
        assert app.profile == "alpha"
        header = header_text(app)
        assert "alpha" in header and "READ-ONLY" not in header
        assert main_screen(app).table.row_count == alpha_rows
        await pilot.press("d")
        await wait_for_screen(pilot, DeleteImageScreen)


# -- key map -------------------------------------------------------------------------------------------------


@NEEDS_FORMS_BRANCH
@pytest.mark.parametrize("binding_id", ["main.delete", "delete"])
async def test_config_keymap_moves_delete_to_ctrl_d(binding_id: str) -> None:
    cloud = DemoCloud(image_count=40, latency=0.0, seed=42, clock=frozen_now)
    info = SessionInfo(cloud="demo", region="eu-de", project="demo", user="operator")
    session = StaticSession(info, DEMO_ENDPOINT, transport=cloud.transport)
    app = ImsApp(session, now=frozen_now, keymap={binding_id: "ctrl+d"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.keymap_warnings
        # The old keys no longer delete.
        await pilot.press("d", "delete")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert not any(method == "GET" and "/v2/images/" in path for method, path in cloud.request_log)
        footer = screen_text(app).splitlines()[-1]
        assert "^d Del" in footer
        # The new one does.
        await pilot.press("ctrl+d")
        dialog = await wait_for_screen(pilot, DeleteImageScreen)
        assert app.focused is dialog.query_one("#delete-cancel")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert writes(cloud) == []
        # Help shows the binding as it is now.
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        flat = {row[1]: row[0] for _title, rows in app.screen.groups for row in rows}
        assert flat["Del"] == "^d"
        # On screen too (scrolling the help down with j if the line is below the fold: the help is long).
        for _ in range(120):
            lines = [line for line in screen_text(app).splitlines() if " Del " in line]
            if lines:
                break
            await pilot.press("j")
        assert lines and "^d" in lines[0] and "delete" not in lines[0].split("Del")[0]


# -- typeahead -------------------------------------------------------------------------------------------------


async def test_typing_right_after_slash_goes_into_the_quick_filter() -> None:
    app, cloud = make_app(count=300)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        sent = len(cloud.request_log)
        # Over a slow SSH link "/rocky" typed quickly arrives in one read: the driver posts its keys back to back
        # (pilot.press would wait between keys, which is exactly what a burst does not do).
        for char in "/rocky":
            app.post_message(events.Key("slash" if char == "/" else char, char))
        await settle(pilot)
        assert isinstance(app.screen, MainScreen), f"{app.screen!r} opened by a key meant for the filter"
        assert main_screen(app).query_one("#quick", Input).value == "rocky"
        assert "quick filter: 'rocky'" in status_text(app)
        # no reload, no GET for a raw view (the live watch's rounds for images in transition are its own)
        assert [(method, path) for method, path in cloud.request_log[sent:] if not is_watch_request(path)] == []
