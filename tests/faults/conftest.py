"""The fault suite: the whole app, driven by keys, against a real Glance behind tools/fault_proxy.py.

One Glance of its own (so the suite knows every image on it), a proxy in front of it that each test switches per
request, and a client of the test's own that goes around the proxy to read what the server really holds.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from ims_tui.api import ImageClient, NotFound
from ims_tui.api.models import Image, ListQuery
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
    Request,
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


@dataclass(frozen=True)
class Target:
    """An image of the test's own, made around the proxy, so the test knows its exact state."""

    id: str
    name: str


async def every_image(truth: ImageClient) -> list[Image]:
    """Every image the server holds (the suite's Glance has a few dozen at most)."""
    page = await truth.list_page(ListQuery(limit=100))
    assert page.next is None, "more images than the fault suite ever makes"
    return page.images


@pytest.fixture
async def clean(truth: ImageClient, seeded_images: list[str]) -> AsyncIterator[None]:
    """After a write test, every image but the seeded ones is deleted, whatever the test left: the list tests
    count what is listed."""
    yield
    await delete_all_but(truth, seeded_images)


@pytest.fixture
async def target(truth: ImageClient, clean: None) -> Target:
    """A fresh image for a write test: the newest, so the list's first row."""
    name = fresh_name("target")
    image = await truth.create({"name": name, "disk_format": "raw", "container_format": "bare", "tags": ["t0"]})
    return Target(image.id, name)


async def delete_all_but(truth: ImageClient, keep: list[str]) -> None:
    for image in await every_image(truth):
        if image.id not in keep:
            with contextlib.suppress(NotFound):
                await truth.delete(image.id)


def sent(proxy: FaultProxy, method: str) -> list[Request]:
    """The requests of ``method`` the proxy saw: a write whose answer was lost must not be sent again unasked."""
    return proxy.requests(method, "/v2/images")


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
# Faults the proxy meets after forwarding the request: Glance has applied a write, only its answer is spoiled.
# Every other fault answers for the server (or cuts the line first): the write never reached Glance.
APPLIED = frozenset({"reset-mid-answer", "truncated-body", "wrong-types"})
# A timeout: the check afterwards finds nothing applied, but a server may still be working on it, so the app must
# not call it surely "not saved" (the proxy never forwards a hung request: here it truly never arrives).
UNSURE = frozenset({"hang"})
ONE_IMAGE = re.compile(r"^/v2/images/[0-9a-f-]{36}$")


def fault_params(known_bugs: dict[str, str] | None = None) -> list[Any]:
    """FAULTS as pytest params; a case named in ``known_bugs`` is a strict xfail with that bug as its reason."""
    bugs = known_bugs or {}
    return [
        pytest.param(case, id=case.name, marks=[pytest.mark.xfail(strict=True, reason=bugs[case.name])])
        if case.name in bugs
        else pytest.param(case, id=case.name)
        for case in FAULTS
    ]


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


def shows(app: ImsApp, sign: str, start: int = 0, columns: int = 80) -> bool:
    """Whether some screen row shows ``sign`` within ``columns`` cells from column ``start`` (a pane's own part)."""
    pattern = re.compile(sign, re.IGNORECASE)
    return any(pattern.search(line[start : start + columns]) for line in visible_lines(app))


async def list_loaded(pilot: Any) -> None:
    table = main_screen(pilot.app).table
    await wait_until(pilot, lambda: table.row_count > 0 and table.current is not None, "the first page listed")


async def assert_responsive(pilot: Any, key: str = "question_mark") -> None:
    """A key is answered: help opens and closes again (F1 where ? would be typed into a field)."""
    app = pilot.app
    before = app.screen
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help opening on ?")
    await pilot.press("escape")
    await wait_until(pilot, lambda: app.screen is before, "help closing on Esc")


def fresh_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
