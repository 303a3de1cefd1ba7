"""Named views in the app: o and the palette open them, o saves the list as one, and the sort chosen by hand is
there again at the next start (unless [ui] remember = false). Real key presses on the demo cloud."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from textual.command import CommandPalette
from textual.screen import Screen

from ims_tui.config import ConnectOptions, Resolved, resolve
from ims_tui.config.named_views import View
from ims_tui.config.state import StateStore
from ims_tui.startup import first_request, initial_query, remembered_of
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.views import ViewsScreen

from .helpers import frozen_now, list_requests, main_screen, screen_text, settle, status_text, told

CONFIG = """\
default = "alpha"
[ui]
remember = {remember}
[clouds.alpha]
type = "demo"
demo_images = 60
[clouds.beta]
type = "demo"
demo_images = 20
[views.golden]
filter = "status=active size>1G"
sort = "name:asc"
columns = ["name", "status"]
[views.beta-only]
filter = "tag=x"
profile = "beta"
"""


def configured(tmp_path: Path, *, remember: bool = True) -> Resolved:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.format(remember="true" if remember else "false"))
    return resolve(ConnectOptions(environ={"HOME": str(tmp_path)}, config_path=path, cwd=tmp_path))


def app_on(tmp_path: Path, *, remember: bool = True, **kwargs: object) -> ImsApp:
    """The app as the command line builds it, with its state folder in ``tmp_path``."""
    resolved = configured(tmp_path, remember=remember)
    assert resolved.default is not None
    session = resolved.sessions[resolved.default]()
    state = StateStore(tmp_path / "state")
    return ImsApp(session, resolved=resolved, profile=resolved.default, now=frozen_now, state=state, **kwargs)  # type: ignore[arg-type]


def last_list_query(app: ImsApp) -> dict[str, list[str]]:
    cloud = app.session.transport.cloud  # type: ignore[attr-defined]
    return parse_qs(urlsplit(list_requests(cloud)[-1]).query)


async def opened(pilot: Any, key: str, kind: type[Screen[Any]]) -> None:
    """Once the list is in, ``key`` opens a screen of ``kind``."""
    await settle(pilot)
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(pilot.app.screen, kind)


async def test_o_opens_a_view_and_the_status_line_names_it_until_the_sort_changes(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, "o", ViewsScreen)
        text = screen_text(app)
        assert "golden" in text and "Save the current view as…" in text
        assert "beta-only" not in text  # bound to the other profile
        await pilot.press("enter")
        await settle(pilot)
        screen = main_screen(app)
        sent = last_list_query(app)
        assert sent["status"] == ["active"] and sent["size_min"] == [str(1024**3 + 1)]
        assert sent["sort_key"] == ["name"] and sent["sort_dir"] == ["asc"]
        names = [row.name or "" for row in screen.table.rows]
        assert names == sorted(names) and all(row.status == "active" for row in screen.table.rows)
        assert "view: golden" in status_text(app) and "filter: status=active size>1G" in status_text(app)
        assert screen.chosen_columns() == ("name", "status")
        assert screen_text(app).splitlines()[1].split() == ["name", "▲", "status"]  # sorted by name
        await pilot.press("S")  # the sort by hand: no longer the view
        await settle(pilot)
        assert "view:" not in status_text(app)


async def test_the_palette_lists_each_view_and_opens_it(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, "ctrl+p", CommandPalette)
        await pilot.press(*"View: gol")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "view: golden" in status_text(main_screen(app))
        assert last_list_query(app)["status"] == ["active"]


async def test_the_current_list_is_saved_as_a_view_and_opens_from_the_command_line(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main_screen(app).apply_query(main_screen(app).list_query.with_changes(tags=("lts",)))
        await pilot.press("s", "s")  # from created: updated, then name
        await settle(pilot)
        await pilot.press("o", "up", "enter")  # the last entry: save
        await pilot.pause()
        await pilot.press(*"my lts", "enter")
        await settle(pilot)
        assert any("saved view my lts" in said for said in told(app))
        assert "view: my lts" in status_text(app)
    saved = json.loads((tmp_path / "state" / "views.json").read_text())["views"]["my lts"]
    assert saved == {"filter": "tag=lts", "sort": "name:asc"}
    # The saved view is offered next time, after the config's, and opens like one of them.
    again = app_on(tmp_path, view=StateStore(tmp_path / "state").saved_views()["my lts"])
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "view: my lts" in status_text(again)
        assert last_list_query(again)["tag"] == ["lts"]
        await pilot.press("o")
        await pilot.pause()
        text = screen_text(again)
        assert text.index("golden") < text.index("my lts") and "● my lts" in text


async def test_a_config_view_name_cannot_be_saved_over(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o", "up", "enter")
        await pilot.pause()
        await pilot.press(*"golden", "enter")
        await settle(pilot)
        assert any("config file has a view named 'golden'" in said for said in told(app))
    assert not (tmp_path / "state" / "views.json").exists()


async def test_the_sort_is_remembered_for_the_next_start(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s", "s", "s", "s")  # from created: updated, name, status, size (biggest first)
        await settle(pilot)
        assert "sort: size ▼" in status_text(app)
    again = app_on(tmp_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "sort: size ▼" in status_text(again)
        cloud = again.session.transport.cloud  # type: ignore[attr-defined]
        first = parse_qs(urlsplit(list_requests(cloud)[0]).query)  # the first list asked, not a second one
        assert (first["sort_key"], first["sort_dir"]) == (["size"], ["desc"])


async def test_the_columns_chosen_in_the_picker_are_there_at_the_next_start(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("C", "down", "space", "enter")  # hide status
        await settle(pilot)
        assert main_screen(app).chosen_columns() == ("name", "size", "visibility", "created_at")
    again = app_on(tmp_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert screen_text(again).splitlines()[1].split() == ["name", "size", "visibility", "created▼"]
        await pilot.press("C", "end", "enter")  # the last line: reset to the default set
        await settle(pilot)
        assert main_screen(again).chosen_columns() is None
    third = app_on(tmp_path)
    async with third.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert main_screen(third).chosen_columns() is None


async def test_a_saved_view_with_columns_the_config_would_refuse_opens_without_them(tmp_path: Path) -> None:
    app = app_on(tmp_path, view=View("hand-edited", filter=None, sort=(), columns=("status",), source="saved"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert main_screen(app).chosen_columns() is None
        assert any("columns are not used" in said and "name" in said for said in told(app))


async def test_remember_false_keeps_nothing(tmp_path: Path) -> None:
    app = app_on(tmp_path, remember=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert "sort: updated ▼" in status_text(app)
    assert not (tmp_path / "state" / "remembered.json").exists()
    again = app_on(tmp_path, remember=False)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "sort: created ▼" in status_text(again)


async def test_a_corrupt_state_file_is_one_notice_and_the_list_opens(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "remembered.json").write_text("{ not json")
    app = app_on(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        notices = [said for said in told(app) if "remembered.json" in said]
        assert len(notices) == 1 and "not valid JSON" in notices[0]
        assert main_screen(app).table.rows and "sort: created ▼" in status_text(app)
        await pilot.press("s")  # the next change writes a good file over it
        await settle(pilot)
    assert (
        json.loads((tmp_path / "state" / "remembered.json").read_text())["profiles"]["alpha"]["sort"]
        == "updated_at:desc"
    )


async def test_the_list_says_a_saved_view_is_hidden_by_the_config_s(tmp_path: Path) -> None:
    StateStore(tmp_path / "state").save_view(View("golden", filter="tag=old", source="saved"))
    app = app_on(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, "o", ViewsScreen)
        assert "saved golden not shown: the config file's view of the same name wins" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert last_list_query(app)["status"] == ["active"]  # the config's golden, not the saved one


async def test_a_view_for_one_profile_stays_with_it_when_switching_cloud(tmp_path: Path) -> None:
    view = View("mine", filter="tag=x", profile="alpha")
    app = app_on(tmp_path, view=view)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "view: mine" in status_text(app) and last_list_query(app)["tag"] == ["x"]
        app.switch_to("beta")
        await settle(pilot)
        assert app.profile == "beta" and "view:" not in status_text(app) and "filter:" not in status_text(app)
        assert "tag" not in last_list_query(app)


async def test_the_head_start_asks_for_the_remembered_sort_and_the_app_takes_it(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "state")
    state.remember("alpha", sort=(("size", "desc"),))
    app = app_on(tmp_path, first_page=40)
    # what cli.run_app does before it imports the app
    query = initial_query(app.resolved, "alpha", None, None, remembered_of(state, app.resolved, "alpha"))
    app.session.connect_early(first_request(query, app.page_size, 40))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        cloud = app.session.transport.cloud  # type: ignore[attr-defined]
        sent = [parse_qs(urlsplit(path).query) for path in list_requests(cloud)]
        assert len(sent) == 1  # the early request is the one the list shows: not asked twice
        assert (sent[0]["sort_key"], sent[0]["sort_dir"]) == (["size"], ["desc"])
        assert "sort: size ▼" in status_text(app)
