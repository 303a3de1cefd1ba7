"""Logins kept between runs (api/keystone/token_cache.py), against the real Keystone and keystone-mode Glance.

Each "run" is a new session with its own request log, as a new ims-tui process would be; the cache folder is
the test's own.
"""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from ims_tui.api.keystone import ApplicationCredential, Credentials, KeystoneSession, TokenCache
from ims_tui.api.request_log import SESSION_LOG, RequestLog
from ims_tui.api.session import SessionInfo
from ims_tui.config import ConnectOptions, resolve
from ims_tui.config.secrets import Secret
from tests.integration.test_keystone_real import FakeClock, _create_app_credential, admin_call, password
from tests.integration.test_ui_real import CLOUDS_YAML
from tools.openstack_lab import KeystoneLab

pytestmark = pytest.mark.keystone


def calls(log: RequestLog) -> list[tuple[str, str, int | None]]:
    return [(e.method, e.path.rsplit("/v3", 1)[-1], e.status) for e in reversed(log.newest_first())]


def token_posts(log: RequestLog) -> int:
    return sum(1 for method, path, _ in calls(log) if (method, path) == ("POST", "/auth/tokens"))


def kept_token(path: Path) -> str:
    token = json.loads(path.read_text())["token"]
    assert isinstance(token, str)
    return token


async def run(
    lab: KeystoneLab,
    folder: Path,
    *,
    list_images: bool = True,
    credentials: Credentials | None = None,
    **kwargs: object,
) -> tuple[KeystoneSession, RequestLog, SessionInfo]:
    """One run: connect (and list) with a cache in ``folder``, then close; what the header showed."""
    log = RequestLog()
    credentials = credentials or password(lab, lab.demo)
    session = KeystoneSession(
        SessionInfo(cloud="lab"), credentials, request_log=log, token_cache=TokenCache(folder), **kwargs
    )
    try:
        connection = await session.connect()
        client, info = connection.client, connection.info
        if list_images:
            page = await client.list_page()
            assert page.images is not None
    finally:
        await session.aclose()
    return session, log, info


def cache_file(lab: KeystoneLab, folder: Path) -> Path:
    path = TokenCache(folder).path_for(password(lab, lab.demo))
    assert path is not None
    return path


async def test_the_second_run_sends_no_token_request_and_lists(keystone_lab: KeystoneLab, tmp_path: Path) -> None:
    folder = tmp_path / "tokens"
    _, first_log, first = await run(keystone_lab, folder)
    assert token_posts(first_log) == 1
    path = cache_file(keystone_lab, folder)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert keystone_lab.demo.password not in path.read_text()

    second, second_log, info = await run(keystone_lab, folder)
    assert calls(second_log) == [("GET", "/v2/images", 200)]  # not a single request to Keystone
    assert second.auth.restored and second.auth.authentication_count == 0
    assert info.endpoint == keystone_lab.glance_url and info.project == "demo"
    assert info.project_id == first.project_id is not None


async def test_an_application_credential_login_is_kept_without_its_secret(
    keystone_lab: KeystoneLab, tmp_path: Path
) -> None:
    _, cred_id, _, secret = await _create_app_credential(keystone_lab)
    credentials = ApplicationCredential(auth_url=keystone_lab.keystone_url, id=cred_id, secret=secret)
    _, first, _ = await run(keystone_lab, tmp_path, credentials=credentials)
    _, second, info = await run(keystone_lab, tmp_path, credentials=credentials)
    assert (token_posts(first), calls(second)) == (1, [("GET", "/v2/images", 200)])
    assert info.project == "demo"
    (path,) = tmp_path.iterdir()
    assert secret not in path.read_text()


async def test_connect_with_a_fresh_kept_login_sends_nothing(keystone_lab: KeystoneLab, tmp_path: Path) -> None:
    await run(keystone_lab, tmp_path, list_images=False)
    _, log, _ = await run(keystone_lab, tmp_path, list_images=False)
    assert calls(log) == []


async def test_a_login_about_to_expire_is_replaced(keystone_lab: KeystoneLab, tmp_path: Path) -> None:
    first, _, _ = await run(keystone_lab, tmp_path, list_images=False)
    path = cache_file(keystone_lab, tmp_path)
    old = kept_token(path)
    assert first.result is not None and first.result.token_expires_at is not None
    clock = FakeClock()
    clock.now = first.result.token_expires_at - timedelta(minutes=4)  # inside RENEW_BEFORE
    # no list: at this clock the new token, issued for the real time, would be renewed again before it
    second, log, _ = await run(keystone_lab, tmp_path, clock=clock, list_images=False)
    assert token_posts(log) == 1 and not second.auth.restored
    assert kept_token(path) != old


