"""A journey on ``--demo ims``: the list filtered by IMS's own filters, picked in the filter panel and given as
``--filter``; the rows are the ones the simulator's cloudimages list names, and the request log shows the query
that was sent. Real key presses, at 80x24."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from ims_tui import cli
from ims_tui.demo.ims_cloud import ImsCloud
from ims_tui.ui.screens.filter import FilterScreen

from .helpers import main_screen, screen_text, settle, status_text, until
from .test_filter_start import open_panel
from .test_ims_demo_fixes import ims_demo
from .test_ims_mode import focus_by_keys


def cloudimages_queries(cloud: ImsCloud) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(path).query) for method, path in cloud.request_log if "/v2/cloudimages" in path]


def listed_ids(app: Any) -> set[str]:
    return {row.id for row in main_screen(app).table.rows}


def simulator_ids(cloud: ImsCloud, **wanted: str) -> set[str]:
    """The simulator's own records with every ``wanted`` value (private ones: the caller's, so all listable)."""
    return {
        image["id"]
        for image in cloud.images.values()
        if image["status"] not in ("deleted", "killed")
        and all(str(image.get(key, "")) == value for key, value in wanted.items())
    }


async def test_ims_filters_from_the_panel_narrow_the_list_as_the_simulator_does() -> None:
    app, cloud = ims_demo()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_panel(pilot)
        assert isinstance(app.screen, FilterScreen)
        await focus_by_keys(pilot, "f-ims-type")
        await pilot.press("enter", "down", "down", "enter")  # (any) -> gold -> private
        await focus_by_keys(pilot, "f-ims-env", key="tab")
        await pilot.press("enter", "down", "enter")  # (any) -> FusionCompute
        await focus_by_keys(pilot, "f-ims-supports", key="tab")
        await pilot.press("space")  # kvm
        await settle(pilot)
        assert "as text: __imagetype=private virtual_env_type=FusionCompute __support_k" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        sent = cloudimages_queries(cloud)[-1]
        assert sent["__imagetype"] == ["private"] and sent["virtual_env_type"] == ["FusionCompute"]
        assert sent["__support_kvm"] == ["true"]
        rows = listed_ids(app)
        want = simulator_ids(cloud, __imagetype="private", virtual_env_type="FusionCompute", __support_kvm="true")
        assert rows == want and 0 < len(rows) < len(simulator_ids(cloud)) / 4
        assert "__imagetype=private" in status_text(app)

        await pilot.press("L", "slash", *"cloudimages", "enter")  # the request log, narrowed to the native list
        await until(pilot, lambda: "/v2/cloudim" in screen_text(app), "the native list's requests in the log")
        await pilot.press("enter")  # the newest in full: the query as it went out
        await settle(pilot)
        shown = "".join(line.strip() for line in screen_text(app).splitlines())
        assert "/v2/cloudimages?" in shown and "__imagetype=private" in shown and "__support_kvm=true" in shown


async def test_ims_filters_given_as_filter_reach_cloudimages() -> None:
    app, cloud = ims_demo(query=cli.filter_query(["__os_type=Windows architecture=x86", "created>=2026-01-01"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        [first, *_] = cloudimages_queries(cloud)
        assert first["__os_type"] == ["Windows"] and first["architecture"] == ["x86"]
        assert first["created_at"] == ["gte:2026-01-01T00:00:00Z"]
        rows = main_screen(app).table.rows
        assert rows and all(cloud.images[row.id]["__os_type"] == "Windows" for row in rows)
        assert all(cloud.images[row.id]["architecture"] == "x86_64" for row in rows)
        await pilot.press("f")
        await settle(pilot)
        panel = app.screen
        assert isinstance(panel, FilterScreen)
        assert panel.query_one("#f-ims-os-type").value == "Windows"
        assert panel.query_one("#f-ims-arch").value == "x86"
