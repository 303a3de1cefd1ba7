"""The main screen driven by keys against the demo cloud: paging, sort, filters, detail, raw, copy, help, errors."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import httpx
from textual import events
from textual.binding import Binding
from textual.widgets import Input

from ims_tui.api.session import SessionInfo, StaticSession
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.detail import DetailScreen
from ims_tui.ui.screens.filter import FilterScreen
from ims_tui.ui.screens.help import HelpScreen
from ims_tui.ui.screens.main import MainScreen
from ims_tui.ui.screens.raw import RawScreen, RawView
from ims_tui.ui.widgets.detail import DetailPane, DetailView
from ims_tui.ui.widgets.status import HeaderBar

from .helpers import (
    NEEDS_FORMS_BRANCH,
    FailingConnectSession,
    FlakyTransport,
    frozen_now,
    get_requests,
    list_requests,
    main_screen,
    make_app,
    screen_text,
    settle,
    status_text,
)


def params(path: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(path).query)


async def test_opens_with_first_page_and_api_version() -> None:
    app, cloud = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.table.row_count == 200
        assert len(list_requests(cloud)) == 1
        assert "200 loaded, more below" in status_text(app)
        header = str(screen.query_one(HeaderBar).render())
        assert "API v2.17" in header and "demo" in header and "READ-ONLY" not in header
        first = params(list_requests(cloud)[0])
        assert first["limit"] == ["200"] and first["sort_key"] == ["created_at"] and first["sort_dir"] == ["desc"]


async def test_scrolling_loads_pages_one_request_each() -> None:
    app, cloud = make_app(count=2000, page_size=200)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = main_screen(app).table
        for expected_rows in (400, 600):
            await pilot.press("G")
            await settle(pilot)
            assert table.row_count == expected_rows
        # The third page is in; three pages needed three list requests, never a duplicate.
        requests = list_requests(cloud)
        assert len(requests) == 3
        assert len({params(p).get("marker", [""])[0] for p in requests}) == 3
        # Page down all the way through the loaded rows asks for exactly one more page.
        await pilot.press("g")
        for _ in range(30):  # 30 screens of 21 rows: past row 600, short of 800
            await pilot.press("pagedown")
        await settle(pilot)
        assert len(list_requests(cloud)) == 4
        assert table.row_count == 800
        assert "800 loaded, more below" in status_text(app)


async def test_all_loaded_says_so() -> None:
    app, cloud = make_app(count=150, page_size=100)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("G")
        await settle(pilot)
        table = main_screen(app).table
        loaded = table.row_count
        assert 100 < loaded <= 150
        assert f"{loaded} images, all loaded" in status_text(app)
        before = len(list_requests(cloud))
        await pilot.press("G", "k", "G")
        await settle(pilot)
        assert len(list_requests(cloud)) == before


async def test_empty_result_says_so() -> None:
    app, _cloud = make_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "no images" in status_text(app)
        assert main_screen(app).table.row_count == 0


async def test_sort_keys_reload_on_the_server() -> None:
    app, cloud = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # created -> updated
        await settle(pilot)
        assert params(list_requests(cloud)[-1])["sort_key"] == ["updated_at"]
        await pilot.press("s")  # updated -> name (ascending by default)
        await settle(pilot)
        last = params(list_requests(cloud)[-1])
        assert last["sort_key"] == ["name"] and last["sort_dir"] == ["asc"]
        names = [row.name for row in main_screen(app).table.rows if row.name is not None]
        assert names[:50] == sorted(names[:50])
        assert "sort: name ▲" in status_text(app)
        await pilot.press("S")
        await settle(pilot)
        last = params(list_requests(cloud)[-1])
        assert last["sort_key"] == ["name"] and last["sort_dir"] == ["desc"]
        assert "sort: name ▼" in status_text(app)


async def test_sort_keeps_the_highlighted_image() -> None:
    app, _cloud = make_app(count=300, page_size=500)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = main_screen(app).table
        for _ in range(7):
            await pilot.press("j")
        chosen = table.current
        assert chosen is not None
        await pilot.press("S")
        await settle(pilot)
        assert table.current is not None and table.current.id == chosen.id


async def test_server_filter_panel_by_keys() -> None:
    app, cloud = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        await pilot.press("tab", "space")  # status list: select "active"
        await pilot.press("tab", "tab", *"golden", "ctrl+s")  # past visibility, into tags
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        last = params(list_requests(cloud)[-1])
        assert last["status"] == ["active"] and last["tag"] == ["golden"]
        assert last["sort_key"] == ["created_at"]
        rows = main_screen(app).table.rows
        assert rows and all(row.status == "active" for row in rows)
        assert "status=active" in status_text(app) and "tag=golden" in status_text(app)
        # F clears every server filter.
        await pilot.press("F")
        await settle(pilot)
        assert "status" not in params(list_requests(cloud)[-1])


async def test_server_filter_shows_invalid_input_and_esc_cancels() -> None:
    app, cloud = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        requests = len(list_requests(cloud))
        await pilot.press("f")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FilterScreen)
        screen.query_one("#f-size-min", Input).value = "ten gigs"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert "not a size" in str(screen.query_one("#e-size_min").render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert len(list_requests(cloud)) == requests


async def test_quick_filter_on_loaded_rows() -> None:
    app, cloud = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        requests = len(list_requests(cloud))
        table = main_screen(app).table
        await pilot.press("slash", *"rhel")
        await pilot.pause()
        matches = [row for row in table.rows if "rhel" in (row.name or "").lower()]
        assert table.row_count == len(matches) > 0
        assert f"quick filter: 'rhel' ({len(matches)} of 200 loaded rows)" in status_text(app)
        await pilot.press("enter", "G")
        await settle(pilot)
        # A quick filter never pulls more pages from the server.
        assert len(list_requests(cloud)) == requests
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count >= 200 and "quick filter" not in status_text(app)


async def test_detail_pane_shows_the_fresh_get() -> None:
    app, cloud = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        row = screen.table.current
        assert row is not None
        # Rename the image behind the list's back: only a fresh GET can know.
        async with httpx.AsyncClient(transport=cloud.transport, base_url="http://demo") as other:
            response = await other.patch(
                f"/v2/images/{row.id}",
                content=b'[{"op": "replace", "path": "/name", "value": "renamed-elsewhere"}]',
                headers={"Content-Type": "application/openstack-images-v2.1-json-patch"},
            )
            assert response.status_code == 200
        await pilot.press("j", "k")
        screen.flush_detail()
        await settle(pilot)
        detail = screen.query_one(DetailView)
        assert detail.fresh and detail.image_id == row.id
        assert "renamed-elsewhere" in str(detail.rendered)
        # The list row follows the fresh data.
        assert screen.table.current is not None and screen.table.current.name == "renamed-elsewhere"


async def test_holding_j_fires_far_fewer_detail_gets_than_rows() -> None:
    app, cloud = make_app(page_size=500)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.flush_detail()
        await settle(pilot)
        before = len(get_requests(cloud))
        # A held key: 300 key events arrive back to back, as auto-repeat delivers them.
        for _ in range(300):
            app.post_message(events.Key("j", "j"))
        await settle(pilot)
        screen.flush_detail()
        await settle(pilot)
        fired = len(get_requests(cloud)) - before
        assert 1 <= fired < 30
        assert screen.table.cursor == 300
        last = get_requests(cloud)[-1]
        assert screen.table.current is not None and last.endswith(screen.table.current.id)


async def test_narrow_enter_opens_full_screen_detail() -> None:
    app, _cloud = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not main_screen(app).query_one(DetailView).display
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.query_one(DetailView).fresh
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_raw_view_search() -> None:
    app, _cloud = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, RawScreen)
        view = app.screen.query_one(RawView)
        assert view.lines[0] == "{" and any('"id"' in line for line in view.lines)
        await pilot.press("slash", *"os_", "enter")
        await pilot.pause()
        assert len(view.matches) >= 2 and view.current == 0
        await pilot.press("n")
        assert view.current == 1
        await pilot.press("N")
        assert view.current == 0
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_copy_writes_osc52_and_shows_the_id(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("STY", raising=False)
    app, _cloud = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        written: list[str] = []
        monkeypatch.setattr(app._driver, "write", written.append)
        await pilot.press("c")
        await pilot.pause()
        image_id = main_screen(app).table.current.id  # type: ignore[union-attr]
        expected = base64.b64encode(image_id.encode()).decode()
        assert f"\x1b]52;c;{expected}\x07" in written
        assert any(image_id in n.message for n in app._notifications)


async def test_help_lists_effective_bindings_with_keymap() -> None:
    app, _cloud = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.set_keymap({"main.quick_filter": "ctrl+k"})
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        flat = {desc: keys for _title, rows in app.screen.groups for keys, desc, _id in rows}
        ids = {ident for _title, rows in app.screen.groups for _keys, _desc, ident in rows}
        assert {"main.quick_filter", "main.delete", "table.down", "app.quit"} <= ids
        assert flat["Find"] == app.get_key_display(Binding("ctrl+k", "x"))
        assert flat["Reload"].split(" / ")[0] == "r" and "f5" in flat["Reload"]
        assert {"New", "Edit", "Del", "Down", "Quit"} <= set(flat)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        # The remapped key works; the old one no longer opens the quick filter.
        await pilot.press("ctrl+k")
        assert main_screen(app).query_one("#quick", Input).has_focus


async def test_read_only_hides_and_refuses_writes() -> None:
    app, cloud = make_app(read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        actions = {b.binding.action for b in screen.active_bindings.values()}
        assert not actions & {"create", "edit", "delete"}
        assert "READ-ONLY" in str(screen.query_one(HeaderBar).render())
        titles = {c.title for c in app.get_system_commands(screen)}
        assert "Sort by name" in titles and not titles & {"New image", "Edit image", "Delete image"}
        await pilot.press("n", "e", "d", "delete")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("read-only" in n.message for n in app._notifications)
        assert all(method == "GET" for method, _ in cloud.request_log)
        await pilot.press("question_mark")
        await pilot.pause()
        described = {desc for _t, rows in app.screen.groups for _k, desc, _i in rows}  # type: ignore[attr-defined]
        assert not described & {"New", "Edit", "Del"}


async def test_palette_lists_every_action() -> None:
    app, _cloud = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for label in ("name", "status", "size", "disk format", "container format", "created", "updated"):
            assert f"Sort by {label}" in titles
        assert {"Refresh", "Server filter…", "Quick filter", "Raw JSON", "Copy image ID", "New image"} <= titles


async def test_list_error_shows_message_and_r_retries() -> None:
    flaky: list[FlakyTransport] = []

    def wrap(inner):  # type: ignore[no-untyped-def]
        transport = FlakyTransport(inner, mode="html500", match="list")
        transport.failing = True
        flaky.append(transport)
        return transport

    app, cloud = make_app(wrap=wrap)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = status_text(app)
        assert text.startswith("HTTP 500 Internal Server Error: The server") and text.endswith("r to retry · E details")
        # The list's placeholder has room for all of it: what failed, the status and reason, the request id last.
        placeholder = main_screen(app).table.empty_text.splitlines()
        assert placeholder[0] == "could not list images: server error (500)"
        assert "incapable of performing" in placeholder[1] and placeholder[1].endswith("request id req-0123-feed-beef")
        assert app.last_error is not None and "GET /v2/images" in app.last_error.text
        flaky[0].failing = False
        await pilot.press("r")
        await settle(pilot)
        assert main_screen(app).table.row_count == 200
        assert "200 loaded" in status_text(app)


async def test_dropped_connection_on_a_later_page_retries_only_that_page() -> None:
    flaky: list[FlakyTransport] = []

    def wrap(inner):  # type: ignore[no-untyped-def]
        transport = FlakyTransport(inner, mode="drop", match="list-next")
        flaky.append(transport)
        return transport

    app, cloud = make_app(wrap=wrap)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        flaky[0].failing = True
        await pilot.press("G")
        await settle(pilot)
        assert "cut off" in status_text(app) and "r to retry" in status_text(app)
        assert main_screen(app).table.row_count == 200
        flaky[0].failing = False
        await pilot.press("r")
        await settle(pilot)
        assert main_screen(app).table.row_count == 400
        assert len(list_requests(cloud)) == 2  # the failed try never reached the cloud


async def test_connect_failure_then_retry() -> None:
    sessions: list[FailingConnectSession] = []

    def session_wrap(inner):  # type: ignore[no-untyped-def]
        session = FailingConnectSession(inner)
        sessions.append(session)
        return session

    app, _cloud = make_app(session_wrap=session_wrap)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = status_text(app)
        assert text.startswith("HTTP 401 Unauthorized: The request") and "r to retry" in text
        assert app.last_error is not None and "req-auth-1" in app.last_error.text
        assert app.last_error.text.startswith("could not connect\n")
        sessions[0].fail = False
        await pilot.press("r")
        await settle(pilot)
        assert main_screen(app).table.row_count == 200


async def test_create_edit_delete_update_the_list_in_place() -> None:
    app, cloud = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        table = screen.table
        requests = len(list_requests(cloud))
        # Real images on the server: the pane's read (and the live watch) would drop one that is not there.
        assert screen.client is not None
        created = await screen.client.create({"name": "brand-new"})
        screen._saved(created, new=True)
        await pilot.pause()
        assert table.cursor == 0 and table.current is not None and table.current.id == created.id
        assert table.row_count == 201
        edited = await screen.client.update(created.id, [{"op": "replace", "path": "/name", "value": "renamed"}])
        screen._saved(edited, new=False)
        await pilot.pause()
        assert table.rows[0].name == "renamed"
        victim = table.rows[5].id
        screen._deleted(victim)
        await pilot.pause()
        assert table.row_count == 200 and all(row.id != victim for row in table.rows)
        assert len(list_requests(cloud)) == requests


@NEEDS_FORMS_BRANCH
async def test_write_keys_open_the_form_and_delete_dialog() -> None:
    app, _cloud = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        from ims_tui.ui.screens.delete import DeleteImageScreen

        assert isinstance(app.screen, DeleteImageScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("n")
        await settle(pilot)
        from ims_tui.ui.screens.image_form import ImageFormScreen

        assert isinstance(app.screen, ImageFormScreen)


async def test_hostile_names_render_literally() -> None:
    app, _cloud = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = main_screen(app).table
        width = table.scrollable_content_region.width
        for index in range(min(40, table.row_count)):
            strip = table._render_row(table.rows[index], width, 0)
            text = "".join(segment.text for segment in strip)
            assert "\x1b" not in text and "\n" not in text
            assert strip.cell_length == width


async def test_table_cost_does_not_depend_on_rows_loaded() -> None:
    app, _cloud = make_app(count=10)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = main_screen(app).table
        template = list(table.rows)
        many = [template[i % len(template)] for i in range(100_000)]
        table.set_rows(many)
        await pilot.pause()
        await pilot.press("G")
        assert table.cursor == 99_999
        # Only what is visible was rendered: the strip cache never holds more than a screen or two.
        assert len(table._cache) < 100


async def test_palette_shows_the_key_in_effect_after_a_remap() -> None:
    cloud = DemoCloud(image_count=40, latency=0.0, seed=42, clock=frozen_now)
    session = StaticSession(SessionInfo(cloud="demo"), DEMO_ENDPOINT, transport=cloud.transport)
    app = ImsApp(session, now=frozen_now, keymap={"main.server_filter": "ctrl+f"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        described = {c.title: c.help for c in app.get_system_commands(app.screen)}
        shown = app.get_key_display(Binding("ctrl+f", "x"))
        assert described["Server filter…"] == f"Filter images on the server ({shown})"
        assert described["Refresh"].endswith("(r)") and described["Help: keys"].endswith("(?)")


async def test_full_screen_detail_starts_from_the_pane_s_fresh_image(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app, _cloud = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.flush_detail()
        await settle(pilot)
        row = screen.table.current
        assert row is not None
        fresh = screen.query_one(DetailPane).cached(row.id)
        assert fresh is not None and fresh.id == row.id
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        opened: list[object] = []
        push = app.push_screen
        monkeypatch.setattr(app, "push_screen", lambda new, *a, **k: (opened.append(new.image), push(new, *a, **k))[1])
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen) and opened == [fresh] and opened[0] is fresh


LONG_REASON = (
    "The server is currently unavailable. Please try again at a later time. The Keystone service is busy and the "
    "image registry did not answer within the configured timeout of the API worker pool."
)
LONG_REQUEST_ID = "req-" + "0123456789abcdef" * 2 + "abcd"  # 40 characters


class BusyTransport(httpx.AsyncBaseTransport):
    """Every list request gets a Glance-style 503 with a long message and a long request id."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v2/images":
            body = {"code": 503, "title": "Service Unavailable", "message": LONG_REASON}
            return httpx.Response(503, json=body, headers={"x-openstack-request-id": LONG_REQUEST_ID}, request=request)
        return await self.inner.handle_async_request(request)


async def test_long_error_keeps_status_and_hint_in_80_columns() -> None:
    assert len(LONG_REQUEST_ID) == 40
    app, _ = make_app(wrap=BusyTransport)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        line = status_text(app)
        first = line[:80]
        assert first.startswith("HTTP 503 Service Unavailable: The server"), line
        assert "r to retry" in first and "E details" in first and "…" in first
        placeholder = main_screen(app).table.empty_text.splitlines()
        assert placeholder[1].startswith("HTTP 503 Service Unavailable") and placeholder[1].endswith(LONG_REQUEST_ID)
        assert placeholder[-1].startswith("r to retry")
        # Wrapped on screen: every word of it is there, none past the 80th column.
        shown = " ".join(line.strip() for line in screen_text(app).splitlines()[2:12])
        assert "configured timeout of the API worker pool." in shown and LONG_REQUEST_ID in shown
