"""SVG snapshots of the main screens at 80x24 and 120x40: seeded demo data, a frozen clock, no blinking cursor."""

from __future__ import annotations

from typing import Any

import pytest

from ims_tui.ui.screens.main import MainScreen

from .helpers import BrokenEntries, FailingConnectSession, FlakyTransport, make_app, settle

SIZES = [(80, 24), (120, 40)]


async def _ready(pilot: Any) -> None:
    await settle(pilot)
    screen = pilot.app.screen
    if isinstance(screen, MainScreen):
        screen.flush_detail()
    await settle(pilot)


def _keys_then_settle(*keys: str) -> Any:
    async def run_before(pilot: Any) -> None:
        await _ready(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await _ready(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = make_app()
    assert snap_compare(app, terminal_size=size, run_before=_ready)


def test_detail_pane_wide(snap_compare: Any) -> None:
    app, _ = make_app()
    assert snap_compare(app, terminal_size=(120, 40), run_before=_keys_then_settle("j", "j"))


def test_narrow_full_screen_detail(snap_compare: Any) -> None:
    app, _ = make_app()
    assert snap_compare(app, terminal_size=(80, 24), run_before=_keys_then_settle("enter"))


@pytest.mark.parametrize("size", SIZES)
def test_filter_panel(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = make_app()
    assert snap_compare(app, terminal_size=size, run_before=_keys_then_settle("f"))


@pytest.mark.parametrize("size", SIZES)
def test_api_error(snap_compare: Any, size: tuple[int, int]) -> None:
    def wrap(inner: Any) -> FlakyTransport:
        transport = FlakyTransport(inner, mode="html500", match="list")
        transport.failing = True
        return transport

    app, _ = make_app(wrap=wrap)
    assert snap_compare(app, terminal_size=size, run_before=_ready)


def test_connect_error(snap_compare: Any) -> None:
    app, _ = make_app(session_wrap=FailingConnectSession)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_ready)


@pytest.mark.parametrize("size", SIZES)
def test_empty_result(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = make_app(empty=True)
    assert snap_compare(app, terminal_size=size, run_before=_ready)


@pytest.mark.parametrize("size", SIZES)
def test_read_only(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = make_app(read_only=True, insecure=True)
    assert snap_compare(app, terminal_size=size, run_before=_ready)


def test_hostile_names_literal(snap_compare: Any) -> None:
    # The demo seeds markup, escape codes, CJK, emoji and control characters into the first rows' names.
    app, _ = make_app()
    # The cursor rests on the row whose name holds an ANSI escape, so the detail pane shows it literally too.
    assert snap_compare(app, terminal_size=(120, 40), run_before=_keys_then_settle(*["j"] * 13))


@pytest.mark.parametrize("size", SIZES)
def test_raw_view_with_search(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = make_app()
    keys = ("y", "slash", "o", "s", "_", "enter", "n")
    assert snap_compare(app, terminal_size=size, run_before=_keys_then_settle(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = make_app()
    assert snap_compare(app, terminal_size=size, run_before=_keys_then_settle("question_mark"))


def test_sorted_by_name(snap_compare: Any) -> None:
    app, _ = make_app()
    assert snap_compare(app, terminal_size=(140, 30), run_before=_keys_then_settle("s", "s"))


# 16 colours and none: what an operator sees in a bare xterm, a Windows console, or with NO_COLOR set.
@pytest.mark.parametrize("keys", [(), ("f",), ("enter",)], ids=["main", "filter", "detail"])
def test_ansi_theme(snap_compare: Any, keys: tuple[str, ...]) -> None:
    app, _ = make_app(theme="ansi-dark", read_only=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_keys_then_settle(*keys))


@pytest.mark.parametrize("keys", [(), ("enter",)], ids=["main", "detail"])
def test_no_color(snap_compare: Any, keys: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app, _ = make_app(read_only=True)
    assert app.no_color and app.theme == "ims-monochrome"
    assert snap_compare(app, terminal_size=(80, 24), run_before=_keys_then_settle(*keys))


def test_no_color_error_reads_without_colour(snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    def wrap(inner: Any) -> FlakyTransport:
        transport = FlakyTransport(inner, mode="html500", match="list")
        transport.failing = True
        return transport

    app, _ = make_app(wrap=wrap)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_ready)


def _failing(match: str) -> Any:
    def wrap(inner: Any) -> FlakyTransport:
        transport = FlakyTransport(inner, mode="html500", match=match)
        transport.failing = True
        return transport

    return wrap


def test_last_error_in_full(snap_compare: Any) -> None:
    app, _ = make_app(wrap=_failing("list"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_keys_then_settle("E"))


def test_later_page_error(snap_compare: Any) -> None:
    # The rows stay; the status line keeps the status and the hint at 80 columns.
    app, _ = make_app(page_size=50, wrap=_failing("list-next"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_keys_then_settle("G"))


def test_full_screen_detail_error(snap_compare: Any) -> None:
    app, _ = make_app(wrap=_failing("/v2/images/"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_keys_then_settle("enter"))


@pytest.mark.parametrize("keys", [(), ("j", "j", "enter")], ids=["list", "detail"])
def test_bad_rows(snap_compare: Any, keys: tuple[str, ...]) -> None:
    app, _ = make_app(count=40, wrap=BrokenEntries)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_keys_then_settle(*keys))
