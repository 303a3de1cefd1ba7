"""The request log (api/request_log.py): what it keeps of each request, over the demo and over a real socket.

The real-socket cases go through tools/fault_proxy.py, which answers or breaks each request itself, so no server
stands behind it: a 404 with Glance's JSON, a 503 then a 200 (the retry is its own entry), a reset, a Keystone
token request refused with a body that quotes the password.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Iterator
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api import ImageClient
from ims_tui.api.errors import ApiError, AuthError, NetworkError, NotFound
from ims_tui.api.keystone import KeystoneAuth, PasswordCredentials
from ims_tui.api.request_log import MASK, RequestEntry, RequestLog, redact_query, secret_param
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from tools.fault_proxy import FaultProxy, answer, glance_error, reset_before

PASSWORD = "Pa55-w0rd/in+body"
TOKEN = "gAAAAAtokenvalue-never-kept-0123456789"


def stepping_clock(step: float = 0.010) -> Iterator[float]:
    return (n * step for n in itertools.count())


@pytest.fixture
def proxy() -> Iterator[FaultProxy]:
    # nothing listens upstream: every request gets an answer (or a fault) the test injected
    with FaultProxy("http://127.0.0.1:9") as running:
        yield running


async def test_the_log_keeps_the_last_entries_newest_first() -> None:
    log = RequestLog(maxlen=3)
    cloud = DemoCloud(image_count=3, latency=0.0, seed=42)
    async with ImageClient(DEMO_ENDPOINT, transport=cloud.transport, request_log=log) as client:
        for number in range(5):
            with pytest.raises(NotFound):
                await client.get(f"missing-{number}")
    assert len(log) == 3 and log.count == 5
    assert [entry.path for entry in log.newest_first()] == [f"/v2/images/missing-{n}" for n in (4, 3, 2)]


async def test_a_demo_answer_is_counted_and_timed() -> None:
    ticks = stepping_clock()
    log = RequestLog(clock=lambda: 1_800_000_000.0, monotonic=lambda: next(ticks))
    cloud = DemoCloud(image_count=3, latency=0.0, seed=42)
    async with ImageClient(DEMO_ENDPOINT, transport=cloud.transport, request_log=log) as client:
        await client.list_page()
    (entry,) = log.newest_first()
    assert (entry.method, entry.status, entry.failed, entry.done) == ("GET", 200, False, True)
    assert entry.size > 100 and entry.duration == pytest.approx(0.010)
    assert entry.request_id and entry.request_id.startswith("req-")
    assert entry.error == ""  # a success keeps no body


async def test_a_refusal_keeps_the_server_s_words_and_request_id(proxy: FaultProxy) -> None:
    proxy.inject(glance_error(404, "No image found with ID abc", "req-fault-404"), times=None)
    log = RequestLog()
    async with ImageClient(proxy.url, request_log=log) as client:
        with pytest.raises(NotFound):
            await client.get("abc")
    (entry,) = log.newest_first()
    assert (entry.status, entry.failed, entry.request_id) == (404, True, "req-fault-404")
    assert entry.error == "No image found with ID abc"
    assert entry.size == len(json.dumps({"code": 404, "title": "Not Found", "message": "No image found with ID abc"}))
    assert entry.host == proxy.url.removeprefix("http://") and entry.done


async def test_every_retry_is_its_own_entry(proxy: FaultProxy) -> None:
    proxy.inject(answer(503, "<html><title>503 Service Unavailable</title></html>", "text/html"), times=1)
    proxy.inject(answer(200, json.dumps({"images": []})), times=1)
    log = RequestLog()
    async with ImageClient(proxy.url, request_log=log, backoff=0) as client:
        await client.list_page()
    assert [(e.status, e.error) for e in log.newest_first()] == [(200, ""), (503, "503 Service Unavailable")]


async def test_a_reset_is_marked_with_what_happened(proxy: FaultProxy) -> None:
    proxy.inject(reset_before(), times=None)
    log = RequestLog()
    async with ImageClient(proxy.url, request_log=log, retries=0) as client:
        with pytest.raises(NetworkError):
            await client.delete("abc")
    (entry,) = log.newest_first()
    assert (entry.method, entry.status, entry.failure, entry.failed, entry.done) == (
        "DELETE",
        None,
        "reset",
        True,
        True,
    )
    assert "image service" in entry.error


class CutAnswer(httpx.AsyncBaseTransport):
    """A 200 whose body stops after 100 bytes with a reset, as a dropped link mid-answer (no request attached
    to the error, as httpx raises it while the body is read)."""

    class _Body(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield b"x" * 100
            raise httpx.ReadError("connection reset by peer")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=self._Body(), headers={"x-openstack-request-id": "req-cut"})


async def test_an_answer_cut_off_mid_body_keeps_its_status_and_says_how() -> None:
    log = RequestLog()
    async with ImageClient("http://glance.example", transport=CutAnswer(), request_log=log, retries=0) as client:
        with pytest.raises(NetworkError):
            await client.list_page()
    (entry,) = log.newest_first()
    assert (entry.status, entry.failure, entry.failed, entry.done) == (200, "reset", True, True)
    assert (entry.size, entry.request_id) == (100, "req-cut")


async def test_a_refused_connection_is_marked_and_each_attempt_logged() -> None:
    log = RequestLog()
    async with ImageClient("http://127.0.0.1:9", request_log=log, retries=1, backoff=0) as client:
        with pytest.raises(NetworkError):
            await client.list_page()
    assert [entry.failure for entry in log.newest_first()] == ["refused", "refused"]


async def test_a_token_request_is_logged_but_its_body_never_kept(proxy: FaultProxy) -> None:
    said = json.dumps({"error": {"code": 401, "message": f"bad password {PASSWORD} for {TOKEN}"}})
    proxy.inject(answer(401, said, x_openstack_request_id="req-ks-1"), times=None)
    log = RequestLog()
    credentials = PasswordCredentials(
        auth_url=proxy.url + "/v3", username="u", password=PASSWORD, user_domain_name="Default", project_name="p"
    )
    auth = KeystoneAuth(credentials, request_log=log)
    with pytest.raises(AuthError):
        await auth.authenticate()
    assert log.newest_first(), "the token request was not logged"
    for entry in log.newest_first():
        assert (entry.method, entry.path, entry.service, entry.status) == ("POST", "/v3/auth/tokens", "Keystone", 401)
        assert entry.request_id == "req-ks-1" and entry.error == ""
        assert not [value for value in kept(entry) if PASSWORD in value or TOKEN in value]


async def test_no_header_value_is_kept_but_the_request_id() -> None:
    log = RequestLog()
    cloud = DemoCloud(image_count=3, latency=0.0, seed=42)
    headers = {"X-Auth-Token": TOKEN, "Authorization": f"SDK-HMAC-SHA256 Signature={TOKEN}"}
    async with ImageClient(DEMO_ENDPOINT, transport=cloud.transport, request_log=log, headers=headers) as client:
        with pytest.raises(ApiError):
            await client.get("x")
        await client.list_page()
    for entry in log.newest_first():
        assert not [value for value in kept(entry) if TOKEN in value]


def kept(entry: RequestEntry) -> list[str]:
    return [str(getattr(entry, name)) for name in RequestEntry.__slots__] + [repr(entry)]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("limit=20&marker=abc", "limit=20&marker=abc"),
        ("limit=20&sort_key=name&sort_dir=asc", "limit=20&sort_key=name&sort_dir=asc"),
        (
            "X-Amz-Signature=abcd&X-Amz-Credential=AK%2F2026&limit=1",
            f"X-Amz-Signature={MASK}&X-Amz-Credential={MASK}&limit=1",
        ),
        ("temp_url_sig=f00d&temp_url_expires=1", f"temp_url_sig={MASK}&temp_url_expires=1"),
        ("AccessKeyId=AK1&Signature=s%2Bg&Expires=5", f"AccessKeyId={MASK}&Signature={MASK}&Expires=5"),
        ("key=abc&name=eq:x", f"key={MASK}&name=eq:x"),
        ("", ""),
    ],
)
def test_credential_parameters_are_masked(query: str, shown: str) -> None:
    assert redact_query(query) == shown


SECRET_NAMES = st.sampled_from(["Signature", "X-Amz-Signature", "sig", "token", "auth_token", "api_key", "Password"])
PLAIN_NAMES = st.sampled_from(["limit", "marker", "name", "status", "sort_key", "sort_dir", "visibility", "tag"])
VALUES = st.text(st.characters(codec="utf-8", exclude_characters="QZXJ"), max_size=12)
# A secret value of its own alphabet and length, so finding it in the output can only be a leak.
SECRETS = st.text(alphabet="QZXJ", min_size=6, max_size=12)


@given(
    st.lists(
        st.one_of(st.tuples(st.just(True), SECRET_NAMES, SECRETS), st.tuples(st.just(False), PLAIN_NAMES, VALUES)),
        max_size=8,
    )
)
def test_no_credential_survives_and_everything_else_is_kept(params: list[tuple[bool, str, str]]) -> None:
    query = urlencode([(name, value) for _, name, value in params])
    shown = redact_query(query)
    for secret, _name, value in params:
        if secret:
            assert value not in shown
    expected = [(name, MASK if secret else value) for secret, name, value in params]
    assert parse_qsl(shown, keep_blank_values=True) == expected
    assert all(secret_param(name) for secret, name, _ in params if secret)


async def test_a_failure_with_no_request_attached_is_ignored() -> None:
    log = RequestLog()
    request = httpx.Request("GET", "http://127.0.0.1/x")
    log.failed(request, httpx.ReadError("boom"))  # never logged: nothing to mark
    assert len(log) == 0
