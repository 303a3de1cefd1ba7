"""Huawei Cloud: the IAM and IMS endpoints of a region, AK/SK request signing, and a session for either login.

The signer follows ``huaweicloudsdkcore``'s ``SDK-HMAC-SHA256`` byte for byte (the unit tests compare the two on
generated requests): canonical request, string to sign, HMAC-SHA256 with the secret key, ``Authorization``
header. The secret key stays in a private attribute and never reaches a repr or a message.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncGenerator, Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote, unquote

import httpx

from .errors import CredentialsError
from .keystone import KeystoneSession, PasswordCredentials
from .session import CloudSession, SessionInfo, StaticSession

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
HEADER_DATE = "X-Sdk-Date"
HEADER_CONTENT_SHA256 = "X-Sdk-Content-Sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

# Headers the transport owns (a proxy may rewrite them, httpx sets them late): signing them would break the
# signature for no gain. Everything else the request carries is signed, as the SDK signs all its headers.
UNSIGNED_HEADERS = frozenset(
    {
        "authorization",
        "connection",
        "keep-alive",
        "accept-encoding",
        "content-length",
        "transfer-encoding",
        "te",
        "upgrade",
        "expect",
        "proxy-authorization",
        "proxy-connection",
    }
)


def huawei_endpoints(region: str) -> tuple[str, str]:
    """``(iam_url, ims_url)`` of a Huawei Cloud region, e.g. ``cn-north-4`` or ``ap-southeast-1``."""
    region = region.strip()
    if not region or "/" in region or "." in region:
        raise CredentialsError(f"{region!r} is not a Huawei Cloud region id (like 'cn-north-4')")
    return f"https://iam.{region}.myhuaweicloud.com/v3", f"https://ims.{region}.myhuaweicloud.com"


# ------------------------------------------------------------------------------------------- pure signing


def _encode(text: str) -> str:
    # RFC 3986 unreserved characters stay; everything else, unicode included, is UTF-8 percent-encoded
    return quote(text, safe="~")


def canonical_uri(path: str) -> str:
    """The path decoded then re-encoded segment by segment, always ending in ``/`` (the SDK adds it)."""
    encoded = "/".join(_encode(segment) for segment in unquote(path or "/").split("/"))
    return encoded if encoded.endswith("/") else encoded + "/"


def canonical_query_string(params: Iterable[tuple[str, str]]) -> str:
    """Decoded ``(key, value)`` pairs sorted by key then value (repeated keys kept), re-encoded."""
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in sorted(params))


def signed_header_names(headers: Mapping[str, str]) -> list[str]:
    # The SDK skips names with "_": gateways (nginx) drop such headers, so the server could never check them.
    return sorted({name.lower() for name in headers if "_" not in name})


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def payload_hash(headers: Mapping[str, str], body: bytes | None) -> str:
    if not body:
        return EMPTY_SHA256
    declared = _header(headers, HEADER_CONTENT_SHA256)
    if declared:
        return declared
    return hashlib.sha256(body).hexdigest()


def canonical_request(
    method: str,
    path: str,
    params: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes | None,
    signed_headers: list[str] | None = None,
    *,
    content_sha256: str | None = None,
) -> str:
    """Method, canonical URI, canonical query, canonical headers, signed header names, payload hash.

    ``content_sha256`` replaces the payload hash when the caller knows it without holding the body.
    """
    names = signed_header_names(headers) if signed_headers is None else signed_headers
    values: dict[str, str] = {}
    for key, value in headers.items():
        values[key.lower()] = str(value).strip()
    canonical_headers = "".join(f"{name}:{values.get(name, '')}\n" for name in names)
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query_string(params),
            canonical_headers,
            ";".join(names),
            content_sha256 or payload_hash(headers, body),
        ]
    )


def string_to_sign(canonical: str, sdk_date: str) -> str:
    # The SDK re-formats the parsed date; doing the same keeps a sloppy caller-provided date byte-identical.
    stamp = datetime.strptime(sdk_date, DATE_FORMAT).strftime(DATE_FORMAT)
    return f"{ALGORITHM}\n{stamp}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def content_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers the SDK adds for a body it does not hash: any content type but JSON or BSON."""
    content_type = _header(headers, "Content-Type")
    if content_type and not content_type.startswith(("application/json", "application/bson")):
        return {HEADER_CONTENT_SHA256: UNSIGNED_PAYLOAD}
    return {}


@dataclass(frozen=True)
class Signed:
    """The outcome of signing: the headers to send (``Authorization`` included) and the intermediate strings."""

    headers: dict[str, str] = field(repr=False)
    authorization: str
    signed_headers: list[str]
    canonical_request: str = field(repr=False)
    string_to_sign: str = field(repr=False)
    signature: str = field(repr=False)


