"""``columns`` in the config file: [ui] for every profile, a profile's own over it, and the mistakes it refuses."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from ims_tui.config import ConfigError, ConnectOptions, resolve
from ims_tui.config.settings import parse_settings

DEMO = {"type": "demo"}


def error_for(data: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_settings(data, Path("/cfg/config.toml"))
    return info.value


def test_ui_columns_are_every_profiles_and_a_profile_may_have_its_own(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        textwrap.dedent(
            """
            default = "a"
            [ui]
            columns = ["name", "status", "os_distro", "colour"]
            [clouds.a]
            type = "demo"
            [clouds.b]
            type = "demo"
            columns = [" name", "__os_version", "size"]
            """
        )
    )
    home = tmp_path / "home"
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CONFIG_DIRS": str(tmp_path / "x")}
    resolved = resolve(ConnectOptions(environ=env, config_path=config, cwd=tmp_path))
    assert resolved.columns() == ("name", "status", "os_distro", "colour")  # an unknown name may be a property
    assert resolved.columns("b") == ("name", "__os_version", "size")


def test_without_columns_the_list_keeps_its_default_set() -> None:
    settings = parse_settings({"clouds": {"d": DEMO}}, Path("/cfg/config.toml"))
    assert settings.ui.columns is None and settings.clouds["d"].columns is None


@pytest.mark.parametrize(
    ("data", "key", "problem"),
    [
        ({"ui": {"columns": []}}, "ui.columns", "an empty list of columns shows nothing"),
        ({"ui": {"columns": ["status", "size"]}}, "ui.columns", 'must include "name"'),
        ({"clouds": {"d": {**DEMO, "columns": ["name", "size", "size"]}}}, "clouds.d.columns", "'size' is named twice"),
        ({"ui": {"columns": "name,status"}}, "ui.columns", "wrong type"),
        ({"ui": {"columns": ["name", 3]}}, "ui.columns[1]", "wrong type"),
    ],
)
def test_columns_that_cannot_be_shown_are_refused_in_one_line(data: dict[str, Any], key: str, problem: str) -> None:
    error = error_for(data)
    text = error.format()
    assert "\n" not in text and text.startswith(f"/cfg/config.toml: {key}: ")
    assert problem in error.problem
    assert error.fix is not None and 'columns = ["name", "status", "os_distro", "size"]' in error.fix
    assert error.exit_code == 2
