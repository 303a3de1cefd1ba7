"""--filter EXPR: refused with the column and the fix before anything starts, else the first list carries it."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from textual.widgets import Static

from ims_tui import cli
from ims_tui.api.filter_text import parse
from ims_tui.api.session import SessionInfo, StaticSession
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.filter import FilterScreen

from .helpers import frozen_now, list_requests, main_screen, settle, status_text


@pytest.mark.parametrize("words", [["--demo"], ["pick", "--demo"]])
def test_a_bad_filter_exits_2_with_the_column_and_the_fix(words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*words, "--filter", "size>10Q"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        'ims-tui: bad --filter at column 6: "10Q" is not a size (use 10G, 512M, 1T or bytes)',
        "  size>10Q",
        "       ^^^",
    ]


def test_several_filter_flags_are_one_expression(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.filter_query(["status=active", "tag=a tag=b"]) == parse("status=active tag=a tag=b")
    assert cli.filter_query(None) is None
    assert cli.main(["--demo", "--filter", "status=active", "--filter", "created>yesterday"]) == 2
    assert 'column 23: "yesterday" is not a date' in capsys.readouterr().err


def started_with(expression: str) -> tuple[ImsApp, DemoCloud]:
    """The app as ``ims-tui --filter EXPRESSION`` builds it, on a demo cloud that records its requests."""
    cloud = DemoCloud(image_count=300, latency=0.0, seed=42, clock=frozen_now)
    info = SessionInfo(cloud="demo", region="eu-de", project="demo", user="operator")
    session = StaticSession(info, DEMO_ENDPOINT, transport=cloud.transport)
    return ImsApp(session, now=frozen_now, query=cli.filter_query([expression])), cloud


async def test_the_first_list_request_carries_the_filter() -> None:
    app, cloud = started_with("status=active,queued size>1M created>2020-01-01")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = parse_qs(urlsplit(list_requests(cloud)[0]).query)
        assert first["status"] == ["in:active,queued"] and first["size_min"] == [str(1024**2 + 1)]
        assert first["created_at"] == ["gt:2020-01-01T00:00:00Z"] and first["sort_key"] == ["created_at"]
        assert main_screen(app).table.rows and "status=active,queued" in status_text(app)


async def open_panel(pilot: Any) -> Static:
    """Press f once the list is in; the panel's text line."""
    await settle(pilot)
    await pilot.press("f")
    await pilot.pause()
    return pilot.app.screen.query_one("#filter-text", Static)


async def test_the_filter_panel_shows_the_filter_as_text_and_copies_it() -> None:
    app, _ = started_with('status=active size>1G os_distro="my os"')
    async with app.run_test(size=(80, 24)) as pilot:
        line = await open_panel(pilot)
        assert str(line.render()) == 'as text: status=active size>1G os_distro="my os"  (ctrl+y copies)'
        await pilot.press(*"ubu")  # the name field has the focus
        await pilot.pause()
        assert str(line.render()).startswith("as text: name=ubu status=active")
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert app._clipboard == 'name=ubu status=active size>1G os_distro="my os"'
        assert isinstance(app.screen, FilterScreen)


async def test_hostile_text_in_a_filter_is_shown_escaped() -> None:
    app, _ = started_with('note="\x1b[31mred\u202e"')
    async with app.run_test(size=(80, 24)) as pilot:
        shown = str((await open_panel(pilot)).render())
        assert "\x1b" not in shown and "\u202e" not in shown and "red" in shown
