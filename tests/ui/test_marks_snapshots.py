"""SVG snapshots of a list with marks at 80x24, in the default theme, 16 colours (``--ansi``) and NO_COLOR: a marked
row reads by its "*" without colour, beside a bad row's "!", and the status line counts the marks."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import BrokenEntries, make_app, settle

# Rows 0 and 1 (1 is broken but has an id) and 3 and 4 marked; row 2 has no id and keeps its "!".
KEYS = ("space", "space", "j", "space", "space")


async def _marked(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press(*KEYS)
    await settle(pilot)


@pytest.mark.parametrize("theme", [None, "ansi-dark"], ids=["default", "ansi"])
def test_marked_rows(snap_compare: Any, theme: str | None) -> None:
    app, _ = make_app(count=40, wrap=BrokenEntries, theme=theme)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_marked)


def test_marked_rows_no_color(snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app, _ = make_app(count=40, wrap=BrokenEntries)
    assert app.no_color
    assert snap_compare(app, terminal_size=(80, 24), run_before=_marked)
