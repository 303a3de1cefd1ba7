"""Keystone v3 token auth as an ``httpx.Auth``: fetch, reuse, renew near expiry, renew once on a 401."""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
from collections.abc import AsyncGenerator, Callable, Generator, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..client import DEFAULT_TIMEOUT
from ..errors import (
    ApiError,
    AuthError,
    BadRequest,
    Forbidden,
    MalformedResponse,
    ServerError,
    host_of,
    message_from_body,
    network_error,
    request_id_of,
)
from .catalog import AuthResult
from .credentials import ApplicationCredential, Credentials, TokenCredentials

log = logging.getLogger("ims_tui.api.keystone")

TOKEN_PATH = "/auth/tokens"
# Renew this long before expiry, so a token never expires between the check and the server's validation.
RENEW_BEFORE = timedelta(minutes=5)
# Keystone's generic 401 text carries no information; only other texts are worth quoting to the user.
_GENERIC_401 = "the request you have made requires authentication"

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class _Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        # longest first, so a secret containing another is replaced whole
        self._secrets = sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


# ----------------------------------------------------------------------------------------------- the auth


@dataclass
class _TokenAttempt:
    """One token request to send; the async and sync flows do the I/O."""

    url: str
    body: dict[str, Any] = field(repr=False)
    unscoped: bool = False


def _replayable(request: httpx.Request) -> bool:
    # A streamed upload was consumed by the first attempt and cannot be sent again: its 401 goes to the caller.
    try:
        request.content  # noqa: B018
    except httpx.RequestNotRead:
        return False
    return True


