"""Secrets: the masked type, password_command, the prompt hook, permission warnings, and no leaks anywhere."""

from __future__ import annotations

import logging
import pickle
import sys
import textwrap
from pathlib import Path

import pytest

from ims_tui.config import ConfigError, ConnectOptions, PasswordRequired, Secret, resolve, run_password_command
from ims_tui.config.secrets import command_argv, permission_warning
from ims_tui.logs import forget_secrets, setup_logging

PY = sys.executable


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CONFIG_DIRS": str(tmp_path / "xdg")}


@pytest.fixture(autouse=True)
def _clean_registry() -> None:
    forget_secrets()


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(textwrap.dedent(text))
    path.chmod(mode)
    return path


def test_secret_never_prints() -> None:
    secret = Secret("hunter2-long")
    assert repr(secret) == "Secret('***')"
    assert str(secret) == "***" and f"{secret}" == "***"
    assert secret.reveal() == "hunter2-long"
    assert "hunter2" not in repr([secret, {"k": secret}])
    assert secret == Secret("hunter2-long") and secret != Secret("other-value")
    assert bool(Secret("")) is False
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_password_command_success_as_list_and_string() -> None:
    secret = run_password_command([PY, "-c", "print('pw from list')"])
    assert secret.reveal() == "pw from list"
    secret = run_password_command(f"{PY} -c \"print('pw from string')\"")
    assert secret.reveal() == "pw from string"
    # exactly one trailing newline is removed; other whitespace is part of the password
    secret = run_password_command([PY, "-c", "import sys; sys.stdout.write(' x \\n\\n')"])
    assert secret.reveal() == " x \n"


def test_password_command_runs_without_a_shell() -> None:
    secret = run_password_command([PY, "-c", "import sys; print(sys.argv[1])", "$HOME;echo no"])
    assert secret.reveal() == "$HOME;echo no"


def test_password_command_failure_names_the_status_not_the_output() -> None:
    code = "import sys; print('leaked-stdout-secret'); print('leaked-stderr', file=sys.stderr); sys.exit(3)"
    with pytest.raises(ConfigError) as info:
        run_password_command([PY, "-c", code])
    text = info.value.format()
    assert "exit status 3" in text
    assert "leaked" not in text and "leaked" not in repr(info.value)


def test_password_command_timeout() -> None:
    # A busy loop, bounded by the timeout: the child is killed when it expires.
    with pytest.raises(ConfigError, match=r"did not finish within 0\.3 s"):
        run_password_command([PY, "-c", "while True: pass"], timeout=0.3)


def test_password_command_other_failures() -> None:
    with pytest.raises(ConfigError, match="was not found"):
        run_password_command(["/nonexistent/ims-tui-pass"])
    with pytest.raises(ConfigError, match="printed nothing"):
        run_password_command([PY, "-c", "pass"])
    with pytest.raises(ConfigError, match="empty"):
        command_argv("")
    with pytest.raises(ConfigError, match="split"):
        command_argv("pass 'unterminated")


def test_permission_warning(tmp_path: Path) -> None:
    path = write(tmp_path / "f", "x", mode=0o644)
    assert permission_warning(path) == f"{path} holds a password and is readable by others: chmod 600 it"
    path.chmod(0o640)
    assert "readable by its group" in (permission_warning(path, "a token") or "")
    path.chmod(0o600)
    assert permission_warning(path) is None


def test_clouds_yaml_and_secure_yaml_permission_warnings(tmp_path: Path, env: dict[str, str]) -> None:
    clouds = write(
        tmp_path / "clouds.yaml",
        """
        clouds:
          c:
            auth: {auth_url: "https://k/v3", username: u, project_name: p, password: pw-in-clouds}
          d:
            auth: {auth_url: "https://k/v3", username: u, project_name: p}
        """,
        mode=0o644,
    )
    secure = write(tmp_path / "secure.yaml", "clouds:\n  d:\n    auth: {password: pw-in-secure}\n", mode=0o644)
    environ = {**env, "OS_CLIENT_CONFIG_FILE": str(clouds), "OS_CLIENT_SECURE_FILE": str(secure)}
    resolved = resolve(ConnectOptions(environ=environ, cwd=tmp_path))
    assert f"{clouds} holds a password and is readable by others: chmod 600 it" in resolved.warnings
    assert f"{secure} holds secrets and is readable by others: chmod 600 it" in resolved.warnings
    assert any(str(clouds) in w for w in resolved.plans["c"].warnings)
    assert any(str(secure) in w for w in resolved.plans["d"].warnings)
    assert not any(str(clouds) in w for w in resolved.plans["d"].warnings)


async def test_missing_secret_asks_for_a_prompt(tmp_path: Path, env: dict[str, str]) -> None:
    config = write(tmp_path / "c.toml", "[clouds.t]\ntype = 'token'\nendpoint = 'https://image.example.com'\n")
    resolved = resolve(ConnectOptions(environ=env, config_path=config, cwd=tmp_path))
    session = resolved.sessions["t"]()
    assert session.needs_password  # type: ignore[attr-defined]
    assert session.prompt == "Token for t"  # type: ignore[attr-defined]
    with pytest.raises(PasswordRequired):
        await session.connect()
    session.provide_password("typed-token-value")  # type: ignore[attr-defined]
    assert not session.needs_password  # type: ignore[attr-defined]
    client = (await session.connect()).client
    assert client is session.client
    assert "typed-token-value" not in repr(session) + repr(session.inner)  # type: ignore[attr-defined]
    await session.aclose()


