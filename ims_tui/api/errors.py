"""One small error hierarchy for everything the image API and Keystone can answer.

Every error carries a message fit for a person: the server's own words cleaned of markup, the HTTP status and
the request id, so the UI can show "what failed and why" without parsing HTTP itself.

    ApiError
    ├── BadRequest (400)
    │   └── StaleMarker
    ├── Unauthorized (401)
    │   └── AuthError: Keystone refused the credentials or the scope
    ├── Forbidden (403), NotFound (404), Conflict (409), TooLarge (413), UnsupportedMediaType (415)
    ├── ServerError (5xx)
    ├── NetworkError: no answer at all (``network_error`` words it, for the image service or Keystone)
    ├── MalformedResponse, ReadOnlyError
    ├── CredentialsError: incomplete credentials, nothing was sent
    └── EndpointNotFound: the catalog has no matching endpoint
"""

from __future__ import annotations

import html
import json
import re
import ssl
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
# C0/C1 control characters other than newline and tab: a server message must never move the terminal's cursor.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_MESSAGE = 500


class ApiError(Exception):
    """Base of every error the client raises."""

    status: int | None = None
    default_message = "the image service refused the request"

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.message = message or self.default_message
        if status is not None:
            self.status = status
        self.request_id = request_id
        self.method = method
        self.path = path
        super().__init__(self.message)

    @property
    def title(self) -> str:
        """A one-line summary: what kind of failure, with the status."""
        kind = type(self).__name__
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", kind).lower()
        return f"{words} ({self.status})" if self.status else words

    def one_line(self) -> str:
        """The failure on one line, for a status line or a notification: the message, the status, the request id."""
        text = " ".join(self.message.split())
        if self.status:
            text += f" (HTTP {self.status})"
        if self.request_id:
            text += f" · request id {self.request_id}"
        return text

    def describe(self) -> str:
        """Everything a person needs: the message, the status and the request id to quote to support."""
        parts = [self.message]
        tail = []
        if self.status:
            tail.append(f"HTTP {self.status}")
        if self.method and self.path:
            tail.append(f"{self.method} {self.path}")
        if self.request_id:
            tail.append(f"request id {self.request_id}")
        if tail:
            parts.append(" · ".join(tail))
        return "\n".join(parts)


class BadRequest(ApiError):
    status = 400
    default_message = "the server rejected the request as invalid"


class StaleMarker(BadRequest):
    """Paging from an image that no longer exists (deleted between pages): reload from the first page."""

    default_message = "the list changed while paging (the last image seen is gone); reload from the start"


class Unauthorized(ApiError):
    status = 401
    default_message = "not authenticated, or the token expired"


class Forbidden(ApiError):
    status = 403
    default_message = "not allowed"


class NotFound(ApiError):
    status = 404
    default_message = "no such image (deleted, or not visible to this project)"


class Conflict(ApiError):
    status = 409
    default_message = "the image changed or is in a state that does not allow this"


class TooLarge(ApiError):
    status = 413
    default_message = "over a quota (too many properties, tags or images)"


class UnsupportedMediaType(ApiError):
    status = 415
    default_message = "the server does not accept this content type"


class ServerError(ApiError):
    status = 500
    default_message = "the image service failed"


class NetworkError(ApiError):
    default_message = "the image service could not be reached"


class MalformedResponse(ApiError):
    default_message = "the server's answer could not be understood"


class ReadOnlyError(ApiError):
    default_message = "read-only mode: changes are disabled"


class AuthError(Unauthorized):
    """Keystone refused the credentials or the scope; the message says which setting to check."""

    default_message = "Keystone refused the credentials"


class CredentialsError(ApiError):
    """The credentials are incomplete (no user, no secret, ...): a configuration mistake, nothing was sent."""

    default_message = "the credentials are incomplete"


class EndpointNotFound(ApiError):
    """The catalog has no endpoint for the service, interface or region asked for."""

    default_message = "the service catalog has no matching endpoint"


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: TooLarge,
    415: UnsupportedMediaType,
}