class KeystoneAuth(httpx.Auth):
    """Keystone v3 token auth for every request of an ``httpx`` client.

    ``authenticate()`` fetches (or reuses) a token and returns what Keystone said about it: the catalog, the
    project, the user. ``authentication_count`` counts the tokens fetched, for status lines and tests.
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        verify: bool | str | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | None = None,
        sync_transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._credentials = credentials
        self._verify = verify
        self._transport = transport
        self._sync_transport = sync_transport
        self._clock = clock or _utcnow
        self._timeout = timeout
        self._token: str | None = None
        self._result: AuthResult | None = None
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self._sync_lock = threading.Lock()
        self._redact = _Redactor(credentials.secrets())
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

    def _fresh(self) -> bool:
        if self._token is None:
            return False
        expires = self._result.token_expires_at if self._result else None
        return expires is None or expires - self._clock() > RENEW_BEFORE

    def _async_lock(self) -> asyncio.Lock:
        # an asyncio.Lock belongs to one event loop; tests (and a reconnect) may run under another
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    def forget_token(self) -> None:
        """Drop the cached token: the next request authenticates again (after a credentials change)."""
        self._token = None

    def _set_token_for_testing(self, token: str) -> None:
        """Replace the cached token, keeping its expiry: simulates a token the server no longer accepts."""
        self._token = token
        self._redact = _Redactor([*self._credentials.secrets(), token])

    # -- the token request, shared by the async and sync flows

    def _attempt(self, *, unscoped: bool = False) -> _TokenAttempt:
        return _TokenAttempt(
            url=self._credentials.auth_url + TOKEN_PATH,
            body=self._credentials.auth_body(unscoped=unscoped),
            unscoped=unscoped,
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
        self._redact = _Redactor([*self._credentials.secrets(), token])
        self.authentication_count += 1
        log.info(
            "authenticated %s at %s (scope %s), token expires %s",
            self._credentials.describe_identity(),
            host_of(self.auth_url),
            result.project_name or result.project_id or result.domain_name or "none",
            result.token_expires_at.isoformat() if result.token_expires_at else "never",
        )
        return result

    def _needs_diagnosis(self, response: httpx.Response) -> bool:
        # Keystone answers a bare 401 for a wrong password and for a project the user has no role on alike;
        # asking again without the scope tells the two apart (only on this failure path, so it costs nothing).
        return (
            response.status_code == 401
            and self._credentials.scoped
            and not isinstance(self._credentials, ApplicationCredential)
        )

    def _failure(self, response: httpx.Response, *, unscoped_ok: bool | None = None) -> ApiError:
        creds = self._credentials
        status = response.status_code
        said = self._redact(message_from_body(response.content, response.headers.get("content-type", "")))
        quoted = f" (Keystone said: {said})" if said and _GENERIC_401 not in said.lower() else ""
        identity, scope = creds.describe_identity(), creds.describe_scope()
        kwargs: dict[str, Any] = {
            "status": status,
            "request_id": request_id_of(response),
            "method": "POST",
            "path": response.request.url.path,
        }
        if isinstance(creds, ApplicationCredential):
            if status == 404:
                return AuthError(
                    f"{identity} does not exist: it was deleted, or it expired and was removed; "
                    "create a new application credential" + quoted,
                    **kwargs,
                )
            if status == 401:
                return AuthError(
                    f"Keystone rejected {identity}: check its id (or name and user) and secret, "
                    "and that it has not expired" + quoted,
                    **kwargs,
                )
        if status == 401:
            if isinstance(creds, TokenCredentials) and not unscoped_ok:
                return AuthError(
                    "Keystone rejected the given token: it expired or was revoked; log in again" + quoted, **kwargs
                )
            if unscoped_ok and scope:
                what = (
                    "domain name (or id)" if scope.startswith("domain") else "project name and project domain (or id)"
                )
                target = "domain" if scope.startswith("domain") else "project"
                return AuthError(
                    f"{identity} is not authorized for {scope}: check the {what}, "
                    f"and that the user has a role on that {target}" + quoted,
                    **kwargs,
                )
            if unscoped_ok is None and scope:
                return AuthError(
                    f"Keystone rejected the login of {identity} to {scope}: check the user name, password and "
                    "user domain, and the project name and project domain" + quoted,
                    **kwargs,
                )
            return AuthError(
                f"Keystone rejected the credentials for {identity}: check the user name, password and user domain"
                + quoted,
                **kwargs,
            )
        if status == 403:
            return Forbidden(f"Keystone refused to issue a token for {identity}" + quoted, **kwargs)
        if status in (404, 405) or status < 400:
            # a Glance, a web server or a proxy answering instead of Keystone; its body is noise here
            return ApiError(
                f"no Keystone v3 token API at {self.auth_url} (it answered HTTP {status}): check auth_url",
                **kwargs,
            )
        if status == 400:
            return BadRequest(f"Keystone rejected the authentication request as invalid{quoted}", **kwargs)
        if status >= 500:
            return ServerError(f"Keystone at {host_of(self.auth_url)} failed{quoted}", **kwargs)
        return ApiError(f"Keystone answered HTTP {status} to the token request{quoted}", **kwargs)

    def _client_kwargs(self) -> dict[str, Any]:
        return {"verify": self._verify, "timeout": self._timeout, "follow_redirects": False}

    # -- async

    async def authenticate(self, *, force: bool = False) -> AuthResult:
        """A valid token's facts; fetches a token only when there is none, it is near expiry, or ``force``."""
        stale = self._token
        if not force and self._fresh() and self._result is not None:
            return self._result
        async with self._async_lock():
            # another task may have renewed while this one waited
            renewed = self._token is not None and self._token != stale
            if self._result is not None and self._fresh() and (renewed or not force):
                return self._result
            return await self._fetch()

    async def _fetch(self) -> AuthResult:
        attempt = self._attempt()
        http = httpx.AsyncClient(transport=self._transport, **self._client_kwargs())
        try:
            response = await self._post(http, attempt)
            if response.status_code == 201:
                return self._accept(response)
            unscoped_ok: bool | None = None
            if self._needs_diagnosis(response):
                probe = await self._post(http, self._attempt(unscoped=True))
                unscoped_ok = probe.status_code == 201 if probe.status_code in (201, 401) else None
            raise self._failure(response, unscoped_ok=unscoped_ok)
        finally:
            # closing the client closes its transport: a transport passed in is shared with the image client
            if self._transport is None:
                await http.aclose()

    async def _post(self, http: httpx.AsyncClient, attempt: _TokenAttempt) -> httpx.Response:
        try:
            return await http.post(attempt.url, json=attempt.body, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise network_error(
                exc, self.auth_url, "Keystone", method="POST", path=urlsplit(attempt.url).path, redact=self._redact
            ) from None

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await self.authenticate()
        sent = self._token
        assert sent is not None
        request.headers["X-Auth-Token"] = sent
        response = yield request
        if response.status_code != 401 or not _replayable(request):
            return
        log.info("the service answered 401 to %s %s: authenticating again", request.method, request.url.path)
        async with self._async_lock():
            if self._token == sent:
                await self._fetch()
        assert self._token is not None
        request.headers["X-Auth-Token"] = self._token
        yield request

    # -- sync (same behaviour, for scripts and tools that use a plain httpx.Client)

    def authenticate_sync(self, *, force: bool = False) -> AuthResult:
        stale = self._token
        if not force and self._fresh() and self._result is not None:
            return self._result
        with self._sync_lock:
            renewed = self._token is not None and self._token != stale
            if self._result is not None and self._fresh() and (renewed or not force):
                return self._result
            return self._fetch_sync()

    def _fetch_sync(self) -> AuthResult:
        attempt = self._attempt()
        http = httpx.Client(transport=self._sync_transport, **self._client_kwargs())
        try:
            response = self._post_sync(http, attempt)
            if response.status_code == 201:
                return self._accept(response)
            unscoped_ok: bool | None = None
            if self._needs_diagnosis(response):
                probe = self._post_sync(http, self._attempt(unscoped=True))
                unscoped_ok = probe.status_code == 201 if probe.status_code in (201, 401) else None
            raise self._failure(response, unscoped_ok=unscoped_ok)
        finally:
            if self._sync_transport is None:
                http.close()

    def _post_sync(self, http: httpx.Client, attempt: _TokenAttempt) -> httpx.Response:
        try:
            return http.post(attempt.url, json=attempt.body, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise network_error(
                exc, self.auth_url, "Keystone", method="POST", path=urlsplit(attempt.url).path, redact=self._redact
            ) from None

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.authenticate_sync()
        sent = self._token
        assert sent is not None
        request.headers["X-Auth-Token"] = sent
        response = yield request
        if response.status_code != 401 or not _replayable(request):
            return
        with self._sync_lock:
            if self._token == sent:
                self._fetch_sync()
        assert self._token is not None
        request.headers["X-Auth-Token"] = self._token
        yield request
