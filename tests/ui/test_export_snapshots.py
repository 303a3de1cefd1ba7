"""SVG snapshot of the export dialog at 80x24 over a list with two marked rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .helpers import make_app, settle


async def _export_dialog(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("space", "space", "w")
    await settle(pilot)


def test_export_dialog(snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no images.csv there: the field says "a new file"
    app, _cloud = make_app(count=30)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_export_dialog)
