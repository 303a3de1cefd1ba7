"""Faults on delete (d, confirm), against the real Glance behind the proxy.

The fault is on the DELETE only (the dialog's look at the image and the check after a lost answer go through).
Each case checks: the DELETE was sent once and never again unasked, the dialog says what is true ("deleted" only
when the image is gone, "not deleted" only when it is surely still there), the list drops the row exactly when the
server has no image, the error is readable at 80 columns, the app answers a key, and once the fault is gone the
same key deletes it.

Glance answers a DELETE with 204 and no body: a reset, a cut or a rewrite after that head spoils nothing (the
answer is complete), so those three are plain successes, or a lost answer the dialog settles as "deleted".
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Button, Static

from ims_tui.api import ImageClient, NotFound
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.delete import DeleteImageScreen
from ims_tui.ui.screens.main import MainScreen
from tools.fault_proxy import FaultProxy

from .conftest import (
    APPLIED,
    UNSURE,
    Case,
    Target,
    fault_params,
    faulty_app,
    list_loaded,
    main_screen,
    sent,
    shows,
    wait_until,
)

pytestmark = pytest.mark.glance
SURELY_NOT = r"\bnot deleted\b(?! yet| so far)"
# A middlebox's 200 (an HTML page) for a DELETE that never reached Glance, which answers 204.
NOT_YET = r"\bnot deleted yet\b"


def dialog(app: ImsApp) -> DeleteImageScreen:
    screen = app.screen
    assert isinstance(screen, DeleteImageScreen), screen
    return screen


def error_shown(app: ImsApp) -> bool:
    screen = app.screen
    return isinstance(screen, DeleteImageScreen) and screen.query_one("#delete-error", Static).has_class("-shown")


async def confirm(pilot: Any) -> bool:
    """y, once the dialog may delete; True when the dialog closed (the app says the image is gone)."""
    app = pilot.app
    await wait_until(pilot, lambda: not dialog(app).confirm_button.disabled, "Delete enabled")
    await pilot.press("y")
    await wait_until(pilot, lambda: isinstance(app.screen, MainScreen) or error_shown(app), "the delete's outcome")
    return isinstance(app.screen, MainScreen)


async def exists(truth: ImageClient, image_id: str) -> bool:
    try:
        await truth.get(image_id)
    except NotFound:
        return False
    return True


def listed(app: ImsApp, image_id: str) -> bool:
    return any(row.id == image_id for row in main_screen(app).table.rows)


async def tab_and_back(pilot: Any, start: Button) -> None:
    """A key is answered: Tab moves to the other button, Shift+Tab back (a modal dialog has no help key)."""
    screen = pilot.app.screen
    await pilot.press("tab")
    await wait_until(pilot, lambda: screen.focused is not start, "Tab moving the focus")
    await pilot.press("shift+tab")
    await wait_until(pilot, lambda: screen.focused is start, "Shift+Tab moving it back")


@pytest.mark.parametrize("case", fault_params())
async def test_delete(proxy: FaultProxy, truth: ImageClient, target: Target, case: Case) -> None:
    proxy.inject(case.make(), method="DELETE", path=f"/v2/images/{target.id}", times=None)
    app = faulty_app(proxy)
    async with app.run_test(size=(80, 24)) as pilot:
        await list_loaded(pilot)
        assert main_screen(app).table.current is not None and main_screen(app).table.current.id == target.id
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DeleteImageScreen), "the dialog")
        done = await confirm(pilot)
        assert len(sent(proxy, "DELETE")) == 1  # never repeated unasked
        assert done == (case.name in APPLIED)  # the dialog closes exactly when Glance deleted it
        assert await exists(truth, target.id) != done
        if not done:
            assert shows(app, case.sign), f"{case} not readable at 80 columns"
            assert shows(app, NOT_YET if case.name in UNSURE else SURELY_NOT, columns=200)
            cancel = dialog(app).query_one("#delete-cancel", Button)
            assert dialog(app).focused is cancel  # Enter deletes nothing
            await tab_and_back(pilot, cancel)
            proxy.clear()
            assert await confirm(pilot), "y after the fault is gone must delete it"
            assert len(sent(proxy, "DELETE")) == 2
        assert not await exists(truth, target.id)
        assert not listed(app, target.id)  # the list drops it: the server has no such image
        assert main_screen(app).table.row_count > 0  # and keeps the others
