"""The fault suite: the whole app, driven by keys, against a real Glance behind tools/fault_proxy.py.

One Glance of its own (so the suite knows every image on it), a proxy in front of it that each test switches per
request, and a client of the test's own that goes around the proxy to read what the server really holds.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from ims_tui.api import ImageClient
from ims_tui.api.session import SessionInfo, StaticSession
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.help import HelpScreen
from ims_tui.ui.screens.main import MainScreen
from ims_tui.ui.widgets.status import StatusLine
from tests.conftest import LabSession
from tests.ui.helpers import screen_text, settle
from tools.fault_proxy import (
    Fault,
    FaultProxy,
    glance_error,
    hang,
    html_page,
    non_json,
    reset_before,
    reset_mid,
    rewrite_json,
    truncated,
)
from tools.openstack_lab import GlanceServer

IMAGES = 12  # more than one page of PAGE, fewer than a screen's rows would need to load them all at once
PAGE = 5
TIMEOUT = 1.0  # the client's timeout in this suite: a hang must outlast it, and the suite must not wait long


@pytest.fixture(scope="session")
def glance_faults(openstack_lab: LabSession) -> str:
    """A Glance (noauth) that only this suite uses: every image on it is one the suite made."""
    return openstack_lab.require("glance-faults", GlanceServer(mode="noauth").start).url


@pytest.fixture(scope="session")
def seeded_images(glance_faults: str) -> list[str]:
    """IMAGES images, made once for the session through a plain client; tests that delete make their own."""
    ids = []
    with httpx.Client(base_url=glance_faults, timeout=30) as http:
        for index in range(IMAGES):
            body = {"name": f"fault-{index:02d}", "disk_format": "raw", "container_format": "bare", "tags": ["seed"]}
            answer = http.post("/v2/images", json=body)
            answer.raise_for_status()
            ids.append(answer.json()["id"])
    return ids


@pytest.fixture
def proxy(glance_faults: str, seeded_images: list[str]) -> Iterator[FaultProxy]:
    with FaultProxy(glance_faults) as running:
        yield running


@pytest.fixture
async def truth(glance_faults: str) -> AsyncIterator[ImageClient]:
    """What the server holds, read around the proxy."""
    async with ImageClient(glance_faults) as client:
        yield client


def faulty_app(proxy: FaultProxy, *, page_size: int = PAGE) -> ImsApp:
    info = SessionInfo(cloud="faults", project="admin", user="operator")
    session = StaticSession(info, proxy.url, timeout=httpx.Timeout(TIMEOUT), page_size=page_size)
    return ImsApp(session, page_size=page_size)


@dataclass(frozen=True)
class Case:
    """One fault, and what must be readable on screen once the app meets it."""

    name: str
    make: Callable[[], Fault]
    sign: str  # a pattern the error must show within the first 80 columns of its line

    def __str__(self) -> str:
        return self.name


def _break_image(data: Any) -> None:
    target = data["images"][0] if isinstance(data, dict) and "images" in data else data
    target["virtual_size"] = "null"
    target["size"] = "big"


def _lose_images(data: Any) -> Any:
    return {"images": "not a list", "first": "/v2/images"} if "images" in data else ["not", "an", "image"]


FAULTS = [
    Case("glance-500", lambda: glance_error(500, "Internal Server Error while talking to the database"), r"\b500\b"),
    Case("html-502", lambda: html_page(502, "502 Bad Gateway"), r"\b502\b"),
    Case("html-503", lambda: html_page(503, "503 Service Unavailable", "The service is down for maintenance"), r"503"),
    Case("unauthorized-401", lambda: glance_error(401, "The request you have made requires authentication."), "401"),
    Case("reset-before", reset_before, r"dropped|closed|reset"),
    Case("reset-mid-answer", reset_mid, r"dropped|closed|reset|cut off"),
    Case("truncated-body", truncated, r"cut off|incomplete|dropped"),
    Case("non-json-200", non_json, r"not JSON|HTML"),
    Case("wrong-types", lambda: rewrite_json(_lose_images), r"malformed|answer has no|not a list|expected"),
    Case("hang", lambda: hang(30), r"timed out|time ?out|no answer"),
]
FAULT_IDS = [case.name for case in FAULTS]


def main_screen(app: ImsApp) -> MainScreen:
    for screen in app.screen_stack:
        if isinstance(screen, MainScreen):
            return screen
    raise AssertionError(f"no main screen in {app.screen_stack}")


def status_text(app: ImsApp) -> str:
    return str(main_screen(app).query_one(StatusLine).render())


async def wait_until(pilot: Any, done: Callable[[], bool], what: str, limit: int = 80) -> None:
    """Let workers run until ``done()`` holds (the server and the proxy answer in their own time; never sleep)."""
    for _ in range(limit):
        if done():
            return
        await settle(pilot)
    raise AssertionError(f"{what} never happened; screen:\n{screen_text(pilot.app)}")


def visible_lines(app: ImsApp) -> list[str]:
    """What an 80x24 terminal shows, one string per row."""
    return screen_text(app).splitlines()


def readable(app: ImsApp, sign: str) -> str | None:
    """The first screen row whose first 80 columns show the fault's sign, if any."""
    pattern = re.compile(sign, re.IGNORECASE)
    return next((line for line in visible_lines(app) if pattern.search(line[:80])), None)


async def assert_responsive(pilot: Any) -> None:
    """A key is answered: help opens and closes again."""
    app = pilot.app
    before = app.screen
    await pilot.press("question_mark")
    await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help opening on ?")
    await pilot.press("escape")
    await wait_until(pilot, lambda: app.screen is before, "help closing on Esc")


def fresh_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
