"""Our SDK-HMAC-SHA256 signer against huaweicloudsdkcore's, on generated requests (the SDK is the oracle)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ims_tui.api.errors import ApiError
from ims_tui.api.huawei import (
    UNSIGNED_HEADERS,
    AkSkAuth,
    canonical_query_string,
    canonical_request,
    canonical_uri,
    huawei_endpoints,
    huawei_session,
    sign,
)
from ims_tui.api.keystone import CredentialsError, KeystoneSession
from ims_tui.api.session import SessionInfo, StaticSession

sdk_signer = pytest.importorskip("huaweicloudsdkcore.signer.signer")
sdk_request = pytest.importorskip("huaweicloudsdkcore.sdk_request")
sdk_credentials = pytest.importorskip("huaweicloudsdkcore.auth.credentials")

FIXED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
FIXED_STAMP = "20240506T070809Z"
AK = "HPUAEXAMPLEAK0001"
SK = "sk-Very-Secret-Value-0123456789"
HOST = "ims.cn-north-4.myhuaweicloud.com"
EXAMPLES = 400


class CapturingSigner(sdk_signer.Signer):  # type: ignore[misc,name-defined]
    """The SDK's signer, keeping the canonical request it built so the two can be compared string by string."""

    captured: str = ""

    def _process_string_to_sign(self, canonical_request: str, time: datetime) -> str:
        self.captured = canonical_request
        result: str = super()._process_string_to_sign(canonical_request, time)
        return result


def sdk_sign(
    method: str, path: str, params: list[tuple[str, str]], headers: dict[str, str], body: bytes | None
) -> tuple[str, str]:
    """(canonical request, Authorization) as the SDK computes them."""
    request = sdk_request.SdkRequest(
        method=method,
        schema="https",
        host=HOST,
        resource_path=path,
        query_params=list(params),
        header_params=dict(headers),
        body=body,
    )
    signer = CapturingSigner(SimpleNamespace(ak=AK, sk=SK))
    signer.sign(request)
    return signer.captured, request.header_params["Authorization"]


# -------------------------------------------------------------------------------------------- strategies

SAFE = "abcXYZ019-._~"
NEEDS_ENCODING = " !$&'()*+,;=:@#[]?\"<>{}|\\^`"
UNICODE = "éßü中文日本語ÄΩжя€🙂\u00a0"
segment_text = st.text(alphabet=SAFE + NEEDS_ENCODING + UNICODE + "%", min_size=0, max_size=12)


@st.composite
def paths(draw: st.DrawFn) -> str:
    segments = draw(st.lists(segment_text, min_size=0, max_size=5))
    style = draw(st.sampled_from(["quoted", "quoted-keep-subdelims", "raw", "double-quoted"]))
    encoded: list[str] = []
    for segment in segments:
        if style == "quoted":
            encoded.append(quote(segment, safe=""))
        elif style == "quoted-keep-subdelims":
            encoded.append(quote(segment, safe="!$&'()*+,;=:@"))
        elif style == "double-quoted":
            encoded.append(quote(quote(segment, safe=""), safe=""))
        else:
            encoded.append(segment.replace("?", "").replace("#", ""))
    path = "/" + "/".join(encoded)
    if draw(st.booleans()) and not path.endswith("/"):
        path += "/"
    return path


query_text = st.text(alphabet=SAFE + " &=+%/?#:" + UNICODE, max_size=10)
query_keys = st.one_of(
    st.sampled_from(["limit", "marker", "tag", "name", "sort_key", "__imagetype", "ключ"]), query_text
)
queries = st.lists(st.tuples(query_keys, st.one_of(st.just(""), query_text)), max_size=7)