def clean_text(text: str, limit: int = MAX_MESSAGE) -> str:
    """Turn an HTML or plain-text fragment into one readable paragraph of plain text."""
    text = _BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _CONTROL.sub("", text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())
    text = _BLANK_LINES.sub("\n", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _html_message(body: str) -> str:
    # webob error pages repeat the title as <h1> and <title>; the body paragraph carries the reason.
    body = re.sub(r"(?is)<(head|title|script|style)[^>]*>.*?</\1>", "", body)
    body = re.sub(r"(?is)<h1[^>]*>.*?</h1>", "", body)
    return clean_text(body)


def message_from_body(body: bytes, content_type: str = "") -> str:
    """The human message inside an error body: Glance JSON, IMS JSON, HTML or plain text."""
    if not body:
        return ""
    text = body.decode("utf-8", errors="replace")
    stripped = text.lstrip()
    if "json" in content_type or stripped.startswith(("{", "[")):
        try:
            data: Any = json.loads(text)
        except ValueError:
            data = None
        found = _message_from_json(data)
        if found:
            return clean_text(found)
    if "html" in content_type or stripped.startswith("<"):
        return _html_message(text)
    return clean_text(text)


def _message_from_json(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    # IMS: {"error": {"code": "IMG.0001", "message": ...}}; some Huawei services use error_msg/error_code.
    inner = data.get("error")
    if isinstance(inner, dict):
        msg = inner.get("message") or inner.get("error_msg")
        code = inner.get("code") or inner.get("error_code")
        if isinstance(msg, str):
            return f"{msg} ({code})" if isinstance(code, str) and code else msg
    if isinstance(data.get("error_msg"), str):
        code = data.get("error_code")
        return f"{data['error_msg']} ({code})" if isinstance(code, str) else str(data["error_msg"])
    # Glance (webob JSON formatter): {"code": "403 Forbidden", "title": "Forbidden", "message": ...}
    for key in ("message", "explanation", "title", "detail"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value
    # Keystone: {"error": {"message": ..}} handled above; some proxies: {"<kind>": {"message": ...}}
    for value in data.values():
        if isinstance(value, dict) and isinstance(value.get("message"), str):
            return str(value["message"])
    return None


def request_id_of(response: httpx.Response) -> str | None:
    found: str | None = response.headers.get("x-openstack-request-id") or response.headers.get("x-request-id")
    return found


def error_from_response(response: httpx.Response, *, path: str | None = None) -> ApiError:
    """Map a non-success answer to the error class a caller can act on."""
    status = response.status_code
    message = message_from_body(response.content, response.headers.get("content-type", ""))
    cls: type[ApiError]
    if status in _BY_STATUS:
        cls = _BY_STATUS[status]
    elif status >= 500:
        cls = ServerError
    else:
        cls = ApiError
    if cls is BadRequest and "marker" in message.lower():
        cls = StaleMarker
    return cls(
        message or None,
        status=status,
        request_id=request_id_of(response),
        method=response.request.method,
        path=path,
    )


# ------------------------------------------------------------------------------------------- network errors

# An auth flow that sends requests of its own (Keystone's token POST) names their service in this request
# extension, so the client words their failure for that service and never retries them as the caller's GET.
SERVICE_EXTENSION = "ims_tui.service"

# How each service's failures are worded, by kind of failure; a kind a service lacks falls back (_FALLBACK).
_NETWORK_WORDING: dict[str, dict[str, str]] = {
    "image service": {
        "connect_timeout": "timed out connecting to {host}",
        "read_timeout": "{host} did not answer in time",
        "timeout": "the request to {host} timed out",
        "tls": "TLS certificate of {host} could not be verified (set cacert, or verify=false)",
        "connect": "cannot connect to {host}: {reason}",
        "dropped": "the connection to {host} dropped mid-answer",
        "other": "network error talking to {host}: {kind}",
    },
    "Keystone": {
        "connect_timeout": "timed out connecting to Keystone at {host}: check auth_url and the network (VPN, proxy)",
        "timeout": "Keystone at {host} did not answer in time: try again, or check the identity service",
        "tls": "the TLS certificate of Keystone at {host} could not be verified (certificate verify failed): "
        "set cacert to the CA bundle that signed it, or verify=false for a test cloud",
        "connect": "cannot reach Keystone at {host} ({reason}): check auth_url and the network",
        "unsupported": "auth_url {url!r} is not an http(s) URL",
        "other": "network error talking to Keystone at {host}: {kind}",
    },
}
_FALLBACK = {"read_timeout": "timeout", "dropped": "other", "unsupported": "other"}


def host_of(url: str) -> str:
    """``host`` or ``host:port`` of a URL, never its ``user:password@``; "the server" if it names no host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number
        port = None
    return (parts.hostname or "the server") + (f":{port}" if port else "")


def _is_tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(6):  # the ssl error sits a few __context__ levels under httpx's ConnectError
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        text = str(seen)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _network_kind(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect_timeout"
    if isinstance(exc, httpx.ReadTimeout):
        return "read_timeout"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if _is_tls_failure(exc):
        return "tls"
    if isinstance(exc, httpx.ConnectError):
        return "connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "dropped"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "unsupported"
    return "other"


def network_error(
    exc: httpx.HTTPError,
    url: str,
    service: str = "image service",
    *,
    method: str | None = None,
    path: str | None = None,
    redact: Callable[[str], str] = str,
) -> NetworkError:
    """The ``NetworkError`` for a request to ``url`` that got no answer, worded for ``service``.

    ``redact`` scrubs secrets from the parts of the message that quote the exception or the URL.
    """
    wording = _NETWORK_WORDING[service]
    kind = _network_kind(exc)
    while kind not in wording:
        kind = _FALLBACK[kind]
    message = wording[kind].format(
        host=host_of(url),
        url=redact(url),
        reason=redact(str(exc)) or "connection refused",
        kind=type(exc).__name__,
    )
    return NetworkError(message, method=method, path=path)
