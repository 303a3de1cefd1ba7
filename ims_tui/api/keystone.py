"""Keystone v3 authentication as an ``httpx.Auth``, the service catalog, and a session built on both.

A token is fetched on first use (``POST {auth_url}/auth/tokens``), sent as ``X-Auth-Token``, renewed shortly
before it expires, and renewed once more when a service answers 401 (revoked, or the clocks disagree).
Passwords, secrets and tokens live in ``SecretStr`` or private attributes and are scrubbed from every message.
"""

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
from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from .client import DEFAULT_TIMEOUT, ImageClient
from .errors import (
    ApiError,
    AuthError,
    BadRequest,
    CredentialsError,
    EndpointNotFound,
    Forbidden,
    MalformedResponse,
    ServerError,
    host_of,
    message_from_body,
    network_error,
    request_id_of,
)
from .session import CloudSession, Connection, SessionInfo, looks_like_ims

log = logging.getLogger("ims_tui.api.keystone")

TOKEN_PATH = "/auth/tokens"
# Renew this long before expiry, so a token never expires between the check and the server's validation.
RENEW_BEFORE = timedelta(minutes=5)
# Keystone's generic 401 text carries no information; only other texts are worth quoting to the user.
_GENERIC_401 = "the request you have made requires authentication"

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------------------------------------- credentials


def normalize_auth_url(url: str) -> str:
    """The identity v3 root, whether the user wrote ``https://host:5000``, ``.../v3/`` or the old ``.../v2.0``."""
    root = url.strip().rstrip("/")
    if not root:
        raise ValueError("auth_url is empty")
    for suffix in ("/v3", "/v2.0"):
        if root.endswith(suffix):
            root = root[: -len(suffix)]
            break
    return root + "/v3"


def _named(name: str | None, id_: str | None) -> dict[str, str] | None:
    if id_:
        return {"id": id_}
    if name:
        return {"name": name}
    return None


class _Credentials(BaseModel):
    """What every identity shares: where Keystone is."""

    # hide_input_in_errors: a validation error must not echo the password it was given
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    auth_url: str

    @field_validator("auth_url")
    @classmethod
    def _normalize(cls, value: str) -> str:
        return normalize_auth_url(value)

    @property
    def scoped(self) -> bool:
        return self.describe_scope() is not None

    def describe_scope(self) -> str | None:
        return None

    def secrets(self) -> list[str]:
        return []

    def describe_identity(self) -> str:
        raise NotImplementedError

    def auth_body(self, *, unscoped: bool = False) -> dict[str, Any]:
        raise NotImplementedError


class _Scoped(_Credentials):
    """Where a token is scoped: a project (by id, or by name within a domain), a domain, or nothing."""

    project_name: str | None = None
    project_id: str | None = None
    project_domain_name: str | None = None
    project_domain_id: str | None = None
    domain_name: str | None = None
    domain_id: str | None = None

    def _default_project_domain(self) -> dict[str, str] | None:
        return None

    def scope_body(self) -> dict[str, Any] | None:
        if self.project_id:
            return {"project": {"id": self.project_id}}
        if self.project_name:
            domain = _named(self.project_domain_name, self.project_domain_id)
            domain = domain or self._default_project_domain()
            if domain is None:
                raise CredentialsError(
                    f"project '{self.project_name}' is given by name but without a domain: "
                    "set project_domain_name (often 'Default') or project_domain_id"
                )
            return {"project": {"name": self.project_name, "domain": domain}}
        domain = _named(self.domain_name, self.domain_id)
        if domain is not None:
            return {"domain": domain}
        return None

    def describe_scope(self) -> str | None:
        if self.project_id:
            return f"project id '{self.project_id}'"
        if self.project_name:
            domain = self.project_domain_name or self.project_domain_id
            default = self._default_project_domain()
            if domain is None and default is not None:
                domain = next(iter(default.values()))
            return f"project '{self.project_name}'" + (f" in domain '{domain}'" if domain else "")
        if self.domain_name or self.domain_id:
            return f"domain '{self.domain_name or self.domain_id}'"
        return None