@pytest.mark.parametrize(
    ("damage", "mode"),
    [
        (b'{"format": 1, "token": "gAAAAA', 0o600),  # cut short
        (b"\xff\xfe not text", 0o600),
        (b'["a", "list"]', 0o600),
        (b'{"format": 1, "key": {}, "token": "gAAAAA-not-a-token", "result": {}}', 0o600),  # not this login's
        (None, 0o640),  # a good file the group may read
        (None, 0o604),
    ],
    ids=["truncated", "not-utf8", "a-list", "wrong-shape", "group-readable", "other-readable"],
)
async def test_a_broken_or_exposed_file_is_ignored_and_replaced(
    keystone_lab: KeystoneLab, tmp_path: Path, damage: bytes | None, mode: int
) -> None:
    await run(keystone_lab, tmp_path, list_images=False)
    path = cache_file(keystone_lab, tmp_path)
    old = kept_token(path)
    if damage is not None:
        path.write_bytes(damage)
    path.chmod(mode)
    second, log, _ = await run(keystone_lab, tmp_path)
    assert token_posts(log) == 1 and not second.auth.restored
    assert [c for c in calls(log) if c[1] == "/v2/images"] == [("GET", "/v2/images", 200)]
    assert kept_token(path) != old and stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_a_revoked_kept_token_is_dropped_and_replaced_by_one_login(
    keystone_lab: KeystoneLab, tmp_path: Path
) -> None:
    await run(keystone_lab, tmp_path, list_images=False)  # Glance has never seen it: nothing hides the revocation
    path = cache_file(keystone_lab, tmp_path)
    old = kept_token(path)
    revoked = await admin_call(keystone_lab, "DELETE", "/auth/tokens", headers={"X-Subject-Token": old})
    assert revoked.status_code == 204
    second, log, _ = await run(keystone_lab, tmp_path)
    assert calls(log) == [("GET", "/v2/images", 401), ("POST", "/auth/tokens", 201), ("GET", "/v2/images", 200)]
    assert second.auth.authentication_count == 1
    assert kept_token(path) not in (old, "")
    _, third, _ = await run(keystone_lab, tmp_path)
    assert calls(third) == [("GET", "/v2/images", 200)]


# ------------------------------------------------------------------------------------- from the config file


def options(lab: KeystoneLab, tmp_path: Path, *, with_password: bool, ui: str = "") -> ConnectOptions:
    clouds = tmp_path / "clouds.yaml"
    text = CLOUDS_YAML.format(
        name="lab",
        region=lab.region,
        auth_url=lab.keystone_url,
        username=lab.demo.username,
        project=lab.demo.project_name,
    )
    clouds.write_text(text + (f"      password: {lab.demo.password}\n" if with_password else ""))
    clouds.chmod(0o600)
    config = tmp_path / "config.toml"
    config.write_text(f"[ui]\n{ui}\n")
    environ = {"OS_CLIENT_CONFIG_FILE": str(clouds), "IMS_TUI_CACHE_DIR": str(tmp_path / "cache")}
    return ConnectOptions(environ=environ, config_path=config, os_cloud="lab", cwd=tmp_path)


async def start(opts: ConnectOptions, typed: str | None = None) -> int:
    """One run as the app makes it (config, clouds.yaml, the typed password if asked): the token requests sent."""
    SESSION_LOG.clear()
    resolved = resolve(opts)
    assert resolved.default is not None
    session = resolved.sessions[resolved.default]()
    assert session.needs_password == (typed is not None)
    if typed is not None:
        session.provide_password(Secret(typed, source="prompt"))
    try:
        await (await session.connect()).client.list_page()
    finally:
        await session.aclose()
    return token_posts(SESSION_LOG)


async def test_a_password_in_clouds_yaml_keeps_the_login(keystone_lab: KeystoneLab, tmp_path: Path) -> None:
    opts = options(keystone_lab, tmp_path, with_password=True)
    assert [await start(opts), await start(opts)] == [1, 0]
    assert len(list((tmp_path / "cache" / "tokens").iterdir())) == 1


def files(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}


async def test_token_cache_false_reads_and_writes_nothing(keystone_lab: KeystoneLab, tmp_path: Path) -> None:
    await run(keystone_lab, tmp_path / "cache" / "tokens", list_images=False)  # a fresh login is there to take
    before = files(tmp_path / "cache")
    off = options(keystone_lab, tmp_path, with_password=True, ui="token_cache = false")
    assert [await start(off), await start(off)] == [1, 1]
    assert files(tmp_path / "cache") == before
    assert await start(options(keystone_lab, tmp_path, with_password=True)) == 0  # it was there to take


async def test_a_typed_password_reads_and_writes_nothing(keystone_lab: KeystoneLab, tmp_path: Path) -> None:
    typed = keystone_lab.demo.password
    prompted = options(keystone_lab, tmp_path, with_password=False)
    assert [await start(prompted, typed), await start(prompted, typed)] == [1, 1]
    assert not (tmp_path / "cache").exists()
    await run(keystone_lab, tmp_path / "cache" / "tokens", list_images=False)  # the same login, kept by another run
    before = files(tmp_path / "cache")
    assert await start(options(keystone_lab, tmp_path, with_password=False), typed) == 1  # not taken
    assert files(tmp_path / "cache") == before
    assert await start(options(keystone_lab, tmp_path, with_password=True)) == 0  # it was there to take
