"""Issue 9 on the main screen, by keys at 80x24: a failure reads status first and opens in full with E, r always
retries, a bad image is one marked row, an image found gone leaves the list, and nothing waits on the network."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import httpx
from textual import events

from ims_tui.demo import DemoCloud
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.detail import DetailScreen
from ims_tui.ui.screens.error import ErrorScreen
from ims_tui.ui.screens.main import MainScreen
from ims_tui.ui.screens.raw import RawScreen, RawView
from ims_tui.ui.widgets.detail import DetailView

from .helpers import (
    NEEDS_FORMS_BRANCH,
    BrokenEntries,
    FlakyTransport,
    get_requests,
    list_requests,
    main_screen,
    make_app,
    screen_text,
    settle,
    status_text,
)


def notes(app: ImsApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def delete_behind_the_back(cloud: DemoCloud, image_id: str) -> None:
    async with httpx.AsyncClient(transport=cloud.transport, base_url="http://demo") as other:
        assert (await other.delete(f"/v2/images/{image_id}")).status_code == 204


def failing_list(inner: httpx.AsyncBaseTransport) -> FlakyTransport:
    transport = FlakyTransport(inner, mode="html500", match="list")
    transport.failing = True
    return transport


async def test_e_opens_the_full_error_and_c_in_the_same_burst_copies_it(monkeypatch: Any) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("STY", raising=False)
    app, _cloud = make_app(wrap=failing_list)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        written: list[str] = []
        monkeypatch.setattr(app._driver, "write", written.append)
        # Typed quickly over a slow link, "Ec" arrives in one read: the c is meant for the error, not the list.
        app.post_message(events.Key("E", "E"))
        app.post_message(events.Key("c", "c"))
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        text = app.screen.report.text
        assert text.splitlines()[:2] == [
            "could not list images",
            "The server has either erred or is incapable of performing the requested operation.",
        ]
        assert "HTTP 500 Internal Server Error" in text and "GET /v2/images" in text
        assert text.endswith("request id req-0123-feed-beef")
        assert f"\x1b]52;c;{base64.b64encode(text.encode()).decode()}\x07" in written
        assert "GET /v2/images" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_e_before_any_error_does_nothing() -> None:
    app, _cloud = make_app(count=20)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and app.last_error is None


class LostMarker(httpx.AsyncBaseTransport):
    """The demo, except that while ``lost`` is set a page after a marker is refused as Glance refuses a marker
    image that was deleted between pages."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.lost = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        marker = request.url.params.get("marker")
        if self.lost and marker:
            text = f"400 Bad Request\n\nNo image found with ID {marker}\n\n"
            return httpx.Response(400, text=text, headers={"content-type": "text/plain"}, request=request)
        return await self.inner.handle_async_request(request)