class PasswordCredentials(_Scoped):
    """A user (by id, or by name within a domain) and a password."""

    password: SecretStr
    username: str | None = None
    user_id: str | None = None
    user_domain_name: str | None = None
    user_domain_id: str | None = None

    def _default_project_domain(self) -> dict[str, str] | None:
        # clouds.yaml files often name only the user's domain; the project usually lives in the same one.
        return _named(self.user_domain_name, self.user_domain_id)

    def _user(self) -> dict[str, Any]:
        if self.user_id:
            return {"id": self.user_id}
        if not self.username:
            raise CredentialsError("no user given: set username (with user_domain_name) or user_id")
        domain = _named(self.user_domain_name, self.user_domain_id)
        if domain is None:
            raise CredentialsError(
                f"user '{self.username}' is given by name but without a domain: "
                "set user_domain_name (often 'Default') or user_domain_id"
            )
        return {"name": self.username, "domain": domain}

    def auth_body(self, *, unscoped: bool = False) -> dict[str, Any]:
        secret = self.password.get_secret_value()
        if not secret:
            raise CredentialsError(f"no password given for {self.describe_identity()}")
        user = self._user()
        user["password"] = secret
        auth: dict[str, Any] = {"identity": {"methods": ["password"], "password": {"user": user}}}
        scope = None if unscoped else self.scope_body()
        if scope is not None:
            auth["scope"] = scope
        return {"auth": auth}

    def describe_identity(self) -> str:
        if self.user_id and not self.username:
            return f"user id '{self.user_id}'"
        domain = self.user_domain_name or self.user_domain_id
        return f"user '{self.username or self.user_id}'" + (f" in domain '{domain}'" if domain else "")

    def secrets(self) -> list[str]:
        return [self.password.get_secret_value()]


class ApplicationCredential(_Credentials):
    """An application credential: its id and secret, or its name, secret and owning user.

    Its scope is fixed when it is created, so the project fields stay empty.
    """

    secret: SecretStr
    id: str | None = None
    name: str | None = None
    username: str | None = None
    user_id: str | None = None
    user_domain_name: str | None = None
    user_domain_id: str | None = None

    def auth_body(self, *, unscoped: bool = False) -> dict[str, Any]:
        secret = self.secret.get_secret_value()
        if not secret:
            raise CredentialsError(f"no secret given for {self.describe_identity()}")
        cred: dict[str, Any]
        if self.id:
            cred = {"id": self.id}
        elif self.name:
            if self.user_id:
                user: dict[str, Any] = {"id": self.user_id}
            elif self.username:
                domain = _named(self.user_domain_name, self.user_domain_id)
                if domain is None:
                    raise CredentialsError(
                        f"application credential '{self.name}' names user '{self.username}' without a domain: "
                        "set user_domain_name or user_domain_id"
                    )
                user = {"name": self.username, "domain": domain}
            else:
                raise CredentialsError(
                    f"application credential '{self.name}' is given by name: also set its user "
                    "(username with user_domain_name, or user_id), or use its id"
                )
            cred = {"name": self.name, "user": user}
        else:
            raise CredentialsError("application credential: set its id (or its name and user)")
        cred["secret"] = secret
        return {"auth": {"identity": {"methods": ["application_credential"], "application_credential": cred}}}

    def describe_identity(self) -> str:
        return f"application credential '{self.id or self.name}'"

    def secrets(self) -> list[str]:
        return [self.secret.get_secret_value()]


