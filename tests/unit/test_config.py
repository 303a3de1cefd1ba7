"""The TOML config file: validation messages, the example file, and the resolver's precedence."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from ims_tui.config import ConfigError, ConnectOptions, Settings, load_settings, resolve, where
from ims_tui.config.settings import config_path, parse_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment with no OS_* variables and a home of its own, so the real ~ is never read."""
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CONFIG_DIRS": str(tmp_path / "xdg")}


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    path.chmod(mode)
    return path


def error_for(data: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_settings(data, Path("/cfg/config.toml"))
    return info.value


# --- validation messages -------------------------------------------------------------------------------------

DEMO = {"type": "demo"}
TOKEN = {"type": "token", "endpoint": "https://image.example.com"}

BAD: list[tuple[dict[str, Any], str, str, str]] = [
    # data, dotted key, a word of the problem, a word of the fix
    ({"clouds": {"prod": {**TOKEN, "page_size": 5000}}}, "clouds.prod.page_size", "out of range", "page_size = 200"),
    ({"clouds": {"prod": {**TOKEN, "page_size": 0}}}, "clouds.prod.page_size", "out of range", "between 1 and 1000"),
    ({"clouds": {"prod": {**TOKEN, "page_size": "200"}}}, "clouds.prod.page_size", "wrong type", "whole number"),
    ({"clouds": {"prod": {**TOKEN, "read_only": "yes"}}}, "clouds.prod.read_only", "wrong type", "read_only = true"),
    ({"clouds": {"prod": {**TOKEN, "page_sise": 5}}}, "clouds.prod.page_sise", "unknown key", "did you mean page_size"),
    ({"clouds": {"prod": {"type": "bogus"}}}, "clouds.prod.type", "not allowed", 'type = "openstack"'),
    ({"clouds": {"prod": {**TOKEN, "interface": "private"}}}, "clouds.prod.interface", "not allowed", '"public"'),
    ({"clouds": {"prod": {**TOKEN, "sort": "name"}}}, "clouds.prod.sort", "not valid", "KEY:asc"),
    ({"clouds": {"prod": {**TOKEN, "sort": "colour:asc"}}}, "clouds.prod.sort", "not valid", "created_at:desc"),
    ({"clouds": {"prod": {**TOKEN, "verify": 3}}}, "clouds.prod.verify", "wrong type", "CA bundle"),
    ({"clouds": {"prod": {**TOKEN, "token": 5}}}, "clouds.prod.token", "wrong type", "string"),
    ({"clouds": {"prod": {**TOKEN, "password_command": 5}}}, "clouds.prod.password_command", "wrong type", "list"),
    ({"clouds": {"d": {**DEMO, "demo_images": -1}}}, "clouds.d.demo_images", "out of range", "demo_images = 500"),
    ({"clouds": {"d": {**DEMO, "filters": {"visibility": "secret"}}}}, "clouds.d.filters.visibility", "not allowed",
     "private"),
    ({"clouds": {"d": {**DEMO, "filters": {"created_at": "2025"}}}}, "clouds.d.filters.created_at", "not valid",
     "gte:"),
    ({"clouds": {"d": {**DEMO, "filters": {"colour": "red"}}}}, "clouds.d.filters.colour", "unknown key",
     "known keys"),
    ({"clouds": {"d": {**DEMO, "filters": {"status": 3}}}}, "clouds.d.filters.status", "wrong type", "list"),
    ({"clouds": {"prod": 5}}, "clouds.prod", "wrong type", "[clouds.prod]"),
    ({"ui": {"fps": 0}}, "ui.fps", "out of range", "fps = 30"),
    ({"ui": {"ansi": 1}}, "ui.ansi", "wrong type", "ansi = true"),
    ({"ui": {"keymap": {"delete": 4}}}, "ui.keymap.delete", "wrong type", "keymap"),
    ({"ui": {"wallpaper": "red"}}, "ui.wallpaper", "unknown key", "known keys"),
    ({"ui": 3}, "ui", "wrong type", "[ui]"),
    ({"defualt": "x"}, "defualt", "unknown key", "did you mean default"),
    ({"default": "nope", "clouds": {"d": DEMO}}, "default", "not a profile", "[clouds.nope]"),
    # cross-field rules
    ({"clouds": {"d": {**DEMO, "endpoint": "http://x"}}}, "clouds.d.endpoint", "does not apply", 'type = "'),
    ({"clouds": {"n": {"type": "none"}}}, "clouds.n.endpoint", "needs an endpoint", "endpoint ="),
    ({"clouds": {"t": {"type": "token"}}}, "clouds.t.endpoint", "needs an endpoint", "endpoint ="),
    ({"clouds": {"o": {"username": "a"}}}, "clouds.o.auth_url", "needs auth_url", "auth_url ="),
    ({"clouds": {"o": {"auth_url": "https://k/v3"}}}, "clouds.o.username", "needs username", "username ="),
    ({"clouds": {"o": {"auth_url": "https://k/v3", "username": "a", "password": "p1234", "password_command": "x"}}},
     "clouds.o.password_command", "both set", "keep one"),
    ({"clouds": {"o": {"auth_url": "https://k/v3", "application_credential_name": "ci"}}},
     "clouds.o.username", "needs the owner", "username ="),
    ({"clouds": {"o": {"auth_url": "https://k/v3", "username": "a", "access_key": "AK"}}},
     "clouds.o.access_key", "does not apply", '"huawei"'),
    ({"clouds": {"o": {"os_cloud": "x", "username": "a"}}}, "clouds.o.username", "can't be combined", "clouds.yaml"),
    ({"clouds": {"o": {"os_cloud": "x", "type": "huawei"}}}, "clouds.o.type", "does not apply", "remove type"),
    ({"clouds": {"h": {"type": "huawei", "access_key": "AK"}}}, "clouds.h.region", "needs a region", "region ="),
    ({"clouds": {"h": {"type": "huawei", "region": "r"}}}, "clouds.h.access_key", "needs access_key", "domain"),
    ({"clouds": {"h": {"type": "huawei", "region": "r", "username": "u"}}}, "clouds.h.domain", "needs domain",
     'domain = "'),
    ({"clouds": {"h": {"type": "huawei", "region": "r", "access_key": "A", "username": "u"}}}, "clouds.h.username",
     "pick one", "remove"),
    ({"clouds": {"t": {**TOKEN, "verify": False, "cacert": "/ca.pem"}}}, "clouds.t.verify", "turns certificate",
     "remove verify"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "key", "problem", "fix"), BAD, ids=[b[1] + ":" + b[2] for b in BAD])
def test_each_error_is_one_line_naming_file_key_problem_and_fix(
    data: dict[str, Any], key: str, problem: str, fix: str
) -> None:
    error = error_for(data)
    text = error.format()
    assert "\n" not in text
    assert text.startswith("/cfg/config.toml: ")
    assert error.key == key and f": {key}: " in text
    assert problem in error.problem
    assert error.fix and fix in error.fix
    assert error.exit_code == 2
    assert str(error) == text


def test_a_secret_of_the_wrong_type_is_not_echoed() -> None:
    error = error_for({"clouds": {"p": {**TOKEN, "token": ["gAAAA-very-secret"]}}})
    assert "gAAAA-very-secret" not in error.format()


def test_the_page_size_message_is_the_documented_one(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "[clouds.prod]\ntype = 'demo'\npage_size = 5000\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.format() == (
        f"{path}: clouds.prod.page_size: 5000 is out of range "
        "(page_size must be a whole number between 1 and 1000, e.g. page_size = 200)"
    )


def test_several_problems_are_counted_but_one_is_shown() -> None:
    error = error_for({"ui": {"fps": 0, "ansi": 3, "page_size": 0}})
    assert "2 more problems" in (error.fix or "")


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "[ui]\nansi = true\npage_size = = 3\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.line == 3
    assert info.value.format().startswith(f"{path}, line 3: TOML syntax error")


def test_missing_default_file_is_empty_but_a_named_one_is_an_error(tmp_path: Path, env: dict[str, str]) -> None:
    assert load_settings(tmp_path / "nope.toml") == Settings()
    with pytest.raises(ConfigError, match="file not found"):
        resolve(ConnectOptions(environ=env, config_path=tmp_path / "nope.toml", cwd=tmp_path))
    with pytest.raises(ConfigError, match="IMS_TUI_CONFIG"):
        resolve(ConnectOptions(environ={**env, "IMS_TUI_CONFIG": str(tmp_path / "x.toml")}, cwd=tmp_path))


def test_config_path_precedence(tmp_path: Path) -> None:
    env = {"IMS_TUI_CONFIG": str(tmp_path / "env.toml"), "HOME": str(tmp_path)}
    assert config_path(tmp_path / "cli.toml", env) == (tmp_path / "cli.toml", True)
    assert config_path(None, env) == (tmp_path / "env.toml", True)
    path, explicit = config_path(None, {})
    assert path.name == "config.toml" and "ims-tui" in str(path) and not explicit


def test_a_directory_or_unreadable_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        load_settings(tmp_path)
    path = write(tmp_path / "c.toml", "x = 1\n", mode=0o000)
    if os.access(path, os.R_OK):  # running as root: permissions are not enforced
        return
    with pytest.raises(ConfigError, match="permission denied"):
        load_settings(path)


# --- the example file ----------------------------------------------------------------------------------------


def test_the_example_config_validates() -> None:
    settings = load_settings(ROOT / "config.example.toml")
    assert settings.default == "demo"
    types = {profile.type for profile in settings.clouds.values()}
    assert types == {"demo", "token", "none", "openstack", "huawei"}
    assert settings.clouds["staging"].os_cloud == "staging"
    assert settings.clouds["prod-ro"].read_only is True
    assert settings.clouds["hwc"].access_key and settings.clouds["hwc-iam"].domain


def test_the_example_documents_every_key() -> None:
    from ims_tui.config.profiles import BY_TAG
    from ims_tui.config.tables import FilterSettings, UiTable
    from ims_tui.config.views import ViewSettings

    text = (ROOT / "config.example.toml").read_text()
    for model in (Settings, UiTable, *BY_TAG.values(), FilterSettings, ViewSettings):
        for key in model.model_fields:
            if key in ("ui", "clouds", "views"):
                continue
            assert f"{key} =" in text or f"{key} /" in text or f" {key}," in text or f" {key})" in text, key


def test_every_profile_of_the_example_resolves(tmp_path: Path, env: dict[str, str]) -> None:
    resolved = resolve(ConnectOptions(environ=env, config_path=ROOT / "config.example.toml", cwd=tmp_path))
    assert resolved.default == "demo"
    # staging needs a clouds.yaml this machine doesn't have: only that entry is unusable
    assert set(resolved.problems) <= {"staging", "prod-ro"}
    assert "os_cloud" in (resolved.problems["staging"].key or "")
    assert "unusable" in resolved.describe("staging")
    for name in ("lab", "devstack-noauth", "prod", "ci", "hwc", "hwc-iam"):
        session = resolved.sessions[name]()
        assert session.info.cloud == name
    with pytest.raises(ConfigError):
        resolved.sessions["staging"]()


# --- precedence ----------------------------------------------------------------------------------------------

CONFIG = """
    default = "lab"
    [clouds.lab]
    type = "none"
    endpoint = "http://lab.example.com:9292"
    [clouds.other]
    type = "none"
    endpoint = "http://other.example.com:9292"
    [clouds.wrapped]
    os_cloud = "yaml-b"
    read_only = true
"""
CLOUDS = """
    clouds:
      yaml-a:
        auth_type: none
        auth: {endpoint: "http://a.example.com"}
      yaml-b:
        auth_type: none
        auth: {endpoint: "http://b.example.com"}
"""
OPENRC = {
    "OS_AUTH_URL": "https://keystone.example.com/v3",
    "OS_USERNAME": "alice",
    "OS_PASSWORD": "openrc-password",
    "OS_PROJECT_NAME": "p",
    "OS_USER_DOMAIN_NAME": "Default",
}


@pytest.fixture
def setup(tmp_path: Path, env: dict[str, str]) -> tuple[Path, dict[str, str]]:
    config = write(tmp_path / "config.toml", CONFIG)
    clouds = write(tmp_path / "files" / "clouds.yaml", CLOUDS)
    return config, {**env, "OS_CLIENT_CONFIG_FILE": str(clouds)}


def pick(setup: tuple[Path, dict[str, str]], tmp_path: Path, extra_env: dict[str, str] | None = None,
         **options: Any) -> str | None:  # fmt: skip
    config, env = setup
    resolved = resolve(
        ConnectOptions(environ={**env, **(extra_env or {})}, config_path=config, cwd=tmp_path, **options)
    )
    return resolved.default


def test_precedence(setup: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    everything = {"OS_CLOUD": "yaml-a", **OPENRC}
    assert (
        pick(setup, tmp_path, everything, endpoint="http://cli.example.com:9292", cloud="other", os_cloud="yaml-a")
        == "cli.example.com"
    )
    assert pick(setup, tmp_path, everything, demo=True, cloud="other") == "demo"
    assert pick(setup, tmp_path, everything, cloud="other", os_cloud="yaml-a") == "other"
    assert pick(setup, tmp_path, everything, cloud="yaml-a") == "yaml-a"  # --cloud falls back to clouds.yaml
    assert pick(setup, tmp_path, everything, os_cloud="yaml-b") == "wrapped"  # the wrapping profile wins
    assert pick(setup, tmp_path, everything) == "yaml-a"  # OS_CLOUD
    assert pick(setup, tmp_path, OPENRC) == "lab"  # the config's default beats OS_* variables


def test_os_env_is_used_when_no_default(tmp_path: Path, env: dict[str, str]) -> None:
    resolved = resolve(ConnectOptions(environ={**env, **OPENRC}, cwd=tmp_path))
    assert resolved.default == "envvars"
    plan = resolved.plans["envvars"]
    assert plan.fields["username"] == "alice" and plan.secret is not None


def test_nothing_configured_means_no_default(tmp_path: Path, env: dict[str, str]) -> None:
    resolved = resolve(ConnectOptions(environ=env, cwd=tmp_path))
    assert resolved.default is None and resolved.sessions == {}


def test_unknown_cloud_lists_what_exists(setup: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        pick(setup, tmp_path, cloud="nope")
    text = info.value.format()
    assert "lab, other, wrapped" in text and "yaml-a, yaml-b" in text and "clouds.yaml" in text
    with pytest.raises(ConfigError) as info:
        pick(setup, tmp_path, {"OS_CLOUD": "nope"})
    assert info.value.key == "OS_CLOUD" and "yaml-a, yaml-b" in info.value.format()


def test_wrapped_clouds_are_not_listed_twice_and_overrides_apply(
    setup: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    config, env = setup
    resolved = resolve(ConnectOptions(environ=env, config_path=config, cwd=tmp_path))
    assert list(resolved.sessions) == ["lab", "other", "wrapped", "yaml-a"]
    assert resolved.plans["wrapped"].read_only is True
    assert resolved.plans["wrapped"].endpoint == "http://b.example.com"


def test_cli_flags(setup: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    config, env = setup
    resolved = resolve(
        ConnectOptions(
            environ=env,
            config_path=config,
            cwd=tmp_path,
            endpoint="https://lab",
            token="tok-1234",
            read_only=True,
            insecure=True,
        )  # fmt: skip
    )
    assert resolved.default == "lab (--endpoint)"  # a profile is already called lab
    assert all(plan.read_only for plan in resolved.plans.values())
    cli = resolved.plans["lab (--endpoint)"]
    assert cli.insecure and cli.verify is False and cli.secret and cli.secret.reveal() == "tok-1234"
    assert not resolved.plans["lab"].insecure  # --insecure is for the first session only
    session = resolved.sessions["lab (--endpoint)"]()
    assert session.info.read_only and session.info.insecure
    with pytest.raises(ConfigError, match="--token needs --endpoint"):
        resolve(ConnectOptions(environ=env, cwd=tmp_path, token="t"))


def test_insecure_and_verify_false_set_info_insecure(tmp_path: Path, env: dict[str, str]) -> None:
    config = write(
        tmp_path / "c.toml",
        """
        [clouds.a]
        type = "none"
        endpoint = "https://a"
        insecure = true
        [clouds.b]
        type = "none"
        endpoint = "https://b"
        verify = false
        [clouds.c]
        type = "none"
        endpoint = "https://c"
        """,
    )
    resolved = resolve(ConnectOptions(environ=env, config_path=config, cwd=tmp_path))
    assert [resolved.sessions[n]().info.insecure for n in "abc"] == [True, True, False]


def test_ui_settings_and_list_query(tmp_path: Path, env: dict[str, str]) -> None:
    config = write(
        tmp_path / "c.toml",
        """
        default = "a"
        [ui]
        page_size = 50
        sort = "name:asc,created_at:desc"
        read_only = true
        keymap = { quit = "ctrl+q" }
        [clouds.a]
        type = "none"
        endpoint = "https://a"
        [clouds.b]
        type = "none"
        endpoint = "https://b"
        read_only = false
        page_size = 10
        sort = "size:desc"
        filters = { tag = ["x", "y"], updated_at = ["gte:2025-01-01T00:00:00Z"], properties = { k = "v" } }
        """,
    )
    resolved = resolve(ConnectOptions(environ=env, config_path=config, cwd=tmp_path))
    assert resolved.ui.keymap == {"quit": "ctrl+q"}
    query = resolved.list_query()
    assert query.limit == 50 and query.sort == (("name", "asc"), ("created_at", "desc"))
    assert resolved.plans["a"].read_only and not resolved.plans["b"].read_only
    query = resolved.list_query("b")
    assert query.limit == 10 and query.sort == (("size", "desc"),)
    assert query.tags == ("x", "y") and query.properties == (("k", "v"),)
    assert query.updated_at[0].render() == "gte:2025-01-01T00:00:00Z"


def test_a_broken_entry_only_breaks_itself(tmp_path: Path, env: dict[str, str]) -> None:
    config = write(
        tmp_path / "c.toml",
        """
        default = "good"
        [clouds.good]
        type = "none"
        endpoint = "https://a"
        [clouds.badca]
        type = "none"
        endpoint = "https://b"
        cacert = "/nonexistent/ca.pem"
        """,
    )
    resolved = resolve(ConnectOptions(environ=env, config_path=config, cwd=tmp_path))
    assert resolved.default == "good" and "badca" in resolved.problems
    assert "CA bundle" in resolved.problems["badca"].problem
    with pytest.raises(ConfigError, match="CA bundle"):
        resolve(ConnectOptions(environ=env, config_path=config, cwd=tmp_path, cloud="badca"))


def test_permission_warning_for_a_config_with_a_password(tmp_path: Path, env: dict[str, str]) -> None:
    body = """
        [clouds.p]
        auth_url = "https://k/v3"
        username = "u"
        password = "pw-perm-test"
    """
    config = write(tmp_path / "c.toml", body, mode=0o644)
    resolved = resolve(ConnectOptions(environ=env, config_path=config, cwd=tmp_path))
    expected = f"{config} holds a password and is readable by others: chmod 600 it"
    assert expected in resolved.warnings
    assert expected in resolved.sessions["p"]().info.warnings
    config.chmod(0o600)
    assert resolve(ConnectOptions(environ=env, config_path=config, cwd=tmp_path)).warnings == []
    # no secret, no warning, whatever the mode
    plain = write(tmp_path / "plain.toml", "[clouds.d]\ntype = 'demo'\n", mode=0o644)
    assert resolve(ConnectOptions(environ=env, config_path=plain, cwd=tmp_path)).warnings == []


def test_home_is_shown_as_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    error = ConfigError("bad", file=tmp_path / ".config" / "ims-tui" / "config.toml", key="k")
    assert error.format() == "~/.config/ims-tui/config.toml: k: bad"


def test_where_lists_every_place(tmp_path: Path, env: dict[str, str]) -> None:
    write(tmp_path / "clouds.yaml", CLOUDS)
    text = where(ConnectOptions(environ={**env, "OS_CLOUD": "x"}, cwd=tmp_path))
    assert "config.toml" in text and "ims-tui.log" in text
    assert f"* {tmp_path / 'clouds.yaml'}" in text
    assert "/etc/openstack/secure.yaml" in text and "OS_CLIENT_SECURE_FILE" in text
    assert "OS_CLOUD=x" in text
    assert "saved views and remembered sorts (override: IMS_TUI_STATE_DIR):" in text


@pytest.mark.parametrize("flags", ["", "demo=True", "endpoint='https://ims.example', token='t'"])
def test_without_a_config_file_no_profile_model_is_built(tmp_path: Path, env: dict[str, str], flags: str) -> None:
    code = (
        "import sys; from pathlib import Path; from ims_tui.config import ConnectOptions, resolve; "
        f"resolve(ConnectOptions(environ={env!r}, cwd=Path({str(tmp_path)!r}), {flags})); "
        "print([m for m in ('ims_tui.config.profiles', 'ims_tui.config.tables', 'ims_tui.config.sessions') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, cwd=ROOT)
    assert out.stdout.decode().strip() == "[]"


def test_the_facts_declared_twice_agree() -> None:
    from ims_tui.api.models import SORT_KEYS as API_SORT_KEYS
    from ims_tui.config.profiles import BY_TAG
    from ims_tui.config.values import PROFILE_TYPES, SORT_KEYS

    assert SORT_KEYS == API_SORT_KEYS  # config keeps its own copy so that it never imports the API layer
    assert [BY_TAG[name].model_fields["type"].default for name in PROFILE_TYPES] == list(PROFILE_TYPES)


async def test_demo_session_lists_with_the_profile_query(tmp_path: Path, env: dict[str, str]) -> None:
    config = write(
        tmp_path / "c.toml",
        """
        [clouds.d]
        type = "demo"
        demo_images = 30
        page_size = 7
        sort = "name:asc"
        read_only = true
        """,
    )
    resolved = resolve(ConnectOptions(environ=env, config_path=config, cwd=tmp_path, cloud="d"))
    session = resolved.sessions["d"]()
    assert session.info.cloud == "d" and session.info.read_only
    client = (await session.connect()).client
    page = await client.list_page(resolved.list_query("d"))
    names = [image.name or "" for image in page.images]
    assert len(names) == 7 and names == sorted(names)
    await session.aclose()


async def test_demo_flag(tmp_path: Path, env: dict[str, str]) -> None:
    resolved = resolve(ConnectOptions(environ=env, cwd=tmp_path, demo=True, demo_images=5))
    assert resolved.default == "demo"
    session = resolved.sessions["demo"]()
    client = (await session.connect()).client
    page = await client.list_page(resolved.list_query())
    assert 0 < len(page.images) <= 5  # some seeded images belong to other projects or are hidden
    await session.aclose()