header_names = st.one_of(
    st.sampled_from(["X-Custom", "x-lower", "X-UPPER", "X_Under_Score", "Accept", "User-Agent", "X-Request-Id"]),
    st.from_regex(r"X-[A-Za-z][A-Za-z0-9-]{0,10}", fullmatch=True),
)
header_values = st.text(alphabet=SAFE + ' \t;,/=:"' + UNICODE, max_size=20)
content_types = st.sampled_from(
    [
        None,
        "application/json",
        "application/json;charset=UTF-8",
        "application/openstack-images-v2.1-json-patch",
        "application/octet-stream",
        "application/bson",
        "text/plain",
    ]
)
json_bodies = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(alphabet=SAFE + UNICODE, max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(alphabet=SAFE, max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
).map(lambda value: json.dumps(value, ensure_ascii=False).encode())
bodies = st.one_of(st.none(), st.just(b""), st.binary(max_size=64), json_bodies)
methods = st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT", "get"])


@st.composite
def header_sets(draw: st.DrawFn) -> dict[str, str]:
    headers = {"Host": HOST, "X-Sdk-Date": FIXED_STAMP}
    for name, value in draw(st.lists(st.tuples(header_names, header_values), max_size=4)):
        if name.lower() in {h.lower() for h in headers}:
            continue
        headers[name] = value
    content_type = draw(content_types)
    if content_type:
        headers["Content-Type"] = content_type
    return headers


# ----------------------------------------------------------------------------------------------- oracle


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(methods, paths(), queries, header_sets(), bodies)
def test_sign_matches_the_sdk(
    method: str, path: str, params: list[tuple[str, str]], headers: dict[str, str], body: bytes | None
) -> None:
    expected_canonical, expected_authorization = sdk_sign(method, path, params, headers, body)
    ours = sign(method, path, params, headers, body, ak=AK, sk=SK)
    assert ours.canonical_request == expected_canonical
    assert ours.authorization == expected_authorization


safe_header_values = st.text(alphabet=SAFE + " ;,/=:", max_size=16).map(str.strip)


@st.composite
def httpx_requests(draw: st.DrawFn) -> httpx.Request:
    headers: dict[str, str] = {}
    # One field per name, whatever its case: an HTTP client never sends x-M and x-m as two fields (httpx's
    # headers are case-insensitive), while the SDK's plain dict would sign them twice.
    for name, value in draw(st.lists(st.tuples(header_names, safe_header_values), max_size=3)):
        if name.lower() not in {known.lower() for known in headers}:
            headers[name] = value
    content_type = draw(content_types)
    if content_type:
        headers["Content-Type"] = content_type
    body = draw(bodies)
    params: list[tuple[str, str | int | float | bool | None]] = list(draw(queries))
    return httpx.Request(
        draw(methods).upper(),
        f"https://{HOST}{draw(paths())}",
        params=params,
        headers=headers,
        content=body,
    )


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(httpx_requests(), st.one_of(st.none(), st.just("proj-0123")), st.one_of(st.none(), st.just("sts-token-x")))
def test_auth_flow_matches_the_sdk_credentials(
    request: httpx.Request, project_id: str | None, security_token: str | None
) -> None:
    """The whole AkSkAuth on a real httpx request against the SDK's BasicCredentials.sign_request."""
    # raw: original name casing (the SDK looks up "Content-Type" case-sensitively; we do not)
    raw = [(k.decode(), v.decode()) for k, v in request.headers.raw]
    before = {k: v for k, v in raw if k.lower() not in UNSIGNED_HEADERS}
    raw_path = request.url.raw_path.decode("ascii").split("?", 1)[0]
    params = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
    auth = AkSkAuth(AK, SK, project_id=project_id, security_token=security_token, clock=lambda: FIXED)
    flow = auth.sync_auth_flow(request)
    signed = next(flow)

    credentials = sdk_credentials.BasicCredentials(AK, SK, project_id)
    if security_token:
        credentials.with_security_token(security_token)
    oracle = sdk_request.SdkRequest(
        method=request.method,
        schema="https",
        host=request.url.netloc.decode(),
        resource_path=raw_path,
        query_params=params,
        header_params={**before, "X-Sdk-Date": FIXED_STAMP},
        body=request.content or None,
    )
    credentials.sign_request(oracle)
    assert signed.headers["Authorization"] == oracle.header_params["Authorization"]
    assert signed.headers["X-Sdk-Date"] == FIXED_STAMP


# ------------------------------------------------------------------------------------------ fixed cases


def test_known_vector() -> None:
    """A hand-checked request, so a change in both implementations at once would still be caught."""
    headers = {"Host": HOST, "X-Sdk-Date": FIXED_STAMP, "Content-Type": "application/json"}
    ours = sign("GET", "/v2/images", [("limit", "10"), ("tag", "b"), ("tag", "a")], headers, None, ak=AK, sk=SK)
    assert ours.canonical_request == (
        "GET\n/v2/images/\nlimit=10&tag=a&tag=b\n"
        f"content-type:application/json\nhost:{HOST}\nx-sdk-date:{FIXED_STAMP}\n\n"
        "content-type;host;x-sdk-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert ours.authorization.startswith(
        f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=content-type;host;x-sdk-date, Signature="
    )
    assert (
        ours.authorization
        == sdk_sign("GET", "/v2/images", [("limit", "10"), ("tag", "b"), ("tag", "a")], headers, None)[1]
    )


def test_canonical_pieces() -> None:
    assert canonical_uri("/v2/images") == "/v2/images/"
    assert canonical_uri("/v2/images/") == "/v2/images/"
    assert canonical_uri("/a%20b/%E4%B8%AD") == "/a%20b/%E4%B8%AD/"
    assert canonical_uri("/a b/中") == "/a%20b/%E4%B8%AD/"
    assert canonical_query_string([("b", ""), ("a", "é"), ("a", " ")]) == "a=%20&a=%C3%A9&b="
    assert canonical_request("GET", "/", [], {"Host": "h", "X_skip": "1"}, None).split("\n")[4] == ""


def _signed(request: httpx.Request, auth: AkSkAuth) -> httpx.Request:
    return next(auth.sync_auth_flow(request))


def test_project_and_security_token_are_added_and_signed() -> None:
    auth = AkSkAuth(AK, SK, project_id="p-123", security_token="temp-token-456", clock=lambda: FIXED)
    request = _signed(httpx.Request("GET", f"https://{HOST}/v2/images?limit=5"), auth)
    assert request.headers["X-Project-Id"] == "p-123"
    assert request.headers["X-Security-Token"] == "temp-token-456"
    assert request.headers["X-Sdk-Date"] == FIXED_STAMP
    signed_headers = request.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    assert "x-project-id" in signed_headers
    assert "x-security-token" in signed_headers
    assert "host" in signed_headers and "x-sdk-date" in signed_headers
    # transport-owned headers stay out, so a proxy rewriting them cannot break the signature
    assert "content-length" not in signed_headers and "accept-encoding" not in signed_headers


def test_patch_body_is_not_hashed_but_declared_unsigned() -> None:
    """Non-JSON media types (the JSON-patch type included) travel as UNSIGNED-PAYLOAD, as the SDK does."""
    auth = AkSkAuth(AK, SK, clock=lambda: FIXED)
    request = httpx.Request(
        "PATCH",
        f"https://{HOST}/v2/images/abc",
        content=b'[{"op": "replace", "path": "/name", "value": "x"}]',
        headers={"Content-Type": "application/openstack-images-v2.1-json-patch"},
    )
    signed = _signed(request, auth)
    assert signed.headers["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"
    assert "x-sdk-content-sha256" in signed.headers["Authorization"]


async def test_async_flow_reads_a_json_body_and_signs_it() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": "x"})

    auth = AkSkAuth(AK, SK, project_id="p", clock=lambda: FIXED)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), auth=auth) as client:
        response = await client.post(f"https://{HOST}/v2/images", json={"name": "é"})
    assert response.status_code == 201
    sent = seen[0]
    body = sent.content
    headers = {k: v for k, v in sent.headers.items() if k.lower() not in UNSIGNED_HEADERS and k != "Authorization"}
    assert sent.headers["Authorization"] == sdk_sign("POST", "/v2/images", [], headers, body)[1]