class TokenCredentials(_Scoped):
    """An existing token, exchanged for a new one (usually to re-scope it to a project)."""

    token: SecretStr

    def auth_body(self, *, unscoped: bool = False) -> dict[str, Any]:
        token = self.token.get_secret_value()
        if not token:
            raise CredentialsError("no token given")
        auth: dict[str, Any] = {"identity": {"methods": ["token"], "token": {"id": token}}}
        scope = None if unscoped else self.scope_body()
        if scope is not None:
            auth["scope"] = scope
        return {"auth": auth}

    def describe_identity(self) -> str:
        return "the given token"

    def secrets(self) -> list[str]:
        return [self.token.get_secret_value()]


Credentials = PasswordCredentials | ApplicationCredential | TokenCredentials


# ------------------------------------------------------------------------------------------- token results


@dataclass(frozen=True)
class AuthResult:
    """What Keystone said about a token, without the token itself."""

    token_expires_at: datetime | None
    catalog: list[dict[str, Any]] = field(default_factory=list, repr=False)
    project_id: str | None = None
    project_name: str | None = None
    project_domain_id: str | None = None
    project_domain_name: str | None = None
    user_id: str | None = None
    user_name: str | None = None
    user_domain_id: str | None = None
    user_domain_name: str | None = None
    domain_id: str | None = None
    domain_name: str | None = None
    roles: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    issued_at: datetime | None = None

    @classmethod
    def from_body(cls, body: Any) -> AuthResult:
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, dict):
            raise MalformedResponse("Keystone's token response has no 'token' object", status=201)

        def sub(obj: Any, key: str) -> dict[str, Any]:
            value = obj.get(key) if isinstance(obj, dict) else None
            return value if isinstance(value, dict) else {}

        def text(obj: dict[str, Any], key: str) -> str | None:
            value = obj.get(key)
            return value if isinstance(value, str) else None

        project, user, domain = sub(token, "project"), sub(token, "user"), sub(token, "domain")
        catalog = token.get("catalog")
        roles = token.get("roles")
        methods = token.get("methods")
        return cls(
            token_expires_at=parse_time(token.get("expires_at")),
            catalog=[c for c in catalog if isinstance(c, dict)] if isinstance(catalog, list) else [],
            project_id=text(project, "id"),
            project_name=text(project, "name"),
            project_domain_id=text(sub(project, "domain"), "id"),
            project_domain_name=text(sub(project, "domain"), "name"),
            user_id=text(user, "id"),
            user_name=text(user, "name"),
            user_domain_id=text(sub(user, "domain"), "id"),
            user_domain_name=text(sub(user, "domain"), "name"),
            domain_id=text(domain, "id"),
            domain_name=text(domain, "name"),
            roles=tuple(r["name"] for r in roles if isinstance(r, dict) and isinstance(r.get("name"), str))
            if isinstance(roles, list)
            else (),
            methods=tuple(m for m in methods if isinstance(m, str)) if isinstance(methods, list) else (),
            issued_at=parse_time(token.get("issued_at")),
        )


