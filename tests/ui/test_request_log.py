"""The request log screen (L) on the demo cloud: what a user sees of the requests the app made."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from datetime import timezone
from typing import Any

import httpx
import pytest

from ims_tui.api import ImageClient
from ims_tui.api.errors import ApiError
from ims_tui.api.request_log import SESSION_LOG, RequestLog
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from ims_tui.ui.screens.request_log import RequestEntryScreen, RequestLogScreen

from .helpers import DroppingTransport, FlakyTransport, frozen_now, main_screen, make_app, screen_text, settle, told

FIXED_TIME = 1_793_620_800.0  # 2026-11-02 12:00:00 UTC


@pytest.fixture(autouse=True)
def fresh_log() -> Iterator[None]:
    SESSION_LOG.clear()  # the process's log: earlier tests' requests are in it
    yield
    SESSION_LOG.clear()


async def until_shown(pilot: Any, done: Callable[[], bool], what: str) -> None:
    """Wait for the screen's refresh timer (a few times a second) to show ``done``, 10 s at most."""
    for _ in range(200):
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{what} never showed")


def rows(app: Any) -> list[str]:
    """The request lines shown (below the title and column lines, above the footer)."""
    return [line for line in screen_text(app).splitlines()[2:-1] if line.strip() and "/" in line]


def failing_list() -> tuple[Any, DemoCloud, FlakyTransport]:
    made: list[FlakyTransport] = []

    def wrap(inner: httpx.AsyncBaseTransport) -> FlakyTransport:
        made.append(FlakyTransport(inner, mode="html500", match="list"))
        return made[0]

    app, cloud = make_app(count=30, wrap=wrap)
    return app, cloud, made[0]


async def test_a_failing_request_shows_marked_and_opens_in_full() -> None:
    app, _cloud, flaky = failing_list()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        flaky.failing = True
        await pilot.press("r")  # the list again: the demo answers an HTML 500
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, RequestLogScreen)
        first = rows(app)[0]
        assert first.lstrip().startswith("!") and " GET " in first and " 500 " in first, first
        assert "/v2/images" in first
        ok = [line for line in rows(app) if " 200 " in line]
        assert ok and not any(line.lstrip().startswith("!") for line in ok)
        assert "1 failed (!)" in screen_text(app).splitlines()[0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RequestEntryScreen)
        shown = screen_text(app)
        assert "500 Internal Server Error" in shown and "req-0123-feed-beef" in shown
        assert "The server has either erred" in shown
        assert "GET /v2/images?limit=200&sort_key=created_at&sort_dir=desc" in shown  # the full path
        await pilot.press("c")
        assert app._clipboard == "req-0123-feed-beef"
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)
        main_screen(app)


async def test_the_filter_narrows_the_list_and_esc_brings_every_request_back() -> None:
    app, _cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("L", "slash", *"stores")
        await settle(pilot)
        shown = rows(app)
        assert len(shown) == 1 and "/v2/info/stores" in shown[0], shown
        assert "Requests: 1 of" in screen_text(app)
        await pilot.press("enter", "escape")  # Enter keeps the filter; Esc on the list clears it
        await settle(pilot)
        assert len(rows(app)) == len(SESSION_LOG) > 1
        await pilot.press("escape")  # nothing left to clear: back to the list of images
        await settle(pilot)
        main_screen(app)


async def test_c_copies_the_highlighted_request_s_id() -> None:
    app, _cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        newest = SESSION_LOG.newest_first()
        await pilot.press("j", "c")
        await settle(pilot)
        assert newest[1].request_id and app._clipboard == newest[1].request_id
        assert any(newest[1].request_id[:20] in message for message in told(app))


async def test_requests_made_while_it_is_open_appear() -> None:
    app, _cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        client = main_screen(app).client
        assert client is not None
        await pilot.press("L")
        await settle(pilot)
        with pytest.raises(ApiError):
            await client.get("no-such-image")
        await until_shown(pilot, lambda: "/v2/images/no-such-image" in rows(app)[0], "the new request")
        assert rows(app)[0].lstrip().startswith("!") and " 404 " in rows(app)[0]


async def test_l_from_the_palette() -> None:
    app, _cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Request log")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RequestLogScreen)


async def fill(log: RequestLog) -> None:
    """A few requests with known answers: two lists, a missing image, a delete whose line drops."""
    cloud = DemoCloud(image_count=3, latency=0.0, seed=42, clock=frozen_now)
    dropping = DroppingTransport(FlakyTransport(cloud.transport, mode="html500", match="list-next"))
    async with ImageClient(DEMO_ENDPOINT, transport=dropping, request_log=log, backoff=0) as client:
        page = await client.list_page()
        await client.get(page.images[0].id)
        for call in (client.get("0c3f9a2e-missing"), client.delete(page.images[1].id)):
            dropping.drop_writes = True
            with contextlib.suppress(ApiError):
                await call


def test_snapshot_80x24(snap_compare: Any) -> None:
    ticks = (n * 0.0123 for n in itertools.count())
    log = RequestLog(clock=lambda: FIXED_TIME, monotonic=lambda: next(ticks))
    app, _cloud = make_app(count=30)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await fill(log)
        app.push_screen(RequestLogScreen(log, tz=timezone.utc))
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