async def test_password_command_runs_at_connect(tmp_path: Path, env: dict[str, str]) -> None:
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').close(); print('token-from-command')"
    config = write(
        tmp_path / "c.toml",
        f"""
        [clouds.t]
        type = "token"
        endpoint = "https://image.example.com"
        password_command = [{PY!r}, "-c", {code!r}]
        """,
    )
    resolved = resolve(ConnectOptions(environ=env, config_path=config, cwd=tmp_path))
    session = resolved.sessions["t"]()
    assert not marker.exists()  # resolving and building never run the command
    assert not session.needs_password  # type: ignore[attr-defined]
    await session.connect()
    assert marker.exists()
    assert session.inner.auth._token == "token-from-command"  # type: ignore[attr-defined]
    await session.aclose()


async def test_a_failing_command_surfaces_at_connect(tmp_path: Path, env: dict[str, str]) -> None:
    config = write(
        tmp_path / "c.toml",
        f"""
        [clouds.t]
        type = "token"
        endpoint = "https://image.example.com"
        password_command = [{PY!r}, "-c", "import sys; sys.exit(5)"]
        """,
    )
    session = resolve(ConnectOptions(environ=env, config_path=config, cwd=tmp_path)).sessions["t"]()
    with pytest.raises(ConfigError, match="exit status 5"):
        await session.connect()
    session.provide_password("fallback-typed")  # type: ignore[attr-defined]
    await session.connect()
    await session.aclose()


SECRETS = {
    "password": "Pw-Leak-Check-1",
    "app_secret": "AppCred-Leak-Check-2",
    "token": "gAAAA-Leak-Check-3",
    "sk": "Sk-Leak-Check-4",
    "yaml_pw": "Yaml-Leak-Check-5",
    "env_pw": "Env-Leak-Check-6",
    "cmd_pw": "Cmd-Leak-Check-7",
}


async def test_no_secret_reaches_the_log_or_any_message(tmp_path: Path, env: dict[str, str]) -> None:
    log_path = setup_logging(debug=True, log_dir=tmp_path / "logs")
    clouds = write(
        tmp_path / "clouds.yaml",
        f"""
        clouds:
          y:
            auth: {{auth_url: "https://k/v3", username: u, project_name: p, password: {SECRETS["yaml_pw"]}}}
        """,
    )
    config = write(
        tmp_path / "c.toml",
        f"""
        default = "pw"
        [clouds.pw]
        auth_url = "https://keystone.example.com/v3"
        username = "alice"
        password = "{SECRETS["password"]}"
        [clouds.ac]
        auth_url = "https://keystone.example.com/v3"
        application_credential_id = "abc"
        application_credential_secret = "{SECRETS["app_secret"]}"
        [clouds.tok]
        type = "token"
        endpoint = "https://image.example.com"
        token = "{SECRETS["token"]}"
        [clouds.hw]
        type = "huawei"
        region = "eu-west-101"
        access_key = "HPUAEXAMPLE"
        secret_key = "{SECRETS["sk"]}"
        [clouds.cmd]
        type = "token"
        endpoint = "https://image.example.com"
        password_command = [{PY!r}, "-c", "print('{SECRETS["cmd_pw"]}')"]
        [clouds.bad]
        type = "token"
        endpoint = "https://image.example.com"
        password_command = [{PY!r}, "-c", "import sys; print('{SECRETS["cmd_pw"]}'); sys.exit(1)"]
        """,
    )
    environ = {
        **env,
        "OS_CLIENT_CONFIG_FILE": str(clouds),
        "OS_AUTH_URL": "https://k/v3",
        "OS_USERNAME": "e",
        "OS_PASSWORD": SECRETS["env_pw"],
    }
    resolved = resolve(ConnectOptions(environ=environ, config_path=config, cwd=tmp_path))
    sessions = {name: factory() for name, factory in resolved.sessions.items()}
    await sessions["cmd"].connect()
    errors = []
    try:
        await sessions["bad"].connect()
    except ConfigError as exc:
        errors.append(exc)
    log = logging.getLogger("ims_tui.config.test")
    texts = [repr(resolved), repr(resolved.plans), repr(sessions), *map(repr, errors), *(e.format() for e in errors)]
    texts += [repr(s.info) for s in sessions.values()] + resolved.warnings
    for text in texts:
        log.debug("state: %s", text)
        for value in SECRETS.values():
            assert value not in text
    # things a careless caller or library might log: every one must come out masked
    log.debug("auth body %s", {"password": SECRETS["password"], "X-Auth-Token": SECRETS["token"]})
    log.debug("headers X-Subject-Token: %s", SECRETS["token"])
    log.info("signing with Authorization: SDK-HMAC-SHA256 Access=HPUAEXAMPLE, Signature=%s", SECRETS["sk"])
    log.info("url https://alice:%s@keystone.example.com/v3", SECRETS["password"])
    log.warning("raw value %s and %s", SECRETS["yaml_pw"], SECRETS["env_pw"])
    try:
        raise RuntimeError(f"boom with {SECRETS['app_secret']}")
    except RuntimeError:
        log.exception("failed")
    logging.getLogger("httpx").info("HTTP Request: POST https://u:%s@k/v3/auth/tokens", SECRETS["cmd_pw"])
    for handler in logging.getLogger().handlers:
        handler.flush()
    content = log_path.read_text()
    assert "state:" in content and "boom with ***" in content and "***@keystone.example.com" in content
    for value in SECRETS.values():
        assert value not in content
    for session in sessions.values():
        await session.aclose()
