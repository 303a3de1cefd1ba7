"""The request log: every request this process sent (image service, Keystone/IAM, each retry its own entry).

One ``RequestLog`` (``SESSION_LOG``, unless a test passes its own) is fed by httpx's event hooks on every client
the API layer makes (``logged_client``): the request hook starts an entry, the response hook adds the status and
request id and counts the body as it is read, and the client's ``send`` marks a request that got no answer
(reset, timeout, refused). Nothing is rendered here and nothing is formatted until someone asks: recording
costs one small entry and one byte counter per request, kept in a deque of the last ``MAX_ENTRIES``.

Never kept, so never shown: header values (but the request id), request bodies, the answer of a token request
(Keystone/IAM may quote credentials), the user:password@ of a URL, and the value of any query parameter whose
name looks like a credential (``SECRET_PARAM_WORDS``: a signature, a token, a key).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx

from ..logs import redact
from .errors import SERVICE_EXTENSION, network_error, request_id_of
from .messages import message_from_body

MAX_ENTRIES = 1000
MAX_ERROR_BODY = 64 * 1024  # what is kept of a failure's body to find its message in (the message is shorter)
MASK = "***"
ENTRY_EXTENSION = "ims_tui.request_log"  # the entry of a request, in its extensions, for the later hooks
# A query parameter whose name contains one of these carries a credential (X-Amz-Signature, temp_url_sig,
# X-Amz-Security-Token, AccessKeyId, api_key, auth_token): its value is never kept. Names are compared lower-case.
SECRET_PARAM_WORDS = (
    *("sig", "token", "secret", "password", "passwd", "credential"),
    *("accesskey", "access_key", "apikey", "api_key", "auth"),
)
SECRET_PARAM_NAMES = frozenset({"key", "sk", "ak"})
# How a request that got no (complete) answer reads in the status column, by errors.network_error's kind.
FAILURE_WORDS = {
    "connect_timeout": "timeout",
    "read_timeout": "timeout",
    "timeout": "timeout",
    "tls": "tls",
    "connect": "refused",
    "dropped": "reset",
    "cut_off": "cut off",
    "write": "reset",
    "unsupported": "bad url",
}


def secret_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in SECRET_PARAM_NAMES or any(word in lowered for word in SECRET_PARAM_WORDS)


def redact_query(query: str) -> str:
    """``query`` with the value of every credential-like parameter replaced by ``***``; the rest as sent."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(secret_param(name) for name, _ in pairs):
        return query  # the usual case: shown exactly as sent
    return "&".join(
        f"{quote(name, safe='')}={MASK if secret_param(name) else quote(value, safe=':,')}" for name, value in pairs
    )


class RequestEntry:
    """One request: filled in as it goes (sent, answered, body read or failed), never holding a secret.

    ``status`` is None until an answer arrives; ``failure`` names what went wrong on the line ("timeout",
    "reset") when no complete answer did; ``duration`` is None while the request runs.
    """

    __slots__ = (
        "number",
        "at",
        "method",
        "host",
        "path",
        "query",
        "service",
        "status",
        "failure",
        "request_id",
        "size",
        "duration",
        "error",
        "_started",
        "_body",
    )

    def __init__(self, number: int, at: float, started: float, request: httpx.Request) -> None:
        url = request.url
        self.number = number
        self.at = at  # wall-clock seconds since the epoch
        self.method = request.method
        self.host = url.host + (f":{url.port}" if url.port else "")
        path, _, query = url.raw_path.decode("ascii", errors="replace").partition("?")  # as sent: percent-encoded
        self.path = path
        self.query = redact_query(query)
        self.service: str = str(request.extensions.get(SERVICE_EXTENSION) or "")  # "Keystone" for a token request
        self.status: int | None = None
        self.failure: str | None = None
        self.request_id: str | None = None
        self.size = 0
        self.duration: float | None = None
        self.error = ""  # a failure's message: the server's words, or how the line failed
        self._started = started
        self._body: bytearray | None = None

    @property
    def target(self) -> str:
        """The path with its (redacted) query string."""
        return self.path + (f"?{self.query}" if self.query else "")

    @property
    def failed(self) -> bool:
        return self.failure is not None or (self.status is not None and self.status >= 400)

    @property
    def done(self) -> bool:
        return self.duration is not None

    def matches(self, needle: str) -> bool:
        """Whether ``needle`` (lower-case) is in what a row shows or the request id."""
        fields = (self.method, self.target, self.host, self.service, str(self.status or ""), self.failure or "")
        return any(needle in text.lower() for text in (*fields, self.request_id or ""))

    def __repr__(self) -> str:
        return f"RequestEntry({self.method} {self.target} -> {self.status or self.failure})"


