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

import re
import ssl
from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import urlsplit

import httpx

# the body parsing lives in messages; these names stay importable from here
from .messages import MAX_MESSAGE as MAX_MESSAGE
from .messages import clean_text as clean_text
from .messages import message_from_body as message_from_body

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Statuses a gateway answers after it may have passed the request on: the service may have applied it.
GATEWAY_STATUSES = frozenset({502, 504})


class ApiError(Exception):
    """Base of every error the client raises.

    ``outcome_unknown``: the request was a write that may have reached the service and been applied (the answer
    was lost, cut off, unreadable, or a gateway's 502/504): never repeat it blindly, check first (``outcome``).
    ``needs_reload``: the listing's saved position is no good (the marker image is gone, the paging loops), so
    a retry must start the list again rather than repeat the same page request.
    """

    status: int | None = None
    default_message = "the image service refused the request"
    needs_reload = False

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        self.message = message or self.default_message
        if status is not None:
            self.status = status
        self.request_id = request_id
        self.method = method
        self.path = path
        self.outcome_unknown = outcome_unknown
        super().__init__(self.message)

    @property
    def title(self) -> str:
        """A one-line summary: what kind of failure, with the status."""
        kind = type(self).__name__
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", kind).lower()
        return f"{words} ({self.status})" if self.status else words

    @property
    def status_phrase(self) -> str:
        """The standard reason phrase of the status ("Service Unavailable"); empty without a (known) status."""
        try:
            return HTTPStatus(self.status).phrase if self.status else ""
        except ValueError:
            return ""

    @property
    def status_line(self) -> str:
        """``HTTP 503 Service Unavailable``; empty without a status."""
        if not self.status:
            return ""
        return f"HTTP {self.status} {self.status_phrase}".rstrip()

    def one_line(self) -> str:
        """The failure on one line, status first so 80 columns show it and the reason's first words; the request
        id last: ``HTTP 503 Service Unavailable: The server is busy · request id req-1``."""
        reason = " ".join(self.message.split())
        text = reason
        if self.status:
            head = self.status_line
            said = reason.casefold()
            if said in (self.status_phrase.casefold(), head[5:].casefold()):
                text = head  # the reason only repeats the status ("Bad Gateway", "502 Bad Gateway")
            elif said.startswith(f"{self.status} "):
                text = f"HTTP {reason}"  # an error page's title: "502 Proxy Error"
            elif self.status < 400:
                text = f"{head}, but {reason}"  # a success whose answer was unusable
            else:
                text = f"{head}: {reason}"
        if self.request_id:
            text += f" · request id {self.request_id}"
        return text

    def describe(self) -> str:
        """The full error, one fact a line, for a "full error" view a person can copy to support: the message,
        the status, the request sent, the request id, and whether the write may have been applied."""
        lines = [self.message]
        if self.status:
            lines.append(self.status_line)
        if self.method and self.path:
            lines.append(f"{self.method} {self.path}")
        if self.request_id:
            lines.append(f"request id {self.request_id}")
        if self.outcome_unknown:
            lines.append("the request may have reached the image service and been applied: check before repeating it")
        return "\n".join(lines)


class BadRequest(ApiError):
    status = 400
    default_message = "the server rejected the request as invalid"


class StaleMarker(BadRequest):
    """Paging from an image that no longer exists (deleted between pages): reload from the first page."""

    needs_reload = True
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
    """No (complete) answer. ``kind`` says how: connect, connect_timeout, tls, read_timeout, timeout, dropped,
    cut_off, write, unsupported or other (see ``network_error``)."""

    default_message = "the image service could not be reached"
    kind = "other"


def timed_out(error: BaseException | None) -> bool:
    """The request timed out waiting for the answer: a write may still be applied after the client gave up."""
    return isinstance(error, NetworkError) and error.kind in ("read_timeout", "timeout")


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
        outcome_unknown=_maybe_applied(response),
    )


def _maybe_applied(response: httpx.Response) -> bool:
    """Whether a write that got this error answer may have been applied all the same.

    A gateway's 502/504 may come after the service got the request (and applied it); a 500 that is not the
    service's own JSON error is a middlebox's page or a crashed worker's, after which nobody can say. A 4xx, the
    service's own 500 and a 503 (nobody took the request) mean it was not applied.
    """
    if response.request.method in SAFE_METHODS:
        return False
    if response.status_code in GATEWAY_STATUSES:
        return True
    return response.status_code == 500 and "json" not in response.headers.get("content-type", "")


# ------------------------------------------------------------------------------------------- network errors

# An auth flow that sends requests of its own (Keystone's token POST) names their service in this request
# extension, so the client words their failure for that service and never retries them as the caller's GET.
SERVICE_EXTENSION = "ims_tui.service"

