"""Named views in the config file, a profile's filter text, and the state folder (saved views, remembered sort)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from ims_tui.config import ConfigError, ConnectOptions, resolve
from ims_tui.config.named_views import View
from ims_tui.config.settings import parse_settings
from ims_tui.config.state import STATE_ENV, StateStore, default_state_dir, find_view, start_view

GIB = 1024**3


def error_for(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as info:
        parse_settings(data, Path("/cfg/config.toml"))
    return info.value.format()


def test_a_view_table_is_read_into_a_view() -> None:
    settings = parse_settings(
        {
            "views": {
                "golden": {"filter": "status=active tag=golden", "sort": "name:asc", "columns": ["name", "os_distro"]},
                "mine": {"profile": "prod"},
            }
        }
    )
    view = View.of("golden", settings.views["golden"])
    assert (view.filter, view.sort, view.columns) == (
        "status=active tag=golden",
        (("name", "asc"),),
        ("name", "os_distro"),
    )
    mine = View.of("mine", settings.views["mine"])
    assert (mine.filter, mine.sort, mine.columns, mine.profile) == (None, (), None, "prod")
    assert not mine.for_profile("lab") and mine.for_profile("prod") and view.for_profile("lab")


@pytest.mark.parametrize(
    ("view", "words"),
    [
        (
            {"filter": "status=active size>10Q"},
            "/cfg/config.toml: views.v.filter: bad filter at column 20 ('10Q' in 'status=active size>10Q') "
            '("10Q" is not a size (use 10G, 512M, 1T or bytes))',
        ),
        ({"filter": "tag"}, "views.v.filter: bad filter at column 1 ('tag' in 'tag') (tag needs an operator"),
        ({"sort": "nme:asc"}, "views.v.sort: 'nme:asc' is not valid (sort must be KEY:asc or KEY:desc"),
        (
            {"columns": "name"},
            "views.v.columns: wrong type: 'name' (columns must be a list of attribute or property names",
        ),
        ({"columns": ["name", " "]}, "views.v.columns: ' ' is not a column name: a base attribute or a property name"),
        ({"filtre": "status=active"}, "views.v.filtre: unknown key (did you mean filter?)"),
        ({"profile": 3}, "views.v.profile: wrong type: 3 (profile must be the name of a profile"),
    ],
)
def test_each_bad_view_is_refused_with_where_and_the_fix(view: dict[str, Any], words: str) -> None:
    assert words in error_for({"views": {"v": view}})


def test_a_view_that_is_not_a_table_says_how_to_write_one() -> None:
    assert error_for({"views": {"v": "status=active"}}).endswith(
        "views.v: wrong type: 'status=active' (each view is a table: [views.v] followed by filter, sort, columns)"
    )


def test_a_profile_filter_text_opens_the_list_with_those_filters(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[clouds.d]\ntype = "demo"\nfilter = "status=active size>1G os_distro=ubuntu"\nsort = "name:asc"\n'
    )
    resolved = resolve(ConnectOptions(environ={"HOME": str(tmp_path)}, config_path=config, cwd=tmp_path))
    query = resolved.list_query("d")
    assert (query.statuses, query.size_min, query.properties) == (("active",), GIB + 1, (("os_distro", "ubuntu"),))
    assert query.limit == 200


def test_a_profile_with_filter_and_filters_is_refused() -> None:
    both = {"type": "demo", "filter": "tag=a", "filters": {"tag": "b"}}
    assert "clouds.x.filter: filter and filters are both set (keep one" in error_for({"clouds": {"x": both}})
    bad = error_for({"clouds": {"x": {"type": "demo", "filter": "tag>a"}}})
    assert "clouds.x.filter: bad filter at column 4 ('>' in 'tag>a') (tag takes only =" in bad


def test_remember_is_a_ui_setting() -> None:
    assert parse_settings({"ui": {"remember": False}}).ui.remember is False
    assert parse_settings({}).ui.remember is True
    assert "ui.remember: wrong type: 'no' (remember must be true or false" in error_for({"ui": {"remember": "no"}})


# -- the state folder ---------------------------------------------------------------------------------------


def test_the_state_folder_is_the_env_var_else_the_platform_s(tmp_path: Path) -> None:
    assert default_state_dir({STATE_ENV: str(tmp_path)}) == tmp_path
    assert default_state_dir({}).name == "ims-tui"


def test_saved_views_and_remembered_sorts_are_private_files_that_read_back(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state")
    store.save_view(View("big", filter="size>10G", sort=(("size", "desc"),), columns=("name", "size"), source="saved"))
    store.remember("prod", sort=(("name", "asc"),))
    store.remember("prod", columns=("name", "status"))
    for name in ("views.json", "remembered.json"):
        assert stat.S_IMODE((tmp_path / "state" / name).stat().st_mode) == 0o600
    assert sorted(os.listdir(tmp_path / "state")) == ["remembered.json", "views.json"]  # no temporary file left
    again = StateStore(tmp_path / "state")
    assert again.saved_views()["big"] == View(
        "big", filter="size>10G", sort=(("size", "desc"),), columns=("name", "size"), source="saved"
    )
    remembered = again.remembered("prod")
    assert (remembered.sort, remembered.columns) == ((("name", "asc"),), ("name", "status"))
    assert again.remembered("other").sort == () and again.notices == []


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_a_broken_state_file_is_ignored_with_one_notice(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "remembered.json").write_bytes(content)
    (tmp_path / "views.json").write_bytes(content)
    store = StateStore(tmp_path)
    assert store.remembered("prod").sort == () and store.remembered("prod").sort == ()
    assert store.saved_views() == {}
    assert len(store.notices) == 2 and all("ignored" in notice for notice in store.notices)
    store.remember("prod", sort=(("size", "desc"),))  # the next change writes a good file over it
    assert StateStore(tmp_path).remembered("prod").sort == (("size", "desc"),)


def test_an_entry_that_no_longer_reads_is_left_out(tmp_path: Path) -> None:
    entries = {"ok": {"filter": "tag=a"}, "bad": {"filter": "tag>a"}, "odd": 3, "sort": {"sort": "nope"}}
    (tmp_path / "views.json").write_text(json.dumps({"views": entries}))
    views = StateStore(tmp_path).saved_views()
    assert sorted(views) == ["ok", "sort"] and views["sort"].sort == ()


def test_a_config_view_wins_over_a_saved_one_and_an_unknown_name_lists_them(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.save_view(View("golden", filter="tag=old", source="saved"))
    store.save_view(View("mine", filter="tag=x", source="saved"))
    config = parse_settings({"views": {"golden": {"filter": "tag=golden"}}}).views
    assert find_view("golden", config, store).filter == "tag=golden"
    assert find_view("mine", config, store).source == "saved"
    with pytest.raises(ConfigError) as info:
        find_view("nope", config, store)
    assert info.value.format().startswith("--view: 'nope' is not a view (views: golden, mine)")


def test_a_view_bound_to_a_profile_opens_that_profile(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'default = "a"\n[clouds.a]\ntype = "demo"\n[clouds.b]\ntype = "demo"\n'
        '[views.v]\nprofile = "b"\nfilter = "tag=x"\n'
    )
    options = ConnectOptions(environ={"HOME": str(tmp_path)}, config_path=config, cwd=tmp_path)
    resolved = resolve(options)
    view, opened = start_view("v", options, resolved, StateStore(tmp_path / "state"))
    assert view is not None and opened.default == "b"
    chosen = ConnectOptions(environ={"HOME": str(tmp_path)}, config_path=config, cwd=tmp_path, cloud="a")
    with pytest.raises(ConfigError) as info:
        start_view("v", chosen, resolve(chosen), StateStore(tmp_path / "state"))
    assert "view 'v' is for profile 'b', not 'a'" in info.value.format()
