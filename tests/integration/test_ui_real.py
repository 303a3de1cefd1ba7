"""The whole UI, driven by keys, against a real Glance (and a real Keystone) on 127.0.0.1.

Nothing here is faked: requests go over HTTP to the lab servers started by tests/conftest.py, and every check
of a change reads the image back from Glance with a client of its own.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from textual.widgets import Input

from ims_tui.api import ImageClient, NotFound, TokenAuth
from ims_tui.api.session import SessionInfo, StaticSession
from ims_tui.config import ConnectOptions, resolve
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.delete import DeleteImageScreen
from ims_tui.ui.screens.filter import FilterScreen
from ims_tui.ui.screens.image_form import ImageFormScreen, PatchPreviewScreen
from ims_tui.ui.screens.main import MainScreen
from ims_tui.ui.screens.password import PasswordScreen
from ims_tui.ui.widgets.status import HeaderBar, StatusLine
from tests.ui.helpers import screen_text, settle
from tools.openstack_lab import KeystoneLab


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    """The real HTTP transport, remembering each request (method, path?query, status) that went over the wire."""

    inner: httpx.AsyncBaseTransport = field(default_factory=httpx.AsyncHTTPTransport)
    calls: list[tuple[str, str, int]] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        target = request.url.raw_path.decode()
        self.calls.append((request.method, target, response.status_code))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    def lists(self) -> list[dict[str, list[str]]]:
        """The paging's list requests; the live watch's (by ``id``) are its own business."""
        queries = [
            parse_qs(urlsplit(t).query) for m, t, _ in self.calls if m == "GET" and t.split("?")[0] == "/v2/images"
        ]
        return [query for query in queries if "id" not in query]

    def writes(self) -> list[tuple[str, str, int]]:
        return [(m, t, s) for m, t, s in self.calls if m != "GET"]


def main_screen(app: ImsApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen), screen
    return screen


def status_text(app: ImsApp) -> str:
    return str(app.screen.query_one(StatusLine).render())


async def wait_until(pilot: Any, done: Any, what: str, limit: int = 60) -> None:
    """Let workers run until ``done()`` holds; the real servers answer in their own time, so check, never sleep."""
    for _ in range(limit):
        if done():
            return
        await settle(pilot)
    raise AssertionError(f"{what} never happened; on top: {pilot.app.screen!r}; status: {status_text(pilot.app)!r}")


async def wait_for_screen(pilot: Any, kind: type) -> Any:
    # Pushed is not yet drawn: under load the first frame of a new screen can lag a few event-loop turns.
    await wait_until(
        pilot,
        lambda: isinstance(pilot.app.screen, kind) and screen_text(pilot.app).strip() != "",
        f"{kind.__name__} showing",
    )
    return pilot.app.screen


async def wait_loaded(pilot: Any) -> None:
    """Until no page is in flight (the status line leaves "loading…"/"reloading…"/"connecting…")."""

    def idle() -> bool:
        return not any(word in status_text(pilot.app) for word in ("loading", "connecting"))

    await wait_until(pilot, idle, "the list settling")


# ----------------------------------------------------------------------------------------------- noauth


PAGE = 8


@pytest.fixture
async def seeded(glance_noauth: str) -> AsyncIterator[tuple[str, list[str]]]:
    """30 images under one fresh tag, created in a shuffled name order; removed again afterwards."""
    tag = f"ui-{uuid.uuid4().hex[:8]}"
    names = [f"{tag}-{i:02d}" for i in range(30)]
    order = names[:]
    random.Random(7).shuffle(order)
    created: list[str] = []
    async with ImageClient(glance_noauth) as api:
        for name in order:
            image = await api.create({"name": name, "disk_format": "raw", "container_format": "bare", "tags": [tag]})
            created.append(image.id)
        yield tag, names
        await asyncio.gather(*(api.delete(image_id) for image_id in created), return_exceptions=True)


@pytest.mark.glance
async def test_journey_against_a_real_glance(glance_noauth: str, seeded: tuple[str, list[str]]) -> None:
    tag, names = seeded
    recorder = Recorder()
    session = StaticSession(SessionInfo(cloud="lab"), glance_noauth, transport=recorder)
    app = ImsApp(session, page_size=PAGE)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        table = main_screen(app).table
        # 19 rows fit on the screen: pages of 8 load until the screen is full (3 pages), then stop.
        lists = recorder.lists()
        assert len(lists) == 3 and table.row_count == 3 * PAGE
        assert f"{3 * PAGE} loaded, more below" in status_text(app)
        assert "API v2." in str(main_screen(app).query_one(HeaderBar).render())

        # Scrolling to the end loads exactly one more page each time, each after a new marker.
        await pilot.press("G")
        await wait_loaded(pilot)
        assert len(recorder.lists()) == 4 and table.row_count > 3 * PAGE
        lists = recorder.lists()
        assert all(q["limit"] == [str(PAGE)] for q in lists)
        assert len({q.get("marker", [""])[0] for q in lists}) == 4
        highlighted = table.current
        assert table.cursor == 3 * PAGE - 1 and highlighted is not None
        assert (highlighted.name or "(no name)")[:30] in screen_text(app)

        # Only this test's images: a tag filter applied on the server through the filter panel.
        sent = len(recorder.lists())
        await pilot.press("f")
        await wait_for_screen(pilot, FilterScreen)
        await pilot.press("tab", "tab", "tab", *tag, "ctrl+s")  # name -> statuses -> visibility -> tags
        await wait_for_screen(pilot, MainScreen)
        await wait_loaded(pilot)
        assert recorder.lists()[sent]["tag"] == [tag] and "marker" not in recorder.lists()[sent]
        for _ in range(5):
            if "all loaded" in status_text(app):
                break
            await pilot.press("G")
            await wait_loaded(pilot)
        assert "30 images, all loaded" in status_text(app) and f"tag={tag}" in status_text(app)

        # Sort by name on the server: s twice (created -> updated -> name).
        await pilot.press("s", "s")
        await wait_loaded(pilot)
        last = recorder.lists()[-1]
        assert (last["sort_key"], last["sort_dir"], last["tag"]) == (["name"], ["asc"], [tag])
        for _ in range(5):
            if "all loaded" in status_text(app):
                break
            await pilot.press("G")
            await wait_loaded(pilot)
        assert [row.name for row in table.rows] == names
        await pilot.press("g")
        assert names[0] in screen_text(app)

        # Create by keys: name, formats (Selects: Enter opens, typing finds, Enter picks), tags.
        await pilot.press("n")
        form = await wait_for_screen(pilot, ImageFormScreen)
        await pilot.press(*f"{tag}-new")
        await pilot.press("tab", "enter", *"qcow2", "enter")
        await pilot.press("tab", "enter", *"bare", "enter")
        await pilot.press("tab", "tab", "tab", "tab", "tab")  # visibility, min disk, min RAM, protected -> tags
        assert app.focused is form.query_one("#tags", Input)
        await pilot.press(*tag)
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, MainScreen)
        created = table.current
        assert created is not None and created.name == f"{tag}-new" and table.cursor == 0
        assert table.row_count == 31
        assert [w[:2] for w in recorder.writes()] == [("POST", "/v2/images")] and recorder.writes()[0][2] == 201
        async with ImageClient(glance_noauth) as api:
            held = await api.get(created.id)
        assert (held.name, held.disk_format, held.container_format, held.tags) == (
            f"{tag}-new",
            "qcow2",
            "bare",
            [tag],
        )

        # Edit: rename, add a tag and a property; the preview lists exactly those ops; Confirm sends them.
        await pilot.press("e")
        form = await wait_for_screen(pilot, ImageFormScreen)
        await wait_until(pilot, lambda: form.loaded, "the form loading the image")
        await pilot.press("end", "ctrl+u", *f"{tag}-renamed")
        await pilot.press("tab", "tab", "tab", "tab", "tab", "tab", "tab")
        assert app.focused is form.query_one("#tags", Input)
        await pilot.press("end", *", edited")
        await pilot.press("ctrl+n", *"os_distro", "tab", *"ubuntu")
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, PatchPreviewScreen)
        preview = screen_text(app)
        assert "3 operations" in preview
        assert f'replace /name = "{tag}-renamed"' in preview
        assert 'add     /os_distro = "ubuntu"' in preview
        assert f'/tags = ["{tag}", "edited"]' in preview
        assert len(recorder.writes()) == 1  # nothing sent yet
        await pilot.press("enter")
        await wait_for_screen(pilot, MainScreen)
        await settle(pilot)
        assert recorder.writes()[-1][:2] == ("PATCH", f"/v2/images/{created.id}")
        assert table.rows[0].id == created.id and table.rows[0].name == f"{tag}-renamed"
        assert f"{tag}-renamed" in screen_text(app)
        async with ImageClient(glance_noauth) as api:
            held = await api.get(created.id)
        assert held.name == f"{tag}-renamed" and sorted(held.tags) == sorted([tag, "edited"])
        assert held.properties.get("os_distro") == "ubuntu"

        # Delete: the dialog starts on Cancel; tab to Delete, Enter; Glance no longer has it.
        await pilot.press("d")
        dialog = await wait_for_screen(pilot, DeleteImageScreen)
        await wait_until(pilot, lambda: dialog.checked, "the delete dialog checking the image")
        assert app.focused is dialog.query_one("#delete-cancel")
        await pilot.press("tab", "enter")
        await wait_for_screen(pilot, MainScreen)
        assert recorder.writes()[-1] == ("DELETE", f"/v2/images/{created.id}", 204)
        assert table.row_count == 30 and all(row.id != created.id for row in table.rows)
        async with ImageClient(glance_noauth) as api:
            with pytest.raises(NotFound):
                await api.get(created.id)
    await recorder.aclose()


# --------------------------------------------------------------------------------------------- keystone


CLOUDS_YAML = """\
clouds:
  {name}:
    region_name: {region}
    auth:
      auth_url: {auth_url}
      username: {username}
      user_domain_name: Default
      project_name: {project}
      project_domain_name: Default
