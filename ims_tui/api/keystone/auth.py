"""Keystone v3 token auth as one ``httpx.Auth`` flow.

``auth_flow`` is the whole scheme, as httpx's ``DigestAuth`` is: when there is no token or it is about to
expire, it yields the token POST (``{auth_url}/auth/tokens``, through the caller's own client and pool) and
reads Keystone's answer; then it yields the request with ``X-Auth-Token``, and if the service answers 401
(revoked, or the clocks disagree) it fetches a token once more and sends the request once more, when its body
can be sent again. Tests drive it step by step with ``next()``/``send()``.

``async_auth_flow`` adds only what must be async: a lock, so concurrent requests wait for one token request
instead of each sending their own. ``authenticate()`` runs the flow's token step on a small client of its own,
for a session that needs the catalog before it can send anything. A sync ``httpx.Client`` gets httpx's default
driver of the same flow (without the lock).

With a ``TokenCache``, the first token comes from the login kept by an earlier run while it is fresh (the same
``RENEW_BEFORE`` margin), every new login is kept there, and a kept token a service refuses (401) is dropped
before the one login again.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import AsyncGenerator, Callable, Generator
from datetime import datetime, timedelta, timezone

import httpx

from ..client import DEFAULT_TIMEOUT
from ..errors import SERVICE_EXTENSION, MalformedResponse, host_of, network_error, request_id_of
from ..request_log import RequestLog, logged_client
from .catalog import AuthResult
from .credentials import Credentials
from .failures import needs_diagnosis, token_failure
from .token_cache import TokenCache

log = logging.getLogger("ims_tui.api.keystone")

TOKEN_PATH = "/auth/tokens"
# Renew this long before expiry, so a token never expires between the check and the server's validation.
RENEW_BEFORE = timedelta(minutes=5)
KEYSTONE = "Keystone"  # the service the token request is for, in its SERVICE_EXTENSION

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _replayable(request: httpx.Request) -> bool:
    # A streamed upload was consumed by the first attempt and cannot be sent again: its 401 goes to the caller.
    try:
        request.content  # noqa: B018
    except httpx.RequestNotRead:
        return False
    return True


def _is_token_request(request: httpx.Request) -> bool:
    return request.extensions.get(SERVICE_EXTENSION) == KEYSTONE


class KeystoneAuth(httpx.Auth):
    """Keystone v3 token auth for every request of an ``httpx`` client.

    ``authenticate()`` fetches (or reuses) a token and returns what Keystone said about it: the catalog, the
    project, the user. ``authentication_count`` counts the tokens fetched, for status lines and tests;
    ``restored`` says the token in use came from the cache instead.
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        verify: bool | str | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        request_log: RequestLog | None = None,
        cache: TokenCache | None = None,
    ) -> None:
        self._credentials = credentials
        self._cache = cache
        self._cache_read = cache is None  # the cache is read once, for the first token only
        self.restored = False
        self._request_log = request_log  # for authenticate()'s own client (None: the process's log)
        self._verify = verify  # for authenticate()'s own client; the flow's requests use the caller's client
        self._transport = transport
        self._clock = clock or _utcnow
        self._timeout = timeout
        self._token: str | None = None
        self._result: AuthResult | None = None
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self.authentication_count = 0

    def __repr__(self) -> str:
        return (
            f"KeystoneAuth(auth_url={self._credentials.auth_url!r}, "
            f"identity={self._credentials.describe_identity()!r}, token={'***' if self._token else None})"
        )

    @property
    def credentials(self) -> Credentials:
        return self._credentials

    @property
    def auth_url(self) -> str:
        return self._credentials.auth_url

    @property
    def result(self) -> AuthResult | None:
        """What the current token is scoped to; None before the first authentication."""
        return self._result

    def forget_token(self) -> None:
        """Drop the cached token: the next request authenticates again (after a credentials change)."""
        self._token = None

    def _fresh(self) -> bool:
        if self._token is None:
            return False
        expires = self._result.token_expires_at if self._result else None
        return expires is None or expires - self._clock() > RENEW_BEFORE

    def _restore(self) -> None:
        """Take the login an earlier run kept, if there is no token yet and the kept one is still fresh."""
        if self._cache_read or self._token is not None or self._cache is None:
            return
        self._cache_read = True
        cached = self._cache.load(self._credentials)
        if cached is None:
            return
        self._token, self._result = cached.token, cached.result
        if not self._fresh():
            self._token, self._result = None, None  # the login replaces the file
            log.debug("the cached token of %s has expired or is about to", self._credentials.describe_identity())
            return
        self.restored = True
        log.info(
            "reusing the cached token of %s at %s, it expires %s",
            self._credentials.describe_identity(),
            host_of(self.auth_url),
            cached.result.token_expires_at.isoformat() if cached.result.token_expires_at else "never",
        )

    def _redact(self, text: str) -> str:
        secrets = [*self._credentials.secrets(), self._token or ""]
        # longest first, so a secret containing another is replaced whole
        for secret in sorted({s for s in secrets if len(s) >= 3}, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    # -- the flow

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self._restore()
        if not self._fresh():
            yield from self._token_step()
        sent = self._token
        assert sent is not None
        request.headers["X-Auth-Token"] = sent
        response = yield request
        if response.status_code != 401 or not _replayable(request):
            return
        log.info("the service answered 401 to %s %s: authenticating again", request.method, request.url.path)
        if self._token == sent:  # not renewed by another request meanwhile
            if self._cache is not None:
                self._cache.drop(self._credentials)  # refused: no later run may take it either
            yield from self._token_step()
        assert self._token is not None
        request.headers["X-Auth-Token"] = self._token
        yield request

    def _token_step(self) -> Generator[httpx.Request, httpx.Response, AuthResult]:
        """Ask Keystone for a token and keep it, or raise what its refusal means."""
        response = yield self._token_request()
        response.read()  # a no-op when the driver has read it already (async clients must)
        if response.status_code == 201:
            return self._accept(response)
        unscoped_ok: bool | None = None
        if needs_diagnosis(self._credentials, response):
            probe = yield self._token_request(unscoped=True)
            unscoped_ok = probe.status_code == 201 if probe.status_code in (201, 401) else None
        raise token_failure(self._credentials, response, unscoped_ok=unscoped_ok, redact=self._redact)

    def _token_request(self, *, unscoped: bool = False) -> httpx.Request:
        # A new request, so it never carries the caller's X-Auth-Token or headers. Built outside a client, it has
        # no timeout unless given one; SERVICE_EXTENSION makes the client word its network failure for Keystone
        # and never retry it as if it were the caller's GET.
        return httpx.Request(
            "POST",
            self._credentials.auth_url + TOKEN_PATH,
            json=self._credentials.auth_body(unscoped=unscoped),
            headers={"Accept": "application/json", "User-Agent": "ims-tui"},
            extensions={"timeout": self._timeout.as_dict(), SERVICE_EXTENSION: KEYSTONE},
        )

    def _accept(self, response: httpx.Response) -> AuthResult:
        token = response.headers.get("x-subject-token")
        if not token:
            raise MalformedResponse(
                f"Keystone at {host_of(self.auth_url)} answered {response.status_code} without an X-Subject-Token "
                "header: is auth_url really a Keystone v3 endpoint?",
                status=response.status_code,
                request_id=request_id_of(response),
                method="POST",
                path=response.request.url.path,
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        result = AuthResult.from_body(body)
        self._token = token
        self._result = result
        self.authentication_count += 1
        self.restored = False
        if self._cache is not None:
            self._cache.save(self._credentials, token, result)
        log.info(
            "authenticated %s at %s (scope %s), token expires %s",
            self._credentials.describe_identity(),
            host_of(self.auth_url),
            result.project_name or result.project_id or result.domain_name or "none",
            result.token_expires_at.isoformat() if result.token_expires_at else "never",
        )
        return result

    # -- the async drivers

    def _async_lock(self) -> asyncio.Lock:
        # an asyncio.Lock belongs to one event loop; tests (and a reconnect) may run under another
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        flow = self.auth_flow(request)
        response: httpx.Response | None = None
        try:
            while True:
                # The flow decides whether a token is needed under the lock, and keeps it until the token is
                # stored: a request that waited finds the new token instead of fetching its own.
                async with self._async_lock():
                    try:
                        outgoing = next(flow) if response is None else flow.send(response)
                        while _is_token_request(outgoing):
                            answer = yield outgoing
                            await answer.aread()
                            outgoing = flow.send(answer)
                    except StopIteration:
                        return
                response = yield outgoing
        finally:
            flow.close()

    async def authenticate(self, *, force: bool = False) -> AuthResult:
        """A valid token's facts; fetches a token only when there is none, it is near expiry, or ``force``."""
        if not force:
            self._restore()
        stale = self._token
        if not force and self._fresh() and self._result is not None:
            return self._result
        async with self._async_lock():
            # another task may have renewed while this one waited
            renewed = self._token is not None and self._token != stale
            if self._result is not None and self._fresh() and (renewed or not force):
                return self._result
            return await self._run_token_step()

    async def _run_token_step(self) -> AuthResult:
        http = logged_client(
            self._request_log,
            transport=self._transport,
            verify=self._verify,
            timeout=self._timeout,
            follow_redirects=False,
        )
        step = self._token_step()
        try:
            request = next(step)
            while True:
                try:
                    response = await http.send(request)
                except httpx.HTTPError as exc:
                    raise network_error(
                        exc, self.auth_url, KEYSTONE, method="POST", path=request.url.path, redact=self._redact
                    ) from None
                try:
                    request = step.send(response)
                except StopIteration as done:
                    result: AuthResult = done.value
                    return result
        finally:
            step.close()
            # closing the client closes its transport: a transport passed in is shared with the image client
            if self._transport is None:
                await http.aclose()