async def test_r_after_a_lost_paging_position_reloads_from_the_top_keeping_the_highlight() -> None:
    made: list[LostMarker] = []
    app, cloud = make_app(count=300, page_size=50, wrap=lambda inner: made.append(LostMarker(inner)) or made[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = main_screen(app).table
        await pilot.press("j", "j", "j")
        chosen = table.current
        assert chosen is not None and table.row_count == 50
        made[0].lost = True
        await pilot.press("G")
        await settle(pilot)
        assert "r to retry" in status_text(app) and table.row_count == 50
        made[0].lost = False
        requests = len(list_requests(cloud))
        await pilot.press("g", "j", "j", "j", "r")
        await settle(pilot)
        # From the first page, not the same marker request again, and the highlighted image is still highlighted.
        assert "marker" not in list_requests(cloud)[requests]
        assert table.current is not None and table.current.id == chosen.id
        assert "retry" not in status_text(app) and "loaded" in status_text(app)


async def test_a_bad_image_is_one_marked_row_that_refuses_actions_and_shows_what_the_server_sent() -> None:
    made: list[BrokenEntries] = []
    app, cloud = make_app(count=30, wrap=lambda inner: made.append(BrokenEntries(inner)) or made[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.table.row_count == made[0].listed  # nothing hidden
        lines = screen_text(app).splitlines()
        assert lines[3].startswith("!") and "bad: size" in lines[3]
        assert lines[4].startswith("!") and "bad: no id" in lines[4] and "\x1b" not in lines[4]
        assert not lines[2].startswith("!")
        await pilot.press("j")
        await pilot.press("e", "d")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("cannot edit this image: its data does not parse (size" in note for note in notes(app))
        assert any("cannot delete this image" in note for note in notes(app))
        await pilot.press("j", "c")
        await settle(pilot)
        assert any("cannot copy this image: it has no id" in note for note in notes(app))
        gets = len(get_requests(cloud))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        shown = str(app.screen.query_one(DetailView).rendered)
        assert "Problem" in shown and "no id" in shown and "(none: the server sent no id)" in shown
        assert "cannot be read" in status_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, RawScreen)
        raw = "\n".join(app.screen.query_one(RawView).lines)
        assert '"name": "no-id-\\u001b[31mred"' in raw and '"id"' not in raw
        # A placeholder id is never sent (the live watch may read the images in transition meanwhile).
        sent = [path.split("/")[3].split("?")[0] for path in get_requests(cloud)[gets:]]
        assert all(image_id in cloud.images for image_id in sent), sent


async def test_the_raw_view_of_a_bad_image_with_an_id_reads_the_server_s_text() -> None:
    app, _cloud = make_app(count=30, wrap=BrokenEntries)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "y")
        await settle(pilot)
        assert isinstance(app.screen, RawScreen)
        assert any('"id": ' in line for line in app.screen.query_one(RawView).lines)


async def test_an_image_the_detail_pane_finds_gone_leaves_the_list() -> None:
    app, cloud = make_app(count=30)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        rows = screen.table.row_count
        index, victim = next((i, row.id) for i, row in enumerate(screen.table.rows) if i and not row.protected)
        await delete_behind_the_back(cloud, victim)
        screen.table.move_to(index)
        await pilot.pause()
        screen.flush_detail()
        await settle(pilot)
        assert screen.table.row_count == rows - 1 and all(row.id != victim for row in screen.table.rows)
        assert any("no longer exists" in note and victim in note for note in notes(app))


async def test_the_full_screen_detail_says_what_it_shows_and_drops_an_image_found_gone() -> None:
    app, cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = main_screen(app).table
        rows = table.row_count
        table.move_to(next(i for i, row in enumerate(table.rows) if not row.protected))
        await pilot.press("enter")
        await settle(pilot)
        assert "fresh from the server" in status_text(app)
        victim = main_screen_of(app).table.current.id  # type: ignore[union-attr]
        await delete_behind_the_back(cloud, victim)
        await pilot.press("r")
        await settle(pilot)
        assert "gone" in status_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == rows - 1 and all(row.id != victim for row in table.rows)


def failing_gets() -> tuple[list[FlakyTransport], Any]:
    """A wrap for make_app whose GETs of one image fail (HTML 500) while ``flaky[0].failing`` is set."""
    flaky: list[FlakyTransport] = []

    def wrap(inner: httpx.AsyncBaseTransport) -> FlakyTransport:
        flaky.append(FlakyTransport(inner, mode="html500", match="/v2/images/"))
        return flaky[0]

    return flaky, wrap


def main_screen_of(app: ImsApp) -> MainScreen:
    return next(screen for screen in app.screen_stack if isinstance(screen, MainScreen))


async def test_the_full_screen_detail_shows_a_failed_read_status_first_and_r_retries() -> None:
    flaky, wrap = failing_gets()
    app, _cloud = make_app(count=30, wrap=wrap)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        flaky[0].failing = True
        await pilot.press("enter")
        await settle(pilot)
        line = status_text(app)
        assert line.startswith("HTTP 500 Internal Server Error") and line.endswith("r to retry · E details")
        assert app.last_error is not None and app.last_error.text.startswith("could not read image")
        flaky[0].failing = False
        await pilot.press("r")
        await settle(pilot)
        assert "fresh from the server" in status_text(app)


async def test_the_raw_view_leads_a_failure_with_its_status_and_r_retries() -> None:
    flaky, wrap = failing_gets()
    app, _cloud = make_app(count=30, wrap=wrap)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        flaky[0].failing = True
        await pilot.press("y")
        await settle(pilot)
        lines = app.screen.query_one(RawView).lines
        assert lines[0].startswith("HTTP 500 Internal Server Error: The server has")
        assert all(len(line) < 80 for line in lines) and "r to retry · E shows the full error" in lines
        flaky[0].failing = False
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.query_one(RawView).lines[0] == "{"


class HangingSchema(httpx.AsyncBaseTransport):
    """The demo, except that the image schema never comes."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/v2/schemas"):
            await asyncio.Event().wait()
        return await self.inner.handle_async_request(request)


@NEEDS_FORMS_BRANCH
async def test_n_e_and_d_open_at_once_while_the_schema_hangs() -> None:
    from ims_tui.ui.screens.delete import DeleteImageScreen
    from ims_tui.ui.screens.image_form import ImageFormScreen

    app, _cloud = make_app(count=30, wrap=HangingSchema)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, kind in (("n", ImageFormScreen), ("e", ImageFormScreen), ("d", DeleteImageScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, kind), key
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)


async def test_typing_right_after_slash_in_the_raw_view_goes_into_its_search() -> None:
    app, _cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        for key, char in (("slash", "/"), ("o", "o"), ("s", "s"), ("underscore", "_"), ("enter", "\r")):
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert isinstance(app.screen, RawScreen)
        view = app.screen.query_one(RawView)
        assert view.needle == "os_" and len(view.matches) >= 2
