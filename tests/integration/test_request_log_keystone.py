"""The request log against the real Keystone and a keystone-mode Glance: token requests are logged with the
image requests, a renewal after a 401 included, and nothing secret is kept of any of them."""

from __future__ import annotations

import pytest

from ims_tui.api.keystone import AuthError, KeystoneSession, PasswordCredentials
from ims_tui.api.request_log import RequestEntry, RequestLog
from ims_tui.api.session import SessionInfo
from tools.openstack_lab import Account, KeystoneLab

pytestmark = pytest.mark.keystone


def credentials(lab: KeystoneLab, account: Account, secret: str | None = None) -> PasswordCredentials:
    return PasswordCredentials(
        auth_url=lab.keystone_url,
        username=account.username,
        password=secret or account.password,
        user_domain_name="Default",
        project_name=account.project_name,
        project_domain_name="Default",
    )


def seen(log: RequestLog) -> list[tuple[str, str, int | None, str]]:
    return [(e.method, e.path.rsplit("/v3", 1)[-1], e.status, e.service) for e in reversed(log.newest_first())]


def kept(entry: RequestEntry) -> str:
    return " ".join(str(getattr(entry, name)) for name in RequestEntry.__slots__)


async def test_token_requests_appear_with_the_image_requests(keystone_lab: KeystoneLab) -> None:
    log = RequestLog()
    account = keystone_lab.demo
    session = KeystoneSession(SessionInfo(cloud="lab"), credentials(keystone_lab, account), request_log=log)
    try:
        client = (await session.connect()).client
        await client.list_page()
        session.auth._token = "gAAAAA-not-a-real-token"  # a token Glance refuses: one 401, one renewal
        await client.list_page()
        token = session.auth._token
    finally:
        await session.aclose()
    assert seen(log) == [
        ("POST", "/auth/tokens", 201, "Keystone"),
        ("GET", "/v2/images", 200, ""),
        ("GET", "/v2/images", 401, ""),
        ("POST", "/auth/tokens", 201, "Keystone"),
        ("GET", "/v2/images", 200, ""),
    ]
    for entry in log.newest_first():
        assert entry.done and (entry.request_id or entry.status == 401), entry  # keystonemiddleware's 401 has none
        assert token and token not in kept(entry) and account.password not in kept(entry)
        if entry.service:
            assert entry.host in keystone_lab.keystone_url and entry.error == ""


async def test_a_refused_login_is_logged_without_its_answer(keystone_lab: KeystoneLab) -> None:
    log = RequestLog()
    wrong = "Wr0ng-Pa55/for-the-log"
    session = KeystoneSession(
        SessionInfo(cloud="lab"), credentials(keystone_lab, keystone_lab.demo, wrong), request_log=log
    )
    with pytest.raises(AuthError):
        await session.connect()
    await session.aclose()
    assert [(e.method, e.status, e.failed) for e in log.newest_first()][-1] == ("POST", 401, True)
    for entry in log.newest_first():
        assert entry.service == "Keystone" and entry.error == "" and wrong not in kept(entry)