def sign(
    method: str,
    path: str,
    params: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    ak: str,
    sk: str,
    now: datetime | None = None,
    content_sha256: str | None = None,
) -> Signed:
    """Sign one request. ``headers`` must carry ``Host``; ``X-Sdk-Date`` is taken from them or from ``now``."""
    if not ak or not sk:
        raise CredentialsError("AK/SK signing needs both the access key (AK) and the secret key (SK)")
    out = dict(headers)
    if _header(out, "Host") is None:
        raise ValueError("the request has no Host header to sign")
    out.update(content_headers(out))
    sdk_date = _header(out, HEADER_DATE)
    if sdk_date is None:
        sdk_date = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime(DATE_FORMAT)
        out[HEADER_DATE] = sdk_date
    names = signed_header_names(out)
    canonical = canonical_request(method, path, list(params), out, body, names, content_sha256=content_sha256)
    to_sign = string_to_sign(canonical, sdk_date)
    signature = hmac.new(sk.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    authorization = f"{ALGORITHM} Access={ak}, SignedHeaders={';'.join(names)}, Signature={signature}"
    out["Authorization"] = authorization
    return Signed(out, authorization, names, canonical, to_sign, signature)


# ----------------------------------------------------------------------------------------------- the auth


def _has_body(request: httpx.Request) -> bool:
    """Whether a body will be sent, without reading it (streams are sent chunked or with a length)."""
    length = request.headers.get("Content-Length")
    if length is not None:
        return length.strip() not in ("", "0")
    return "Transfer-Encoding" in request.headers


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class AkSkAuth(httpx.Auth):
    """Signs every request with an access key / secret key pair (``SDK-HMAC-SHA256``).

    ``security_token`` is for temporary keys (from STS or an agency), ``project_id`` selects the project
    (``X-Project-Id``) for regional services such as IMS.
    """

    def __init__(
        self,
        ak: str,
        sk: str,
        *,
        project_id: str | None = None,
        security_token: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not ak or not sk:
            raise CredentialsError("AK/SK signing needs both the access key (AK) and the secret key (SK)")
        self.ak = ak
        self._sk = sk
        self.project_id = project_id
        self._security_token = security_token
        self._clock = clock or _utcnow

    def __repr__(self) -> str:
        token = ", security_token=***" if self._security_token else ""
        return f"AkSkAuth(ak={self.ak!r}, sk=***, project_id={self.project_id!r}{token})"

    def _needs_body(self, request: httpx.Request) -> bool:
        # An unhashed payload (uploads: octet-stream) must not be read into memory just to be ignored.
        return not content_headers(request.headers)

    def sign_request(self, request: httpx.Request) -> None:
        """Add the date, project, token and ``Authorization`` headers; the body must already be read if hashed."""
        request.headers[HEADER_DATE] = self._clock().astimezone(timezone.utc).strftime(DATE_FORMAT)
        if self.project_id:
            request.headers["X-Project-Id"] = self.project_id
        if self._security_token:
            request.headers["X-Security-Token"] = self._security_token
        request.headers.update(content_headers(request.headers))
        to_sign = {k: v for k, v in request.headers.items() if k.lower() not in UNSIGNED_HEADERS}
        raw_path = request.url.raw_path.decode("ascii")
        path = raw_path.split("?", 1)[0]
        params = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
        if self._needs_body(request):
            digest = payload_hash(request.headers, request.content)
        else:
            digest = UNSIGNED_PAYLOAD if _has_body(request) else EMPTY_SHA256
        signed = sign(request.method, path, params, to_sign, None, ak=self.ak, sk=self._sk, content_sha256=digest)
        request.headers["Authorization"] = signed.authorization

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._needs_body(request):
            request.read()
        self.sign_request(request)
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._needs_body(request):
            await request.aread()
        self.sign_request(request)
        yield request


# ---------------------------------------------------------------------------------------------- session


def _mask(key: str) -> str:
    return key[:4] + "…" if len(key) > 8 else "…"


def huawei_session(
    info: SessionInfo,
    *,
    region: str,
    ak: str | None = None,
    sk: str | None = None,
    security_token: str | None = None,
    project_id: str | None = None,
    username: str | None = None,
    password: str | None = None,
    domain: str | None = None,
    project: str | None = None,
    verify: bool | str = True,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CloudSession:
    """A session on the IMS endpoint of ``region``: signed with AK/SK, or with an IAM token from a password.

    Password login scopes the token to the project named after the region (Huawei's default project) unless
    ``project`` names a sub-project; ``domain`` is the account name, which for the account's own user is the
    user name itself.
    """
    iam_url, ims_url = huawei_endpoints(region)
    info = info.with_changes(ims=True, region=region)
    if ak or sk:
        if not (ak and sk):
            raise CredentialsError("Huawei AK/SK login needs both the access key (AK) and the secret key (SK)")
        info = info.with_changes(user=info.user or f"AK {_mask(ak)}", project=info.project or project_id)
        info = info.with_changes(project_id=info.project_id or project_id)
        auth = AkSkAuth(ak, sk, project_id=project_id, security_token=security_token)
        return StaticSession(info, ims_url, auth=auth, transport=transport, verify=verify)
    if username and password:
        account = domain or username
        credentials = PasswordCredentials(
            auth_url=iam_url,
            username=username,
            password=password,
            user_domain_name=account,
            project_name=project or region,
            project_domain_name=account,
        )
        return KeystoneSession(
            info,
            credentials,
            region=region,
            endpoint_override=ims_url,
            verify=verify,
            transport=transport,
        )
    raise CredentialsError(
        "Huawei Cloud login needs an access key and secret key (ak, sk), or a user name and password "
        "(with the account name as domain)"
    )
