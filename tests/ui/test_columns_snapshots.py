"""SVG snapshots at 80x24 of chosen columns: custom property columns in the list, and the column picker open."""

from __future__ import annotations

from typing import Any

from .helpers import main_screen, make_app, settle


def _chosen_then(*keys: str) -> Any:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        main_screen(pilot.app).apply_columns(["name", "os_distro", "hw_firmware_type", "size", "status"])
        await settle(pilot)
        pilot.app.clear_notifications()  # "reloading the list ...": the tests of test_columns.py read it
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def test_custom_property_columns(snap_compare: Any) -> None:
    # 80 columns: status, last in the order, gives way so the name keeps its 34 cells
    app, _ = make_app()
    assert snap_compare(app, terminal_size=(80, 24), run_before=_chosen_then())


def test_column_picker_open(snap_compare: Any) -> None:
    app, _ = make_app()
    assert snap_compare(app, terminal_size=(80, 24), run_before=_chosen_then("C", "down", "space"))