def parse_time(value: Any) -> datetime | None:
    """Keystone's ISO 8601 times (``2025-01-01T00:00:00.000000Z``) as aware UTC datetimes."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


# ---------------------------------------------------------------------------------------------- catalog


@dataclass(frozen=True)
class CatalogEndpoint:
    url: str
    service_type: str
    interface: str
    region: str | None
    service_name: str | None = None


def find_endpoint(
    catalog: Iterable[dict[str, Any]],
    service_type: str = "image",
    interface: str = "public",
    region: str | None = None,
) -> CatalogEndpoint:
    """The first endpoint of ``service_type`` for ``interface`` (and ``region``), or an error listing what exists."""
    catalog = list(catalog)
    services = [s for s in catalog if s.get("type") == service_type]
    if not services:
        offered = sorted({str(s.get("type")) for s in catalog if s.get("type")})
        raise EndpointNotFound(
            f"the service catalog has no '{service_type}' service"
            + (f" (it lists: {', '.join(offered)})" if offered else " (it is empty: is the token scoped to a project?)")
            + "; ask the cloud operator, or set the image endpoint explicitly"
        )
    wanted = interface.lower().removesuffix("url")  # v2-style "publicURL" means "public"
    endpoints: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for service in services:
        items = service.get("endpoints")
        for ep in items if isinstance(items, list) else []:
            if isinstance(ep, dict) and isinstance(ep.get("url"), str):
                endpoints.append((service, ep))
    on_interface = [(s, ep) for s, ep in endpoints if str(ep.get("interface", "")).lower() == wanted]
    if not on_interface:
        others = sorted({str(ep.get("interface")) for _, ep in endpoints if ep.get("interface")})
        raise EndpointNotFound(
            f"the '{service_type}' service has no {wanted} endpoint"
            + (f" (it has: {', '.join(others)}); set the interface to one of those" if others else "")
        )

    def region_of(ep: dict[str, Any]) -> str | None:
        found = ep.get("region_id") or ep.get("region")
        return str(found) if found else None

    chosen = on_interface
    if region:
        chosen = [(s, ep) for s, ep in on_interface if region_of(ep) == region]
        if not chosen:
            regions = sorted({r for _, ep in on_interface if (r := region_of(ep))})
            raise EndpointNotFound(
                f"no {wanted} '{service_type}' endpoint in region '{region}'"
                + (f"; regions that have one: {', '.join(regions)}" if regions else "; no endpoint names a region")
            )
    service, ep = chosen[0]
    name = service.get("name")
    return CatalogEndpoint(
        url=str(ep["url"]),
        service_type=service_type,
        interface=wanted,
        region=region_of(ep),
        service_name=name if isinstance(name, str) else None,
    )


def pick_endpoint(
    catalog: Iterable[dict[str, Any]],
    service_type: str = "image",
    interface: str = "public",
    region: str | None = None,
) -> str:
    """The URL of the endpoint ``find_endpoint`` picks."""
    return find_endpoint(catalog, service_type, interface, region).url


# ------------------------------------------------------------------------------------------------- errors


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


# ---------------------------------------------------------------------------------------------- session


class KeystoneSession(CloudSession):
    """Authenticates against Keystone, finds the image endpoint in the catalog (or uses an override)."""

    def __init__(
        self,
        info: SessionInfo,
        credentials: Credentials,
        *,
        interface: str = "public",
        region: str | None = None,
        endpoint_override: str | None = None,
        verify: bool | str = True,
        service_type: str = "image",
        transport: httpx.AsyncBaseTransport | None = None,
        page_size: int | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(info, page_size=page_size)
        self.credentials = credentials
        self.interface = interface
        self.region = region
        self.endpoint_override = endpoint_override
        self.verify = verify
        self.service_type = service_type
        self.transport = transport
        self.auth = KeystoneAuth(credentials, verify=verify, transport=transport, clock=clock)
        self.result: AuthResult | None = None

    def __repr__(self) -> str:
        return f"KeystoneSession(cloud={self.info.cloud!r}, auth={self.auth!r})"

    async def connect(self) -> Connection:
        if self.connection is not None:
            return self.connection
        result = await self.auth.authenticate()
        self.result = result
        if self.endpoint_override:
            endpoint, region = self.endpoint_override, self.region
        else:
            found = find_endpoint(result.catalog, self.service_type, self.interface, self.region)
            endpoint, region = found.url, found.region
        info = self.info
        project = info.project
        if result.project_name or result.project_id:
            project = result.project_name or result.project_id
        elif result.domain_name or result.domain_id:
            project = f"domain {result.domain_name or result.domain_id}"
        learned = info.with_changes(
            endpoint=endpoint,
            region=region or info.region,
            user=result.user_name or result.user_id or info.user,
            project=project,
            ims=True if info.ims is None and looks_like_ims(endpoint) else info.ims,
        )
        client = ImageClient(
            endpoint, auth=self.auth, transport=self.transport, verify=self.verify, read_only=info.read_only
        )
        self.connection = Connection(client, learned)
        return self.connection
