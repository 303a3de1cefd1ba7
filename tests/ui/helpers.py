"""Helpers for UI tests: apps on the in-process demo cloud, with a frozen clock, and transports that fail on demand."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from textual.app import App
from textual.screen import Screen

from ims_tui.api.errors import Unauthorized
from ims_tui.api.session import CloudSession, SessionInfo, StaticSession
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.main import MainScreen
from ims_tui.ui.widgets.status import StatusLine

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=timezone.utc)
HTML_500 = (
    b"<html><head><title>500 Internal Server Error</title></head><body><h1>500 Internal Server Error</h1>"
    b"The server has either erred or is incapable of performing the requested operation.<br /><br />"
    b"</body></html>"
)


def frozen_now() -> datetime:
    return NOW


def _forms_open_at_once() -> bool:
    from ims_tui.ui.screens.delete import DeleteImageScreen
    from ims_tui.ui.screens.image_form import ImageFormScreen

    return all(
        "image_id" in inspect.signature(screen.__init__).parameters for screen in (ImageFormScreen, DeleteImageScreen)
    )


# The main screen opens the form and the delete dialog at once, each reading the image itself: their side of that
# comes with the faults-forms branch. Drop this mark once both are merged.
NEEDS_FORMS_BRANCH = pytest.mark.skipif(
    not _forms_open_at_once(), reason="needs the form and delete dialog that read the image themselves (faults-forms)"
)


class FlakyTransport(httpx.AsyncBaseTransport):
    """Wraps the demo transport; while ``failing`` is set, matching requests get an HTML 500 or a dropped line."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, mode: str = "html500", match: str = "/v2/images") -> None:
        self.inner = inner
        self.mode = mode
        self.match = match
        self.failing = False
        self.failures = 0

    def _matches(self, request: httpx.Request) -> bool:
        path = request.url.path
        if self.match == "list":
            return path == "/v2/images"
        if self.match == "list-next":
            return path == "/v2/images" and "marker" in request.url.params
        return path.startswith(self.match)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.failing and self._matches(request):
            self.failures += 1
            if self.mode == "drop":
                raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")
            return httpx.Response(
                500,
                content=HTML_500,
                headers={"content-type": "text/html", "x-openstack-request-id": "req-0123-feed-beef"},
                request=request,
            )
        return await self.inner.handle_async_request(request)


class BrokenEntries(httpx.AsyncBaseTransport):
    """The demo, except that the first list page has an image whose size is text and one with no id."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.listed = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path != "/v2/images" or "marker" in request.url.params:
            return response
        data = json.loads(await response.aread())
        self.listed = len(data["images"])
        data["images"][1]["size"] = "big"
        del data["images"][2]["id"]
        data["images"][2]["name"] = "no-id-\x1b[31mred"
        return httpx.Response(200, json=data, request=request)


class FailingConnectSession(CloudSession):
    """Authentication that fails until ``fail`` is cleared (a 401 from the identity service)."""

    def __init__(self, inner: StaticSession) -> None:
        super().__init__(inner.info)
        self.inner = inner
        self.fail = True
        self.attempts = 0

    async def connect(self) -> Any:
        self.attempts += 1
        if self.fail:
            raise Unauthorized(
                "The request you have made requires authentication.", status=401, request_id="req-auth-1"
            )
        self.connection = await self.inner.connect()
        return self.connection


class DroppingTransport(httpx.AsyncBaseTransport):
    """The demo cloud, except that writes can be made to lose the connection mid-request."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.drop_writes = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.drop_writes and request.method != "GET":
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        return await self.inner.handle_async_request(request)


class ScreenHost(App[None]):
    """Pushes one screen and records what it dismissed with."""

    def __init__(self, make: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make = make
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.make(), self.results.append)


def is_watch_request(path: str) -> bool:
    """A round of the live watch (ui/image_watch.py): a list of images by id (``id=X`` or ``id=in:X,Y``)."""
    return any(key == "id" for key, _ in parse_qsl(urlsplit(path).query))


def list_requests(cloud: DemoCloud) -> list[str]:
    """The paging's list requests (the live watch's own rounds left out)."""
    return [
        path
        for method, path in cloud.request_log
        if method == "GET" and path.split("?")[0] == "/v2/images" and not is_watch_request(path)
    ]


def get_requests(cloud: DemoCloud) -> list[str]:
    return [path for method, path in cloud.request_log if method == "GET" and path.startswith("/v2/images/")]


def make_app(
    *,
    count: int = 2000,
    empty: bool = False,
    read_only: bool = False,
    page_size: int = 200,
    insecure: bool = False,
    wrap: Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport] | None = None,
    session_wrap: Callable[[StaticSession], CloudSession] | None = None,
    theme: str | None = None,
) -> tuple[ImsApp, DemoCloud]:
    cloud = DemoCloud(image_count=count, latency=0.0, seed=42, empty=empty, clock=frozen_now)
    transport: httpx.AsyncBaseTransport = cloud.transport
    if wrap is not None:
        transport = wrap(transport)
    info = SessionInfo(
        cloud="demo", region="eu-de", project="demo", user="operator", insecure=insecure, read_only=read_only
    )
    session: CloudSession = StaticSession(info, DEMO_ENDPOINT, transport=transport)
    if session_wrap is not None:
        session = session_wrap(session)  # type: ignore[arg-type]
    app = ImsApp(session, page_size=page_size, now=frozen_now, theme=theme)
    return app, cloud


async def settle(pilot: Any) -> None:
    """Let workers finish and their messages land (never a sleep)."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def main_screen(app: ImsApp) -> MainScreen:
    """The screen on top, which must be the main screen."""
    screen = app.screen
    assert isinstance(screen, MainScreen), screen
    return screen


def status_text(app: ImsApp) -> str:
    """What the status line of the screen on top says."""
    return str(app.screen.query_one(StatusLine).render())


def screen_text(app: ImsApp | Any) -> str:
    """The text the terminal shows right now, one line per row (styles dropped)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def told(app: Any) -> list[str]:
    """What the app's notifications said, oldest first."""
    return [notification.message for notification in app._notifications]


async def until(pilot: Any, done: Callable[[], bool], what: str, limit: int = 60) -> None:
    """Let workers run until ``done()`` holds; never sleeps."""
    for _ in range(limit):
        if done():
            return
        await settle(pilot)
    raise AssertionError(f"{what} never happened")
