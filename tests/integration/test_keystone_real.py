"""KeystoneAuth and KeystoneSession against a real Keystone and a keystone-mode Glance on 127.0.0.1."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from ims_tui.api.errors import ApiError
from ims_tui.api.keystone import (
    ApplicationCredential,
    AuthError,
    Credentials,
    EndpointNotFound,
    KeystoneAuth,
    KeystoneSession,
    PasswordCredentials,
    TokenCredentials,
)
from ims_tui.api.session import SessionInfo
from tools.openstack_lab import Account, KeystoneLab

pytestmark = pytest.mark.keystone


# ---------------------------------------------------------------------------------------------- helpers


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    """A real HTTP transport that remembers what went over the wire (method, path, status)."""

    inner: httpx.AsyncBaseTransport = field(default_factory=httpx.AsyncHTTPTransport)
    calls: list[tuple[str, str, int]] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.calls.append((request.method, request.url.path, response.status_code))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    def token_posts(self) -> int:
        return sum(1 for method, path, _ in self.calls if method == "POST" and path.endswith("/auth/tokens"))

    def statuses(self, path_part: str) -> list[int]:
        return [status for _, path, status in self.calls if path_part in path]


def password(lab: KeystoneLab, account: Account, **overrides: Any) -> PasswordCredentials:
    fields: dict[str, Any] = {
        "auth_url": lab.keystone_url,
        "username": account.username,
        "password": account.password,
        "user_domain_name": "Default",
        "project_name": account.project_name,
        "project_domain_name": "Default",
    }
    fields.update(overrides)
    return PasswordCredentials(**fields)


async def admin_call(lab: KeystoneLab, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """A Keystone API call as admin, written independently of the code under test."""
    async with httpx.AsyncClient(base_url=lab.keystone_url.rstrip("/") + "/") as http:
        login = await http.post(
            "auth/tokens",
            json={
                "auth": {
                    "identity": {
                        "methods": ["password"],
                        "password": {
                            "user": {
                                "name": lab.admin.username,
                                "domain": {"id": "default"},
                                "password": lab.admin.password,
                            }
                        },
                    },
                    "scope": {"project": {"name": lab.admin.project_name, "domain": {"id": "default"}}},
                }
            },
        )
        assert login.status_code == 201, login.text
        headers = {"X-Auth-Token": login.headers["X-Subject-Token"], **kwargs.pop("headers", {})}
        return await http.request(method, path.lstrip("/"), headers=headers, **kwargs)


async def lookup_id(lab: KeystoneLab, kind: str, name: str) -> str:
    response = await admin_call(lab, "GET", f"/{kind}", params={"name": name})
    items = response.json()[kind]
    assert len(items) == 1, items
    return str(items[0]["id"])


def replace_token(auth: KeystoneAuth, token: str) -> None:
    """Swap the cached token, keeping its expiry: a token the service no longer accepts. (Revoking it would not
    do once Glance has validated it: keystonemiddleware caches the answer.)"""
    auth._token = token


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    rec = Recorder()
    yield rec
    await rec.aclose()


async def connected(
    lab: KeystoneLab, credentials: Credentials, recorder: Recorder, **kwargs: Any
) -> tuple[KeystoneSession, Any]:
    session = KeystoneSession(SessionInfo(cloud="lab"), credentials, transport=recorder, **kwargs)
    connection = await session.connect()
    return session, connection.client


# ------------------------------------------------------------------------------------------- logins


async def test_password_by_names_finds_glance_in_the_catalog_and_lists(
    keystone_lab: KeystoneLab, recorder: Recorder
) -> None:
    session, client = await connected(keystone_lab, password(keystone_lab, keystone_lab.demo), recorder)
    try:
        assert session.info.endpoint == keystone_lab.glance_url
        assert session.info.region == keystone_lab.region
        assert (session.info.project, session.info.user) == ("demo", "demo")
        assert session.info.project_id == await lookup_id(keystone_lab, "projects", "demo")  # from the token
        assert session.result is not None and "member" in session.result.roles
        page = await client.list_page()
        assert page.images is not None
        assert recorder.statuses("/v2/images") == [200]
        assert recorder.token_posts() == 1
    finally:
        await session.aclose()


async def test_password_by_ids(keystone_lab: KeystoneLab, recorder: Recorder) -> None:
    user_id = await lookup_id(keystone_lab, "users", "demo")
    project_id = await lookup_id(keystone_lab, "projects", "demo")
    creds = PasswordCredentials(
        auth_url=keystone_lab.keystone_url.removesuffix("/v3"),  # without /v3: normalised
        user_id=user_id,
        password=keystone_lab.demo.password,
        project_id=project_id,
    )
    session, client = await connected(keystone_lab, creds, recorder, interface="internal", region="RegionOne")
    try:
        assert session.result is not None
        assert (session.result.user_id, session.result.project_id) == (user_id, project_id)
        assert session.info.project == "demo"
        await client.list_page()
    finally:
        await session.aclose()


async def test_domain_scoped_token(keystone_lab: KeystoneLab) -> None:
    demo = KeystoneAuth(password(keystone_lab, keystone_lab.demo, project_name=None, domain_id="default"))
    with pytest.raises(AuthError, match="not authorized for domain 'default': check the domain name"):
        await demo.authenticate()
    # admin is bootstrapped with roles on its project only; a domain role makes domain scoping possible
    admin_id = await lookup_id(keystone_lab, "users", keystone_lab.admin.username)
    role_id = await lookup_id(keystone_lab, "roles", "admin")
    granted = await admin_call(keystone_lab, "PUT", f"/domains/default/users/{admin_id}/roles/{role_id}")
    assert granted.status_code == 204
    auth = KeystoneAuth(password(keystone_lab, keystone_lab.admin, project_name=None, domain_id="default"))
    result = await auth.authenticate()
    assert result.domain_id == "default" and result.project_id is None


async def test_token_rescoping(keystone_lab: KeystoneLab, recorder: Recorder) -> None:
    unscoped = KeystoneAuth(password(keystone_lab, keystone_lab.demo, project_name=None, project_domain_name=None))
    await unscoped.authenticate()
    token = unscoped._token  # the test needs the raw token to exchange it; the app never reads it
    assert token is not None
    creds = TokenCredentials(
        auth_url=keystone_lab.keystone_url, token=token, project_name="demo", project_domain_id="default"
    )
    session, client = await connected(keystone_lab, creds, recorder)
    try:
        assert session.info.project == "demo"
        await client.list_page()
    finally:
        await session.aclose()


async def _create_app_credential(lab: KeystoneLab) -> tuple[str, str, str, str]:
    """(user id, credential id, name, secret), created by demo for itself as the Keystone API allows."""
    auth = KeystoneAuth(password(lab, lab.demo))
    result = await auth.authenticate()
    assert result.user_id is not None and auth._token is not None
    name = f"ims-tui-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{lab.keystone_url}/users/{result.user_id}/application_credentials",
            json={"application_credential": {"name": name}},
            headers={"X-Auth-Token": auth._token},
        )
    assert response.status_code == 201, response.text
    cred = response.json()["application_credential"]
    return result.user_id, cred["id"], name, cred["secret"]


async def test_application_credential_by_id_and_by_name(keystone_lab: KeystoneLab, recorder: Recorder) -> None:
    user_id, cred_id, name, secret = await _create_app_credential(keystone_lab)
    for creds in (
        ApplicationCredential(auth_url=keystone_lab.keystone_url, id=cred_id, secret=secret),
        ApplicationCredential(
            auth_url=keystone_lab.keystone_url, name=name, secret=secret, username="demo", user_domain_name="Default"
        ),
        ApplicationCredential(auth_url=keystone_lab.keystone_url, name=name, secret=secret, user_id=user_id),
    ):
        session, client = await connected(keystone_lab, creds, recorder)
        try:
            assert session.info.project == "demo" and session.info.user == "demo"
            assert session.result is not None and session.result.methods == ("application_credential",)
            await client.list_page()
        finally:
            await session.aclose()


# ------------------------------------------------------------------------------------------- failures


def assert_no_secret(exc: BaseException, *secrets: str) -> None:
    for text in (str(exc), repr(exc), getattr(exc, "describe", lambda: "")()):
        for secret in secrets:
            assert secret not in text


async def test_wrong_password_is_clear_and_keeps_the_password_out(keystone_lab: KeystoneLab) -> None:
    wrong = "Wrong-Password-123"
    auth = KeystoneAuth(password(keystone_lab, keystone_lab.demo, password=wrong))
    with pytest.raises(AuthError) as caught:
        await auth.authenticate()
    assert caught.value.message.startswith(
        "Keystone rejected the credentials for user 'demo' in domain 'Default': "
        "check the user name, password and user domain"
    )
    assert caught.value.status == 401 and caught.value.request_id
    assert_no_secret(caught.value, wrong)
    assert wrong not in repr(auth)


async def test_unknown_user_domain(keystone_lab: KeystoneLab) -> None:
    auth = KeystoneAuth(password(keystone_lab, keystone_lab.demo, user_domain_name="Nowhere"))
    with pytest.raises(AuthError, match="user 'demo' in domain 'Nowhere'"):
        await auth.authenticate()


@pytest.mark.parametrize("project", ["no-such-project", "admin"])
async def test_unknown_or_foreign_project_says_check_the_project(keystone_lab: KeystoneLab, project: str) -> None:
    auth = KeystoneAuth(password(keystone_lab, keystone_lab.demo, project_name=project))
    with pytest.raises(AuthError) as caught:
        await auth.authenticate()
    assert f"user 'demo' in domain 'Default' is not authorized for project '{project}' in domain 'Default'" in (
        caught.value.message
    )
    assert "check the project name and project domain" in caught.value.message
    assert_no_secret(caught.value, keystone_lab.demo.password)


async def test_deleted_application_credential(keystone_lab: KeystoneLab) -> None:
    user_id, cred_id, _, secret = await _create_app_credential(keystone_lab)
    deleted = await admin_call(keystone_lab, "DELETE", f"/users/{user_id}/application_credentials/{cred_id}")
    assert deleted.status_code == 204
    auth = KeystoneAuth(ApplicationCredential(auth_url=keystone_lab.keystone_url, id=cred_id, secret=secret))
    with pytest.raises(AuthError) as caught:
        await auth.authenticate()
    assert f"application credential '{cred_id}' does not exist" in caught.value.message
    assert "create a new application credential" in caught.value.message
    assert_no_secret(caught.value, secret)


async def test_wrong_application_credential_secret(keystone_lab: KeystoneLab) -> None:
    _, cred_id, _, secret = await _create_app_credential(keystone_lab)
    # differ early: Keystone hashes secrets with bcrypt, which ignores everything past 72 bytes
    wrong = "wrong-" + secret[:20]
    auth = KeystoneAuth(ApplicationCredential(auth_url=keystone_lab.keystone_url, id=cred_id, secret=wrong))
    with pytest.raises(AuthError, match="check its id .* and secret, and that it has not expired") as caught:
        await auth.authenticate()
    assert_no_secret(caught.value, secret, wrong)


async def test_auth_url_that_is_not_keystone(keystone_lab: KeystoneLab) -> None:
    auth = KeystoneAuth(password(keystone_lab, keystone_lab.demo, auth_url=keystone_lab.glance_url))
    with pytest.raises(ApiError, match="check auth_url"):
        await auth.authenticate()


async def test_region_without_an_image_endpoint(keystone_lab: KeystoneLab, recorder: Recorder) -> None:
    session = KeystoneSession(
        SessionInfo(cloud="lab"), password(keystone_lab, keystone_lab.demo), region="Mars", transport=recorder
    )
    with pytest.raises(EndpointNotFound, match="region 'Mars'; regions that have one: RegionOne"):
        await session.connect()
    await session.aclose()


# ---------------------------------------------------------------------------------- renewal and 401


async def test_revoked_token_is_replaced_once_and_the_request_retried(
    keystone_lab: KeystoneLab, recorder: Recorder
) -> None:
    session, client = await connected(keystone_lab, password(keystone_lab, keystone_lab.demo), recorder)
    try:
        token = session.auth._token
        assert token is not None
        # Glance has never seen this token, so its token cache cannot hide the revocation.
        revoked = await admin_call(keystone_lab, "DELETE", "/auth/tokens", headers={"X-Subject-Token": token})
        assert revoked.status_code == 204
        await client.list_page()
        assert recorder.statuses("/v2/images") == [401, 200]
        assert session.auth.authentication_count == 2
        assert session.auth._token != token
    finally:
        await session.aclose()


async def test_token_the_service_rejects_is_replaced_once(keystone_lab: KeystoneLab, recorder: Recorder) -> None:
    session, client = await connected(keystone_lab, password(keystone_lab, keystone_lab.demo), recorder)
    try:
        await client.list_page()
        replace_token(session.auth, "gAAAAA-not-a-real-token")
        await client.list_page()
        assert recorder.statuses("/v2/images") == [200, 401, 200]
        assert session.auth.authentication_count == 2
        assert recorder.token_posts() == 2
    finally:
        await session.aclose()


async def test_concurrent_requests_share_one_authentication(keystone_lab: KeystoneLab, recorder: Recorder) -> None:
    auth = KeystoneAuth(password(keystone_lab, keystone_lab.demo), transport=recorder)
    async with httpx.AsyncClient(auth=auth, transport=recorder) as http:
        responses = await asyncio.gather(*(http.get(f"{keystone_lab.glance_url}/v2/images") for _ in range(6)))
    assert [r.status_code for r in responses] == [200] * 6
    assert auth.authentication_count == 1 and recorder.token_posts() == 1


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now


async def test_token_near_expiry_is_renewed_before_use(keystone_lab: KeystoneLab, recorder: Recorder) -> None:
    clock = FakeClock()
    session, client = await connected(keystone_lab, password(keystone_lab, keystone_lab.demo), recorder, clock=clock)
    try:
        assert session.result is not None and session.result.token_expires_at is not None
        expires = session.result.token_expires_at
        clock.now = expires - timedelta(minutes=6)  # still comfortably valid: reused
        await client.list_page()
        assert session.auth.authentication_count == 1
        clock.now = expires - timedelta(minutes=4)  # inside the renewal window: renewed before the request
        await client.list_page()
        assert session.auth.authentication_count == 2
        assert recorder.statuses("/v2/images") == [200, 200]  # no 401 was needed
    finally:
        await session.aclose()


async def test_a_client_of_its_own_authenticates_through_its_own_pool(keystone_lab: KeystoneLab) -> None:
    # No authenticate() first: the flow's token request goes through the caller's client, as does the renewal.
    auth = KeystoneAuth(password(keystone_lab, keystone_lab.demo))
    async with httpx.AsyncClient(auth=auth) as http:
        first = await http.get(f"{keystone_lab.glance_url}/v2/images")
        replace_token(auth, "gAAAAA-not-a-real-token")
        second = await http.get(f"{keystone_lab.glance_url}/v2/images")
    assert (first.status_code, second.status_code) == (200, 200)
    assert auth.authentication_count == 2
    # the token POST is part of the exchange now, as a digest challenge is: the 401, then the new token
    assert [r.status_code for r in second.history] == [401, 201]
