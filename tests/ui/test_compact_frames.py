"""Real frames of the app, compacted as the terminal gets them: the same screen, cell for cell, in fewer bytes.

The oracle is pyte, an independent VT emulator (see tests/unit/test_compact_output.py for the rules one by one).
"""

from __future__ import annotations

import pyte
import pytest

from ims_tui.ui.app import ImsApp
from ims_tui.ui.compact_output import SgrCompactor
from tests.ui.helpers import make_app, settle

SIZE = (80, 24)


def frame(app: ImsApp) -> str:
    """Everything on screen now, as Textual writes a full repaint."""
    update = app.screen._compositor.render_update(full=True)
    return update.render_segments(app.console)


def picture(*chunks: str) -> tuple[object, ...]:
    screen = pyte.Screen(*SIZE)
    stream = pyte.Stream(screen)
    for chunk in chunks:
        stream.feed(chunk)
    rows = tuple(tuple(screen.buffer[y][x] for x in range(SIZE[0])) for y in range(SIZE[1]))
    return rows, (screen.cursor.x, screen.cursor.y), screen.cursor.attrs


@pytest.mark.parametrize("no_color", [False, True], ids=["default", "NO_COLOR"])
async def test_the_list_scrolled_by_a_held_key_looks_the_same_and_costs_less(
    no_color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app, _cloud = make_app(count=300)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        frames = [frame(app)]
        await pilot.press(*["j"] * 30)  # past the bottom of the screen: every row has moved up
        await settle(pilot)
        frames.append(frame(app))
    compactor = SgrCompactor()
    compacted = [compactor.feed(raw) for raw in frames]
    assert picture(*compacted) == picture(*frames)
    assert picture(*compacted[:1]) == picture(*frames[:1])
    assert sum(map(len, compacted)) < 0.8 * sum(map(len, frames))


def test_the_app_writes_through_the_compactor() -> None:
    app, _cloud = make_app(count=10)
    driver = app.get_driver_class()
    assert "write" in vars(driver) and driver.__name__.startswith("Compact")
