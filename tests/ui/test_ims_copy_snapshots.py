"""SVG snapshots at 80x24 of IMS's copy form (in this region, and to another region with an ISO image's refusal)
and of the quota panel."""

from __future__ import annotations

from typing import Any

from .helpers import settle
from .test_ims_copy import Clock, ims_app, on_row, open_copy, to_another_region


async def _copy_form(pilot: Any) -> None:
    await settle(pilot)
    await on_row(pilot, iso=False)
    await open_copy(pilot)


async def _iso_to_another_region(pilot: Any) -> None:
    await settle(pilot)
    await on_row(pilot, iso=True)
    await open_copy(pilot)
    await to_another_region(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def _quota(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("Q")
    await settle(pilot)
    await settle(pilot)


def test_copy_form(snap_compare: Any) -> None:
    app, _ = ims_app(Clock())
    assert snap_compare(app, terminal_size=(80, 24), run_before=_copy_form)


def test_copy_form_iso_to_another_region(snap_compare: Any) -> None:
    app, _ = ims_app(Clock())
    assert snap_compare(app, terminal_size=(80, 24), run_before=_iso_to_another_region)


def test_quota_panel(snap_compare: Any) -> None:
    app, _ = ims_app(Clock())
    assert snap_compare(app, terminal_size=(80, 24), run_before=_quota)
