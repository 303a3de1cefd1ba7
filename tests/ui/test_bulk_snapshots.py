"""SVG snapshots of a bulk action at 80x24: the plan (requests, ops, left out), the progress while requests are in
flight, and the results with a failure (status, reason, request id) and the retry offered."""

from __future__ import annotations

from typing import Any

from .helpers import make_app, settle
from .test_bulk import FailPatchOf, Gate, app_behind, paused_until

MARK_FOUR = ("space", "space", "space", "space")


async def _tag_plan(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press(*MARK_FOUR, "b", "down", "down", "down", "enter")
    await settle(pilot)
    await pilot.press(*"backup", "enter")  # the second image carries it already: left out
    await settle(pilot)


def test_bulk_plan(snap_compare: Any) -> None:
    app, _ = make_app(count=30)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_tag_plan)


def test_bulk_progress(snap_compare: Any) -> None:
    app, _, gate = app_behind(Gate)

    async def running(pilot: Any) -> None:
        await _tag_plan(pilot)
        await pilot.press("y")
        await paused_until(pilot, lambda: gate.waiting == 2, "both requests in flight")

    assert snap_compare(app, terminal_size=(80, 24), run_before=running)


def test_bulk_results(snap_compare: Any) -> None:
    app, _, flaky = app_behind(FailPatchOf)

    async def finished(pilot: Any) -> None:
        await settle(pilot)
        flaky.failing = {pilot.app.screen.table.rows[2].id}
        await _tag_plan(pilot)
        await pilot.press("y")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=finished)
