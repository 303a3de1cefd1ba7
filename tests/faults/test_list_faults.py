"""Faults on the list: the first page and a later page, each fault of the suite, against the real Glance.

Every case checks what a user sees: the app answers a key, the error is readable at 80 columns with its status
or its plain reason, the rows already shown stay, and ``r`` recovers once the fault is gone.
"""

from __future__ import annotations

import re

import pytest

from tools.fault_proxy import FaultProxy

from .conftest import FAULTS, IMAGES, Case, assert_responsive, faulty_app, main_screen, readable, wait_until

pytestmark = pytest.mark.glance
LATER_PAGES = re.compile(r"^/v2/images\?.*marker=")


@pytest.mark.parametrize("case", FAULTS, ids=str)
async def test_first_page(proxy: FaultProxy, case: Case) -> None:
    proxy.inject(case.make(), method="GET", path="/v2/images?", times=None)
    app = faulty_app(proxy)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: readable(app, case.sign) is not None, f"{case} shown at 80 columns")
        await assert_responsive(pilot)
        proxy.clear()
        await pilot.press("r")
        table = main_screen(app).table
        await wait_until(pilot, lambda: table.row_count == IMAGES, "every image listed after r")


@pytest.mark.parametrize("case", FAULTS, ids=str)
async def test_later_page(proxy: FaultProxy, case: Case) -> None:
    proxy.inject(case.make(), method="GET", path=LATER_PAGES, times=None)
    app = faulty_app(proxy)
    async with app.run_test(size=(80, 24)) as pilot:
        table = main_screen(app).table
        await wait_until(pilot, lambda: readable(app, case.sign) is not None, f"{case} shown at 80 columns")
        assert table.row_count == 5  # the first page stays on screen
        await assert_responsive(pilot)
        proxy.clear()
        await pilot.press("r")
        await wait_until(pilot, lambda: table.row_count == IMAGES, "every image listed after r")
