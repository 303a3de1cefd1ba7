"""Which file a login is kept in (one per cloud, user and scope; never named or filled by a secret), and that
what is kept reads back as it was. The real Keystone runs are in tests/integration/test_token_cache_real.py."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from ims_tui.api.keystone import (
    ApplicationCredential,
    AuthResult,
    PasswordCredentials,
    TokenCache,
    TokenCredentials,
)
from ims_tui.api.keystone.token_cache import cache_key

PASSWORD = "correct-horse-battery"
BASE: dict[str, Any] = {
    "auth_url": "https://keystone.example:5000/v3",
    "username": "alice",
    "user_domain_name": "Default",
    "project_name": "web",
    "project_domain_name": "Default",
}


def file_of(**changes: Any) -> Path:
    path = TokenCache(Path("/cache")).path_for(PasswordCredentials(**{"password": PASSWORD, **BASE, **changes}))
    assert path is not None
    return path


def test_the_same_login_is_the_same_file_whatever_its_password() -> None:
    assert file_of() == file_of(password="another one")
    assert file_of() == file_of(auth_url="https://keystone.example:5000/")  # the same Keystone, written otherwise
    assert PASSWORD not in str(file_of())


@pytest.mark.parametrize(
    "changes",
    [
        {"auth_url": "https://keystone.other:5000/v3"},
        {"username": "bob"},
        {"user_domain_name": "Corp"},
        {"project_name": "db"},
        {"project_domain_name": "Corp"},
        {"project_name": None, "project_id": "0123abcd"},
        {"project_name": None, "domain_name": "Default"},
    ],
    ids=lambda changes: ",".join(changes),
)
def test_another_cloud_user_or_scope_is_another_file(changes: dict[str, Any]) -> None:
    assert file_of(**changes) != file_of()


def test_a_login_kept_by_an_earlier_release_is_found_again() -> None:
    # the file's name and key are derived from the credential's fields: pinned, so a change of how the
    # credentials are declared can't silently orphan every kept login
    assert file_of().name == "6e560b2984f74db28a476340a2b7993c.json"
    assert cache_key(PasswordCredentials(password=PASSWORD, **BASE)) == {"kind": "PasswordCredentials", **BASE}


def test_application_credentials_by_id_and_no_file_for_a_token() -> None:
    cache = TokenCache(Path("/cache"))
    url = BASE["auth_url"]
    one = cache.path_for(ApplicationCredential(auth_url=url, id="a1", secret="s1"))
    assert one == cache.path_for(ApplicationCredential(auth_url=url, id="a1", secret="s2"))
    assert one != cache.path_for(ApplicationCredential(auth_url=url, id="a2", secret="s1"))
    assert one != file_of()
    assert cache.path_for(TokenCredentials(auth_url=url, token="gAAAAA-a-token", project_name="web")) is None


def test_what_is_kept_reads_back_and_holds_no_password(tmp_path: Path) -> None:
    credentials = PasswordCredentials(password=PASSWORD, **BASE)
    result = AuthResult(
        token_expires_at=datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc),
        catalog=[{"type": "image", "endpoints": [{"url": "https://glance.example", "interface": "public"}]}],
        project_id="p1",
        project_name="web",
        user_name="alice",
        roles=("member", "reader"),
        methods=("password",),
    )
    cache = TokenCache(tmp_path / "tokens")
    cache.save(credentials, "gAAAAA-the-token", result)
    kept = cache.load(credentials)
    assert kept is not None and (kept.token, kept.result) == ("gAAAAA-the-token", result)
    path = cache.path_for(credentials)
    assert path is not None and PASSWORD not in path.read_text()
    assert json.loads(path.read_text())["key"]["username"] == "alice"
    cache.drop(credentials)
    assert cache.load(credentials) is None and not path.exists()


def test_a_login_without_an_expiry_is_not_kept(tmp_path: Path) -> None:
    credentials = PasswordCredentials(password=PASSWORD, **BASE)
    TokenCache(tmp_path).save(credentials, "gAAAAA-the-token", AuthResult(token_expires_at=None))
    assert list(tmp_path.iterdir()) == []


def test_where_shows_the_folder_the_logins_are_kept_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ims_tui.config import ConnectOptions, where

    own = where(ConnectOptions(environ={"IMS_TUI_CACHE_DIR": str(tmp_path / "mine")}, cwd=tmp_path))
    assert f"- {tmp_path / 'mine' / 'tokens'}" in own
    monkeypatch.delenv("IMS_TUI_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (tmp_path / "xdg" / "ims-tui" / "tokens").mkdir(parents=True)
    assert f"+ {tmp_path / 'xdg' / 'ims-tui' / 'tokens'}" in where(ConnectOptions(environ={}, cwd=tmp_path))
