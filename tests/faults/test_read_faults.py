"""Faults on the reads of one image: the detail pane (wide), the full-screen detail (80x24) and the raw view.

The list loaded fine; then every GET of the one image meets the fault. The error must be readable at 80 columns
with its status or plain reason (the wide pane's own part of the line included), the app must answer a key, and
once the fault is gone the same key (``r``, or reopening the view) shows the image again.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.screen import Screen

from ims_tui.api.image_rows import ImageRow
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.detail import DetailScreen
from ims_tui.ui.screens.raw import RawScreen
from ims_tui.ui.widgets.status import StatusLine
from tools.fault_proxy import FaultProxy

from .conftest import (
    FAULTS,
    ONE_IMAGE,
    Case,
    assert_responsive,
    faulty_app,
    list_loaded,
    main_screen,
    shows,
    wait_until,
)

pytestmark = pytest.mark.glance


def pane_shows(app: ImsApp, pattern: str) -> bool:
    """Whether the detail pane's own rows show ``pattern`` (the list beside it does not count)."""
    pane = main_screen(app).detail.region
    return shows(app, pattern, start=pane.x, columns=pane.width)


def status_of(app: ImsApp) -> str:
    return str(app.screen.query_one(StatusLine).render())


@pytest.mark.parametrize("case", FAULTS, ids=str)
async def test_detail_pane(proxy: FaultProxy, case: Case) -> None:
    app = faulty_app(proxy)
    async with app.run_test(size=(120, 30)) as pilot:
        await list_loaded(pilot)
        screen = main_screen(app)
        proxy.inject(case.make(), method="GET", path=ONE_IMAGE, times=None)
        await pilot.press("j")
        screen.flush_detail()
        current = screen.table.current
        assert current is not None
        await wait_until(pilot, lambda: pane_shows(app, case.sign), f"{case} in the detail pane")
        assert screen.detail.region.width <= 80  # so the pane's own part of the line is within 80 columns
        assert screen.table.row_count > 1  # a failed read of one image keeps the list
        await assert_responsive(pilot)
        proxy.clear()
        await pilot.press("r")
        await wait_until(pilot, lambda: not screen.pages.reloading, "the list reloaded")
        assert screen.table.current is not None and screen.table.current.id == current.id  # the cursor stays
        screen.flush_detail()
        await wait_until(pilot, lambda: screen.detail.fresh, "the image read again")
        # the id wraps in the pane: its first 20 characters fit on the id's own row
        assert pane_shows(app, rf"\bid\s+{re.escape(current.id[:20])}") and not pane_shows(app, case.sign)


async def fail_then_retry(pilot: Any, proxy: FaultProxy, case: Case, key: str, kind: type[Screen[Any]]) -> ImageRow:
    """Open the view of the highlighted image with ``key`` while its GET meets the fault; the fault must show at 80
    columns and a key be answered; then, the fault gone, press ``r``. Gives the row the view is about."""
    app = pilot.app
    await list_loaded(pilot)
    current = main_screen(app).table.current
    assert current is not None
    proxy.inject(case.make(), method="GET", path=ONE_IMAGE, times=None)
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, kind), f"{kind.__name__} opening on {key}")
    await wait_until(pilot, lambda: shows(app, case.sign), f"{case} in {kind.__name__}")
    if app.screen.query(StatusLine):  # the detail screen's status line leads with it too
        assert re.search(case.sign, status_of(app)[:80], re.IGNORECASE)
    await assert_responsive(pilot)
    proxy.clear()
    await pilot.press("r")
    return current


@pytest.mark.parametrize("case", FAULTS, ids=str)
async def test_full_screen_detail(proxy: FaultProxy, case: Case) -> None:
    app = faulty_app(proxy)
    async with app.run_test(size=(80, 24)) as pilot:
        current = await fail_then_retry(pilot, proxy, case, "enter", DetailScreen)
        await wait_until(pilot, lambda: "fresh from the server" in status_of(app), "the detail after r")
        assert not shows(app, case.sign) and shows(app, re.escape(current.name or ""))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, DetailScreen), "back to the list")
        assert main_screen(app).table.current is not None  # the image is still listed


@pytest.mark.parametrize("case", FAULTS, ids=str)
async def test_raw_view(proxy: FaultProxy, case: Case) -> None:
    app = faulty_app(proxy)
    async with app.run_test(size=(80, 24)) as pilot:
        current = await fail_then_retry(pilot, proxy, case, "y", RawScreen)
        said_id = rf'"id": "{re.escape(current.id)}"'
        await wait_until(pilot, lambda: shows(app, said_id), "the raw JSON after r")
        assert not shows(app, case.sign)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RawScreen), "back to the list")
        await pilot.press("y")  # reopening reads it again, as fine
        await wait_until(pilot, lambda: isinstance(app.screen, RawScreen) and shows(app, said_id), "the raw reopened")
