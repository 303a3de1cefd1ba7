"""SVG snapshots at 80x24 of the members panel (members with their answers and dates, the per-project results of
an add) and of the list of images shared with this project."""

from __future__ import annotations

from typing import Any

from .helpers import settle
from .test_sharing import panel_on_a_new_image, sharing_app


def test_members_panel(snap_compare: Any) -> None:
    app, _ = sharing_app(empty=True)

    async def added(pilot: Any) -> None:
        panel = await panel_on_a_new_image(pilot, app, "shared", "4f9a1c2e7b3d4e5f8a6b9c0d1e2f3a4b")
        await pilot.press("a", *"proj-web, proj-db bad/id", "enter")
        for _ in range(10):
            await settle(pilot)
            if not panel.busy and len(panel.members) == 3:
                break
        await pilot.press("escape")  # back onto the list of members
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=added)


def test_shared_with_this_project_pending(snap_compare: Any) -> None:
    app, _ = sharing_app()

    async def shared(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=shared)
