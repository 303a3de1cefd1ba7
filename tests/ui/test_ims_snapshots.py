"""SVG snapshots of IMS mode: the filter panel's IMS group, and the main screen filtered to gold images."""

from __future__ import annotations

from typing import Any

import pytest

from ims_tui.ui.screens.main import MainScreen

from .helpers import settle
from .test_ims_mode import focus_by_keys, make_ims_app


async def _ready(pilot: Any) -> None:
    await settle(pilot)
    screen = pilot.app.screen
    if isinstance(screen, MainScreen):
        screen.flush_detail()
    await settle(pilot)


async def _pick_gold(pilot: Any) -> None:
    """f, walk up to the image type, pick gold: the panel as the user sees it before applying."""
    await _ready(pilot)
    await pilot.press("f")
    await settle(pilot)
    await focus_by_keys(pilot, "f-ims-type")
    await pilot.press("enter", "down", "enter")
    await settle(pilot)


async def _gold_applied(pilot: Any) -> None:
    await _pick_gold(pilot)
    await pilot.press("ctrl+s")
    await _ready(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_ims_filter_panel(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = make_ims_app()
    assert snap_compare(app, terminal_size=size, run_before=_pick_gold)


def test_ims_main_screen_gold(snap_compare: Any) -> None:
    app, _ = make_ims_app()
    assert snap_compare(app, terminal_size=(120, 40), run_before=_gold_applied)


def test_ims_main_screen_wide_columns(snap_compare: Any) -> None:
    # 200 columns leave the list 135 cells beside the detail pane: room for the type and platform columns.
    app, _ = make_ims_app()
    assert snap_compare(app, terminal_size=(200, 40), run_before=_ready)
