"""clouds.yaml reading beyond the oracle: broken files, unknown clouds, vendor profiles, unsupported auth."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from ims_tui.config import ConfigError, ConnectOptions, resolve
from ims_tui.config.clouds import candidates, load_clouds, search_dirs


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    path.chmod(0o600)
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path / "home"), "XDG_CONFIG_DIRS": str(tmp_path / "xdg")}


def test_search_order(tmp_path: Path, env: dict[str, str]) -> None:
    dirs = search_dirs(env, tmp_path)
    assert dirs[0] == tmp_path
    assert tmp_path / "home" / ".config" / "openstack" in dirs
    assert dirs[-1] == Path("/etc/openstack")
    found = candidates("clouds", {**env, "OS_CLIENT_CONFIG_FILE": "/x/my.yaml"}, tmp_path)
    assert found[0] == Path("/x/my.yaml") and found[1] == tmp_path / "clouds.yaml"
    assert [p.name for p in found[1:4]] == ["clouds.yaml", "clouds.yml", "clouds.json"]


def test_first_file_wins_and_home_is_searched(tmp_path: Path, env: dict[str, str]) -> None:
    home_file = write(tmp_path / "home" / ".config" / "openstack" / "clouds.yaml", "clouds: {home: {}}\n")
    files = load_clouds(env, tmp_path / "elsewhere")
    assert files.clouds_file == home_file and files.names() == ["home"]
    write(tmp_path / "clouds.yaml", "clouds: {here: {}}\n")
    assert load_clouds(env, tmp_path).names() == ["here"]


def test_json_files_are_read(tmp_path: Path, env: dict[str, str]) -> None:
    write(tmp_path / "clouds.json", '{"clouds": {"j": {"auth_type": "none", "auth": {"endpoint": "http://j"}}}}')
    files = load_clouds(env, tmp_path)
    assert files.get("j").auth == {"endpoint": "http://j"}


def test_a_broken_yaml_is_skipped_with_a_warning_naming_the_line(tmp_path: Path, env: dict[str, str]) -> None:
    write(tmp_path / "clouds.yaml", "clouds:\n  a: [unclosed\n  b: 1\n")
    files = load_clouds(env, tmp_path)
    assert files.names() == [] and files.clouds_file is None
    assert "YAML syntax error at line" in files.warnings[0] and "clouds.yaml" in files.warnings[0]
    with pytest.raises(ConfigError) as info:
        resolve(ConnectOptions(environ={**env, "OS_CLOUD": "a"}, cwd=tmp_path))
    assert "YAML syntax error" in info.value.format()


def test_unknown_cloud_lists_clouds_and_files(tmp_path: Path, env: dict[str, str]) -> None:
    path = write(tmp_path / "clouds.yaml", "clouds: {alpha: {}, beta: {}}\n")
    with pytest.raises(ConfigError) as info:
        resolve(ConnectOptions(environ=env, os_cloud="gamma", cwd=tmp_path))
    text = info.value.format()
    assert "'gamma'" in text and "alpha, beta" in text and str(path) in text
    assert info.value.key == "--os-cloud" and "\n" not in text


def test_unsupported_auth_type_is_clear_and_only_for_that_cloud(tmp_path: Path, env: dict[str, str]) -> None:
    write(
        tmp_path / "clouds.yaml",
        """
        clouds:
          sso:
            auth_type: v3oidcpassword
            auth: {auth_url: "https://k/v3"}
          ok:
            auth_type: none
            auth: {endpoint: "http://ok"}
        """,
    )
    resolved = resolve(ConnectOptions(environ=env, cwd=tmp_path))
    assert "not supported" in resolved.problems["sso"].format() and "ok" in resolved.plans
    with pytest.raises(ConfigError, match="v3oidcpassword"):
        resolve(ConnectOptions(environ=env, os_cloud="sso", cwd=tmp_path))


def test_missing_auth_url_is_reported(tmp_path: Path, env: dict[str, str]) -> None:
    write(tmp_path / "clouds.yaml", "clouds: {x: {auth: {username: u, password: pw-x-123}}}\n")
    with pytest.raises(ConfigError, match="has no auth_url"):
        resolve(ConnectOptions(environ=env, os_cloud="x", cwd=tmp_path))


def test_unknown_vendor_profile_warns(tmp_path: Path, env: dict[str, str]) -> None:
    write(
        tmp_path / "clouds.yaml",
        "clouds: {v: {profile: vexxhost, auth: {auth_url: 'https://k/v3', username: u, password: pw-v-123}}}\n",
    )
    resolved = resolve(ConnectOptions(environ=env, os_cloud="v", cwd=tmp_path))
    assert any("vendor profile 'vexxhost'" in w for w in resolved.plans["v"].warnings)


def test_region_choice(tmp_path: Path, env: dict[str, str]) -> None:
    write(tmp_path / "clouds.yaml", "clouds: {r: {auth_type: none, auth: {endpoint: 'http://r'}, regions: [A, B]}}\n")
    files = load_clouds(env, tmp_path)
    assert files.get("r").region_name == "A"
    assert files.get("r", region_name="B").region_name == "B"
    with pytest.raises(ConfigError, match="regions: A, B"):
        files.get("r", region_name="C")


def test_a_profile_wrapping_a_cloud_can_supply_the_password(tmp_path: Path, env: dict[str, str]) -> None:
    write(tmp_path / "clouds.yaml", "clouds: {c: {auth: {auth_url: 'https://k/v3', username: u, project_name: p}}}\n")
    config = write(
        tmp_path / "c.toml",
        f"""
        [clouds.w]
        os_cloud = "c"
        password_command = [{sys.executable!r}, "-c", "print('pw')"]
        page_size = 20
        """,
    )
    resolved = resolve(ConnectOptions(environ=env, config_path=config, cwd=tmp_path, cloud="w"))
    plan = resolved.plans["w"]
    assert plan.secret is None and plan.secret_command and plan.page_size == 20
    assert not resolved.sessions["w"]().needs_password  # type: ignore[attr-defined]


def test_yaml_is_imported_only_when_a_file_exists(tmp_path: Path, env: dict[str, str]) -> None:
    import subprocess

    code = (
        "import sys; from pathlib import Path; from ims_tui.config.clouds import load_clouds; "
        f"load_clouds({env!r}, Path({str(tmp_path)!r})); print('yaml' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, cwd=root)
    assert out.stdout.decode().strip() == "False"