"""


@pytest.mark.keystone
async def test_clouds_yaml_profile_prompts_for_the_password_and_edits_in_glance(
    keystone_lab: KeystoneLab, tmp_path: Path
) -> None:
    demo = keystone_lab.demo
    name = f"ui-ks-{uuid.uuid4().hex[:8]}"
    # An image of the demo project, put there with a token of our own (not through the app).
    token = keystone_lab.keystone.token(demo)
    async with ImageClient(keystone_lab.glance_url, auth=TokenAuth(token)) as api:
        image = await api.create({"name": name, "disk_format": "raw", "container_format": "bare"})

    (tmp_path / "clouds.yaml").write_text(
        CLOUDS_YAML.format(
            name="lab",
            region=keystone_lab.region,
            auth_url=keystone_lab.keystone_url,
            username=demo.username,
            project=demo.project_name,
        )
    )
    config = tmp_path / "config.toml"
    config.write_text("")
    resolved = resolve(
        ConnectOptions(environ={"OS_CLOUD": "lab", "HOME": str(tmp_path)}, config_path=config, cwd=tmp_path)
    )
    assert resolved.default == "lab"
    session = resolved.sessions["lab"]()
    app = ImsApp(session, resolved=resolved, profile=resolved.default)
    wrong = "not-" + demo.password
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            prompt = await wait_for_screen(pilot, PasswordScreen)
            text = screen_text(app)
            assert "Sign in" in text and f"Password for {demo.username}" in text
            await pilot.press(*wrong)
            assert wrong not in screen_text(app)  # the field is masked
            await pilot.press("enter")
            # Keystone refuses it: the prompt comes back, saying why in words.
            await wait_until(
                pilot, lambda: isinstance(app.screen, PasswordScreen) and app.screen is not prompt, "a second prompt"
            )
            text = screen_text(app)
            # The reason follows its status now, so the dialog may wrap it: read it as one line of words.
            assert "Keystone rejected the credentials for user 'demo'" in " ".join(text.replace("│", " ").split())
            assert wrong not in text
            await pilot.press(*demo.password, "enter")
            await wait_for_screen(pilot, MainScreen)
            await wait_loaded(pilot)
            header = str(main_screen(app).query_one(HeaderBar).render())
            assert "project demo" in header and "user demo" in header and "127.0.0.1" in header
            assert "RegionOne" in header
            # The image list came from the Glance the catalog names.
            assert session.info.endpoint == keystone_lab.glance_url
            table = main_screen(app).table
            assert any(row.id == image.id for row in table.rows)

            # Find it with the quick filter, edit its name, confirm the patch.
            await pilot.press("slash", *name, "enter")
            await settle(pilot)
            assert table.row_count == 1 and table.current is not None and table.current.id == image.id
            await pilot.press("e")
            form = await wait_for_screen(pilot, ImageFormScreen)
            await wait_until(pilot, lambda: form.loaded, "the form loading the image")
            await pilot.press("end", *"-edited", "ctrl+s")
            await wait_for_screen(pilot, PatchPreviewScreen)
            assert f'replace /name = "{name}-edited"' in screen_text(app)
            await pilot.press("enter")
            await wait_for_screen(pilot, MainScreen)
            await settle(pilot)
            assert table.current is not None and table.current.name == f"{name}-edited"
    finally:
        async with ImageClient(keystone_lab.glance_url, auth=TokenAuth(token)) as api:
            held = await api.get(image.id)
            await api.delete(image.id)
    assert held.name == f"{name}-edited"
