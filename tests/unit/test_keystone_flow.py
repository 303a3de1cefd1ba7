"""KeystoneAuth's flow driven step by step with next()/send(), as httpx's tests/test_auth.py drives DigestAuth.

No server: each test plays Keystone and the image service by sending responses into the generator. The async
driver (the lock) and the client's wording of a failed token request are checked on in-process transports.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import AuthError, NetworkError
from ims_tui.api.keystone import ApplicationCredential, KeystoneAuth, PasswordCredentials

AUTH_URL = "http://ks.test:5000/v3"
TOKEN_URL = AUTH_URL + "/auth/tokens"
IMAGES = "http://glance.test:9292/v2/images"
PASSWORD = "Flow-Secret-Pw!"
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def user(**scope: str) -> PasswordCredentials:
    return PasswordCredentials(auth_url=AUTH_URL, user_id="u-1", password=PASSWORD, **scope)


def token_answer(request: httpx.Request, token: str, expires: datetime = NOW + timedelta(hours=1)) -> httpx.Response:
    body = {"token": {"expires_at": expires.isoformat(), "user": {"id": "u-1", "name": "demo"}, "catalog": []}}
    return httpx.Response(201, headers={"X-Subject-Token": token}, json=body, request=request)


def refusal(
    request: httpx.Request, status: int = 401, message: str = "The request you have made requires authentication."
) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": status, "message": message}}, request=request)


def answer(request: httpx.Request, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"images": []}, request=request)


def is_token_post(request: httpx.Request) -> bool:
    return request.method == "POST" and str(request.url) == TOKEN_URL


def logged_in(token: str = "tok-1", clock: Clock | None = None) -> KeystoneAuth:
    """An auth that already holds ``token``, obtained by driving one request through its flow."""
    auth = KeystoneAuth(user(), clock=clock or Clock())
    flow = auth.auth_flow(httpx.Request("GET", IMAGES))
    signed = flow.send(token_answer(next(flow), token))
    with pytest.raises(StopIteration):
        flow.send(answer(signed))
    return auth


# ------------------------------------------------------------------------------------------- the steps


def test_no_token_yields_the_token_post_then_the_request_with_the_token() -> None:
    auth = KeystoneAuth(user(), clock=Clock())
    request = httpx.Request("GET", IMAGES)
    flow = auth.auth_flow(request)
    post = next(flow)
    assert is_token_post(post)
    assert "X-Auth-Token" not in post.headers
    assert json.loads(post.content)["auth"]["identity"]["password"]["user"] == {"id": "u-1", "password": PASSWORD}
    signed = flow.send(token_answer(post, "tok-1"))
    assert signed is request and signed.headers["X-Auth-Token"] == "tok-1"
    with pytest.raises(StopIteration):
        flow.send(answer(signed))
    assert auth.authentication_count == 1


def test_a_fresh_token_is_reused_without_a_token_post() -> None:
    auth = logged_in("tok-1")
    flow = auth.auth_flow(httpx.Request("GET", IMAGES))
    assert next(flow).headers["X-Auth-Token"] == "tok-1"
    assert auth.authentication_count == 1


def test_a_401_from_the_service_fetches_a_new_token_and_retries_once() -> None:
    auth = logged_in("tok-1")
    flow = auth.auth_flow(httpx.Request("GET", IMAGES))
    first = next(flow)
    post = flow.send(answer(first, 401))
    assert is_token_post(post) and "X-Auth-Token" not in post.headers
    retried = flow.send(token_answer(post, "tok-2"))
    assert retried.url == IMAGES and retried.headers["X-Auth-Token"] == "tok-2"
    with pytest.raises(StopIteration):
        flow.send(answer(retried))
    assert auth.authentication_count == 2


def test_a_second_401_goes_to_the_caller_instead_of_looping() -> None:
    auth = logged_in("tok-1")
    flow = auth.auth_flow(httpx.Request("GET", IMAGES))
    first = next(flow)
    retried = flow.send(token_answer(flow.send(answer(first, 401)), "tok-2"))
    with pytest.raises(StopIteration):
        flow.send(answer(retried, 401))
    assert auth.authentication_count == 2


def test_a_streamed_body_is_not_sent_twice_after_a_401() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"image data"

    auth = logged_in("tok-1")
    flow = auth.auth_flow(httpx.Request("PUT", IMAGES + "/x/file", content=chunks()))
    first = next(flow)
    with pytest.raises(StopIteration):
        flow.send(answer(first, 401))
    assert auth.authentication_count == 1


def test_a_token_near_expiry_is_renewed_before_the_request() -> None:
    clock = Clock()
    auth = logged_in("tok-1", clock)  # expires at NOW + 1 h
    clock.now = NOW + timedelta(minutes=54)  # 6 minutes left: still used
    assert next(auth.auth_flow(httpx.Request("GET", IMAGES))).headers["X-Auth-Token"] == "tok-1"
    clock.now = NOW + timedelta(minutes=56)  # 4 minutes left: inside the renewal window
    flow = auth.auth_flow(httpx.Request("GET", IMAGES))
    post = next(flow)
    assert is_token_post(post) and "X-Auth-Token" not in post.headers
    assert flow.send(token_answer(post, "tok-2", NOW + timedelta(hours=2))).headers["X-Auth-Token"] == "tok-2"


# ------------------------------------------------------------------------------------- Keystone refuses


def test_a_401_on_the_token_post_is_an_auth_error_that_names_what_to_check() -> None:
    auth = KeystoneAuth(user())
    flow = auth.auth_flow(httpx.Request("GET", IMAGES))
    post = next(flow)
    with pytest.raises(AuthError) as caught:
        flow.send(refusal(post))
    assert caught.value.message == (
        "Keystone rejected the credentials for user id 'u-1': check the user name, password and user domain"
    )
    assert (caught.value.status, caught.value.method, caught.value.path) == (401, "POST", "/v3/auth/tokens")


def test_a_refused_scoped_login_asks_once_without_the_scope_to_tell_which_is_wrong() -> None:
    auth = KeystoneAuth(user(project_id="p-9"))
    flow = auth.auth_flow(httpx.Request("GET", IMAGES))
    post = next(flow)
    assert json.loads(post.content)["auth"]["scope"] == {"project": {"id": "p-9"}}
    probe = flow.send(refusal(post))
    assert is_token_post(probe) and "scope" not in json.loads(probe.content)["auth"]
    with pytest.raises(AuthError, match="user id 'u-1' is not authorized for project id 'p-9': check the project"):
        flow.send(token_answer(probe, "unscoped"))
    assert auth.authentication_count == 0  # the probe's token is not kept


def test_keystones_words_are_quoted_without_the_secret() -> None:
    auth = KeystoneAuth(ApplicationCredential(auth_url=AUTH_URL, id="ac-1", secret=PASSWORD))
    flow = auth.auth_flow(httpx.Request("GET", IMAGES))
    post = next(flow)
    with pytest.raises(AuthError) as caught:
        flow.send(refusal(post, message=f"secret {PASSWORD} has expired"))
    assert "(Keystone said: secret *** has expired)" in caught.value.message
    assert PASSWORD not in caught.value.describe()


# --------------------------------------------------------------------------- drivers, on in-process transports


class FakeCloud:
    """Keystone and Glance in one handler, counting token posts; Glance accepts only the newest token."""

    def __init__(self) -> None:
        self.token_posts = 0
        self.seen: list[tuple[str, str, str | None]] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path, request.headers.get("X-Auth-Token")))
        if is_token_post(request):
            self.token_posts += 1
            await asyncio.sleep(0)  # let the other requests pile up behind the lock
            return token_answer(request, f"tok-{self.token_posts}")
        ok = request.headers.get("X-Auth-Token") == f"tok-{self.token_posts}"
        return answer(request, 200 if ok else 401)


async def test_concurrent_requests_wait_for_one_token_post() -> None:
    cloud = FakeCloud()
    auth = KeystoneAuth(user())
    async with httpx.AsyncClient(auth=auth, transport=httpx.MockTransport(cloud)) as http:
        responses = await asyncio.gather(*(http.get(IMAGES) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5
    assert cloud.token_posts == 1 and auth.authentication_count == 1


async def test_authenticate_runs_the_token_step_and_the_client_reuses_its_token() -> None:
    cloud = FakeCloud()
    transport = httpx.MockTransport(cloud)
    auth = KeystoneAuth(user(), transport=transport)
    result = await auth.authenticate()
    assert result.user_name == "demo"
    async with ImageClient("http://glance.test:9292", auth=auth, transport=transport) as client:
        await client.list_page()
    assert cloud.seen == [("POST", "/v3/auth/tokens", None), ("GET", "/v2/images", "tok-1")]


async def test_an_unreachable_keystone_during_a_get_is_worded_for_keystone_and_not_retried() -> None:
    posts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal posts
        if is_token_post(request):
            posts += 1
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return answer(request)

    auth = KeystoneAuth(user())
    async with ImageClient("http://glance.test:9292", auth=auth, transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(NetworkError) as caught:
            await client.list_page()
    assert caught.value.message == (
        "cannot reach Keystone at ks.test:5000 ([Errno 111] Connection refused): check auth_url and the network"
    )
    assert (caught.value.method, caught.value.path) == ("POST", "/v3/auth/tokens")
    assert posts == 1


def test_a_sync_client_runs_the_same_flow_through_httpxs_default_driver() -> None:
    posts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal posts
        if is_token_post(request):
            posts += 1
            return token_answer(request, f"tok-{posts}")
        return answer(request, 200 if request.headers.get("X-Auth-Token") == "tok-1" else 401)

    auth = KeystoneAuth(user())
    with httpx.Client(auth=auth, transport=httpx.MockTransport(handler)) as http:
        responses = [http.get(IMAGES), http.get(IMAGES)]
    assert [r.status_code for r in responses] == [200, 200]
    assert [r.status_code for r in responses[0].history] == [201] and posts == 1