# How each service's failures are worded, by kind of failure; a kind a service lacks falls back (_FALLBACK).
# The words a user acts on come first: at 80 columns a long host name must not push them off the line.
# {after} is " after 30 s" (the timeout that ran out) or empty when the client had none.
_NETWORK_WORDING: dict[str, dict[str, str]] = {
    "image service": {
        "connect_timeout": "timed out{after} connecting to the image service at {host}",
        "read_timeout": "timed out{after} waiting for the image service at {host} to answer",
        "timeout": "timed out{after}: the request to the image service at {host} got no answer",
        "tls": "TLS certificate of {host} could not be verified (set cacert, or verify=false)",
        "connect": "cannot connect to {host}: {reason}",
        "dropped": "connection dropped before the answer was complete (the image service at {host})",
        "cut_off": "answer cut off: the connection to the image service at {host} dropped {where}",
        "write": "connection dropped while sending the request to the image service at {host}",
        "other": "network error talking to the image service at {host}: {kind}",
    },
    "Keystone": {
        "connect_timeout": "timed out connecting to Keystone at {host}: check auth_url and the network (VPN, proxy)",
        "timeout": "Keystone at {host} did not answer in time: try again, or check the identity service",
        "tls": "the TLS certificate of Keystone at {host} could not be verified (certificate verify failed): "
        "set cacert to the CA bundle that signed it, or verify=false for a test cloud",
        "connect": "cannot reach Keystone at {host} ({reason}): check auth_url and the network",
        "dropped": "the connection to Keystone at {host} was dropped before the answer was complete: try again",
        "unsupported": "auth_url {url!r} is not an http(s) URL",
        "other": "network error talking to Keystone at {host}: {kind}",
    },
}
_FALLBACK = {"read_timeout": "timeout", "cut_off": "dropped", "write": "dropped", "dropped": "other"}
_FALLBACK |= {"unsupported": "other"}
# Failures that surely happened before the request left: nothing can have been applied.
_NOT_SENT: tuple[type[httpx.HTTPError], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_NOT_SENT += (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError)
# httpcore: "peer closed connection without sending complete message body (received 38 bytes, expected 77)"
_INCOMPLETE_BODY = re.compile(r"complete message body(?: \(received (\d+) bytes, expected (\d+)\))?")
# which of the client's timeouts ran out, by exception
_TIMEOUT_KEY = {httpx.ConnectTimeout: "connect", httpx.ReadTimeout: "read", httpx.WriteTimeout: "write"}
_TIMEOUT_KEY |= {httpx.PoolTimeout: "pool"}


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
    """How the request failed; which httpx exception each real fault raises is pinned by the contract tests
    (tests/contract/test_write_outcomes.py): a reset is a ReadError, a body shorter than its Content-Length a
    RemoteProtocolError, no answer in time a ReadTimeout."""
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
        return "cut_off" if _INCOMPLETE_BODY.search(str(exc)) else "dropped"
    if isinstance(exc, httpx.ReadError):
        return "dropped"
    if isinstance(exc, httpx.WriteError):
        return "write"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "unsupported"
    return "other"


def _timeout_after(exc: httpx.HTTPError) -> str:
    """ " after 30 s": the client's timeout that ran out, read from the request; empty if unknown."""
    key = next((name for cls, name in _TIMEOUT_KEY.items() if isinstance(exc, cls)), None)
    try:
        timeouts = exc.request.extensions.get("timeout") or {}
    except RuntimeError:  # no request attached
        return ""
    seconds = timeouts.get(key) if key else None
    return f" after {seconds:g} s" if isinstance(seconds, (int, float)) else ""


def _where_cut(exc: httpx.HTTPError) -> str:
    found = _INCOMPLETE_BODY.search(str(exc))
    if found and found.group(1):
        return f"after {found.group(1)} of {found.group(2)} bytes"
    return "before it was complete"


def network_error(
    exc: httpx.HTTPError,
    url: str,
    service: str = "image service",
    *,
    method: str | None = None,
    path: str | None = None,
    redact: Callable[[str], str] = str,
) -> NetworkError:
    """The ``NetworkError`` for a request to ``url`` that got no (complete) answer, worded for ``service``.

    ``outcome_unknown`` is set for an image-service write (any method but GET/HEAD/OPTIONS) unless the failure
    surely came before the request left (connect, TLS, pool). ``redact`` scrubs secrets from the parts of the
    message that quote the exception or the URL.
    """
    wording = _NETWORK_WORDING[service]
    kind = found = _network_kind(exc)
    while found not in wording:
        found = _FALLBACK[found]
    message = wording[found].format(
        host=host_of(url),
        url=redact(url),
        reason=redact(str(exc)) or "connection refused",
        kind=type(exc).__name__,
        after=_timeout_after(exc),
        where=_where_cut(exc),
    )
    # an auth flow's own request (Keystone's token POST) applies nothing: the caller's write was not sent yet
    sent = not isinstance(exc, _NOT_SENT) and kind != "tls" and service == "image service"
    error = NetworkError(message, method=method, path=path, outcome_unknown=sent and method not in SAFE_METHODS)
    error.kind = kind
    return error