class _CountedStream(httpx.AsyncByteStream):
    """The answer's body as the caller reads it, counted; a failure's first bytes kept for its message."""

    def __init__(self, inner: httpx.AsyncByteStream, log: RequestLog, response: httpx.Response) -> None:
        self._inner = inner
        self._log = log
        self._request = response.request  # a failure while reading the body comes with no request attached
        self._entry: RequestEntry = response.request.extensions[ENTRY_EXTENSION]
        self._content_type = response.headers.get("content-type", "")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        entry = self._entry
        try:
            async for chunk in self._inner:
                entry.size += len(chunk)
                body = entry._body
                if body is not None and len(body) < MAX_ERROR_BODY:
                    body += chunk[: MAX_ERROR_BODY - len(body)]
                yield chunk
        except httpx.TransportError as exc:
            self._log.failed(self._request, exc)
            raise

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._log.finish(self._entry, self._content_type)


class RequestLog:
    """The last ``maxlen`` requests, oldest first; ``version`` grows with every change, so a screen that shows
    them redraws only when it changed."""

    def __init__(
        self,
        maxlen: int = MAX_ENTRIES,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._entries: deque[RequestEntry] = deque(maxlen=maxlen)
        self._clock = clock
        self._monotonic = monotonic
        self.count = 0  # every request ever recorded, also those the deque has let go
        self.version = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterable[RequestEntry]:
        return iter(self._entries)

    def newest_first(self) -> list[RequestEntry]:
        return list(reversed(self._entries))

    def clear(self) -> None:
        self._entries.clear()
        self.version += 1

    def event_hooks(self) -> dict[str, list[Callable[[Any], Any]]]:
        return {"request": [self._on_request], "response": [self._on_response]}

    async def _on_request(self, request: httpx.Request) -> None:
        self.count += 1
        entry = RequestEntry(self.count, self._clock(), self._monotonic(), request)
        request.extensions[ENTRY_EXTENSION] = entry  # an auth flow's retry of this request replaces it
        self._entries.append(entry)
        self.version += 1

    async def _on_response(self, response: httpx.Response) -> None:
        entry = response.request.extensions.get(ENTRY_EXTENSION)
        if not isinstance(entry, RequestEntry):
            return
        entry.status = response.status_code
        entry.request_id = request_id_of(response)
        if entry.failed and not entry.service:  # a token request's answer is never kept
            entry._body = bytearray()
        content_type = response.headers.get("content-type", "")
        if response.is_stream_consumed:  # an in-process transport's answer (the demo) arrives read already
            entry.size = len(response.content)
            if entry._body is not None:
                entry._body += response.content[:MAX_ERROR_BODY]
            self.finish(entry, content_type)
            return
        response.stream = _CountedStream(response.stream, self, response)  # type: ignore[arg-type]
        self.version += 1

    def finish(self, entry: RequestEntry, content_type: str = "") -> None:
        """The answer's body was read (or dropped): the request is done."""
        if entry.duration is None:
            entry.duration = self._monotonic() - entry._started
        body, entry._body = entry._body, None
        if body and not entry.error:
            entry.error = redact(message_from_body(bytes(body), content_type))
        self.version += 1

    def failed(self, request: httpx.Request, exc: BaseException) -> None:
        """``exc`` ended ``request`` before its answer was complete: say how, once."""
        entry = request.extensions.get(ENTRY_EXTENSION)
        if not isinstance(entry, RequestEntry) or entry.failure is not None or entry.done:
            return
        if isinstance(exc, httpx.HTTPError):
            where = f"{request.url.scheme}://{entry.host}{entry.path}"  # never the query or a user:password@
            error = network_error(exc, where, entry.service or "image service")
            entry.failure = FAILURE_WORDS.get(error.kind, "error")
            entry.error = redact(error.message)
        else:
            entry.failure = "cancel"
            entry.error = "cancelled before the answer was complete (the screen that asked was left, or the app quit)"
        entry._body = None
        entry.duration = self._monotonic() - entry._started
        self.version += 1


SESSION_LOG = RequestLog()


class _LoggedClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` whose every request (an auth flow's own too) goes into a ``RequestLog``."""

    def __init__(self, request_log: RequestLog, **kwargs: Any) -> None:
        super().__init__(event_hooks=request_log.event_hooks(), **kwargs)
        self._request_log = request_log

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        try:
            return await super().send(request, **kwargs)
        except httpx.TransportError as exc:  # no answer at all, so no response hook: the request it ended
            self._request_log.failed(request_of(exc) or request, exc)
            raise
        except asyncio.CancelledError as exc:
            self._request_log.failed(request, exc)
            raise


def request_of(exc: httpx.HTTPError) -> httpx.Request | None:
    """The request that failed, which may be one the auth flow sent rather than the caller's."""
    try:
        return exc.request
    except RuntimeError:  # httpx raises when no request was attached
        return None


def logged_client(request_log: RequestLog | None = None, **kwargs: Any) -> httpx.AsyncClient:
    """The API layer's one way to make an httpx client: its requests are logged (in ``SESSION_LOG`` by default)."""
    return _LoggedClient(request_log if request_log is not None else SESSION_LOG, **kwargs)
