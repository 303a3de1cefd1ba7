"""Start-up without a config file: resolving and building the first list query import no pydantic (issue 14), and
a config file is still checked by the pydantic models, with the same messages.

Each case runs in a fresh interpreter, so nothing an earlier test imported can hide an import.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Resolve with the options in argv[1], build the first list query and one of our own, and say what was imported.
PROBE = """
import json, sys
from pathlib import Path
from ims_tui.config import ConfigError, ConnectOptions, resolve
from ims_tui.api.query import ListQuery

options = json.loads(sys.argv[1])
options["cwd"] = Path(options["cwd"])
out = {}
try:
    resolved = resolve(ConnectOptions(**options))
    out["first"] = resolved.list_query().to_params()
    out["own"] = ListQuery(limit=48, sort=(("created_at", "desc"),)).to_params()
    out["page_size"] = resolved.ui.page_size
except ConfigError as error:
    out["error"] = error.format()
out["pydantic"] = "pydantic" in sys.modules
print(json.dumps(out))
"""

OPENRC = {
    "OS_AUTH_URL": "https://keystone.example.com/v3",
    "OS_USERNAME": "alice",
    "OS_PASSWORD": "openrc-password",
    "OS_PROJECT_NAME": "demo",
    "OS_USER_DOMAIN_NAME": "Default",
    "OS_PROJECT_DOMAIN_NAME": "Default",
}
CLOUDS_YAML = "clouds: {lab: {auth_type: none, auth: {endpoint: 'http://127.0.0.1:9'}}}\n"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)  # the config folder exists, with no ims-tui/config.toml in it
    return home


def probe(home: Path, cwd: Path, extra_env: dict[str, str] | None = None, **options: Any) -> dict[str, Any]:
    """Run PROBE with a home of its own and no OS_* or IMS_TUI_* variable of this machine's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "IMS_TUI_"))}
    env |= {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CONFIG_DIRS": str(home / "xdg")}
    env |= extra_env or {}
    arguments = json.dumps({"environ": env, "cwd": str(cwd), **options})
    result = subprocess.run(
        [sys.executable, "-c", PROBE, arguments], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    out: dict[str, Any] = json.loads(result.stdout)
    for key in ("first", "own"):
        if key in out:
            out[key] = [tuple(pair) for pair in out[key]]  # JSON has no tuples
    return out


@pytest.mark.parametrize(
    ("options", "extra_env"),
    [
        ({"endpoint": "http://127.0.0.1:9", "token": None}, {}),
        ({"endpoint": "http://127.0.0.1:9", "token": "t"}, {}),
        ({"demo": True}, {}),
        ({"demo": True, "demo_ims": True}, {}),
        ({}, OPENRC),
        ({}, {"OS_CLOUD": "lab"}),
    ],
    ids=["endpoint", "endpoint-token", "demo", "demo-ims", "openrc", "clouds.yaml"],
)
def test_without_a_config_file_the_first_list_query_needs_no_pydantic(
    tmp_path: Path, home: Path, options: dict[str, Any], extra_env: dict[str, str]
) -> None:
    (tmp_path / "clouds.yaml").write_text(CLOUDS_YAML)
    out = probe(home, tmp_path, extra_env, **options)
    assert "error" not in out
    assert out["first"] == [("limit", "200"), ("sort_key", "created_at"), ("sort_dir", "desc")]
    assert out["own"] == [("limit", "48"), ("sort_key", "created_at"), ("sort_dir", "desc")]
    assert out["pydantic"] is False


def test_a_config_file_is_still_checked_with_the_same_message(tmp_path: Path, home: Path) -> None:
    path = home / ".config" / "ims-tui" / "config.toml"  # the default place: found without --config
    path.parent.mkdir()
    path.write_text("[ui]\npage_size = 0\n")
    out = probe(home, tmp_path, endpoint="http://127.0.0.1:9")
    assert out["error"] == (
        "~/.config/ims-tui/config.toml: ui.page_size: 0 is out of range "
        "(page_size must be a whole number between 1 and 1000, e.g. page_size = 200)"
    )


def test_a_config_file_is_read_into_the_plain_values(tmp_path: Path, home: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        textwrap.dedent(
            """
            default = "d"
            [ui]
            page_size = 30
            [clouds.d]
            type = "demo"
            filters = { status = ["active", "queued"], created_at = "gte:2026-01-01T00:00:00Z" }
            """
        )
    )
    out = probe(home, tmp_path, config_path=str(config))
    assert out["page_size"] == 30 and out["pydantic"] is True
    assert out["first"] == [
        ("limit", "30"),
        ("status", "in:active,queued"),
        ("created_at", "gte:2026-01-01T00:00:00Z"),
        ("sort_key", "created_at"),
        ("sort_dir", "desc"),
    ]


def test_the_ui_table_and_the_ui_settings_declare_the_same_keys_and_defaults() -> None:
    from ims_tui.config.tables import UiTable
    from ims_tui.config.values import UiSettings

    assert list(UiTable.model_fields) == [f.name for f in dataclasses.fields(UiSettings)]
    assert UiTable().settings() == UiSettings()


def test_the_config_package_still_offers_its_names() -> None:
    from ims_tui.config import FilterSettings, UiSettings
    from ims_tui.config.tables import FilterSettings as Filters
    from ims_tui.config.values import UiSettings as Ui

    assert FilterSettings is Filters and UiSettings is Ui