def test_secret_key_never_shown() -> None:
    auth = AkSkAuth(AK, SK, project_id="p", security_token="temporary-token-value")
    for text in (repr(auth), str(auth)):
        assert SK not in text and "temporary-token-value" not in text
        assert AK in text
    request = _signed(httpx.Request("GET", f"https://{HOST}/v2/images"), auth)
    assert SK not in str(request.headers)
    signed = sign("GET", "/", [], {"Host": HOST}, None, ak=AK, sk=SK, now=FIXED)
    assert SK not in repr(signed)


def test_missing_keys_are_a_clear_error() -> None:
    with pytest.raises(CredentialsError, match="secret key"):
        AkSkAuth(AK, "")
    with pytest.raises(CredentialsError):
        huawei_session(SessionInfo(cloud="hw"), region="cn-north-4", ak=AK)
    with pytest.raises(ApiError, match="user name and password"):
        huawei_session(SessionInfo(cloud="hw"), region="cn-north-4")


def test_huawei_endpoints() -> None:
    assert huawei_endpoints("cn-north-4") == (
        "https://iam.cn-north-4.myhuaweicloud.com/v3",
        "https://ims.cn-north-4.myhuaweicloud.com",
    )
    with pytest.raises(CredentialsError):
        huawei_endpoints("evil.example.com/")


def test_huawei_session_kinds() -> None:
    info = SessionInfo(cloud="hw")
    session = huawei_session(info, region="ap-southeast-1", ak=AK, sk=SK, project_id="p1")
    assert isinstance(session, StaticSession)
    assert session.endpoint == "https://ims.ap-southeast-1.myhuaweicloud.com"
    assert isinstance(session.auth, AkSkAuth) and session.auth.project_id == "p1"
    assert session.info.ims is True and session.info.region == "ap-southeast-1"
    assert SK not in repr(session.info)

    info = SessionInfo(cloud="hw")
    session = huawei_session(info, region="cn-north-4", username="alice", password="pw-secret", domain="acme")
    assert isinstance(session, KeystoneSession)
    assert session.endpoint_override == "https://ims.cn-north-4.myhuaweicloud.com"
    creds: Any = session.credentials
    assert creds.auth_url == "https://iam.cn-north-4.myhuaweicloud.com/v3"
    body = creds.auth_body()["auth"]
    assert body["identity"]["password"]["user"] == {
        "name": "alice",
        "domain": {"name": "acme"},
        "password": "pw-secret",
    }
    assert body["scope"] == {"project": {"name": "cn-north-4", "domain": {"name": "acme"}}}
    assert session.info.ims is True
    assert "pw-secret" not in repr(session)
