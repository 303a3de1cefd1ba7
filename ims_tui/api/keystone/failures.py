"""What Keystone's refusal of a token request means, worded as the setting to check.

Keystone answers a bare 401 for a wrong password and for a project the user has no role on alike; the flow then
asks once more without the scope (``needs_diagnosis``), and ``token_failure`` words the answer from both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from ..errors import (
    ApiError,
    AuthError,
    BadRequest,
    Forbidden,
    ServerError,
    host_of,
    message_from_body,
    request_id_of,
)
from .credentials import ApplicationCredential, Credentials, TokenCredentials

# Keystone's generic 401 text carries no information; only other texts are worth quoting to the user.
_GENERIC_401 = "the request you have made requires authentication"


def needs_diagnosis(credentials: Credentials, response: httpx.Response) -> bool:
    """Whether asking again without the scope would tell a bad login from a bad scope (only on this failure path,
    so it costs nothing when the login works)."""
    return response.status_code == 401 and credentials.scoped and not isinstance(credentials, ApplicationCredential)


def token_failure(
    credentials: Credentials,
    response: httpx.Response,
    *,
    unscoped_ok: bool | None = None,
    redact: Callable[[str], str] = str,
) -> ApiError:
    """The error for a token request Keystone did not answer 201; ``unscoped_ok`` is what the unscoped retry got
    (None if there was none), ``redact`` scrubs secrets from the words quoted from Keystone."""
    status = response.status_code
    said = redact(message_from_body(response.content, response.headers.get("content-type", "")))
    quoted = f" (Keystone said: {said})" if said and _GENERIC_401 not in said.lower() else ""
    identity, scope = credentials.describe_identity(), credentials.describe_scope()
    kwargs: dict[str, Any] = {
        "status": status,
        "request_id": request_id_of(response),
        "method": "POST",
        "path": response.request.url.path,
    }
    if isinstance(credentials, ApplicationCredential):
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
        if isinstance(credentials, TokenCredentials) and not unscoped_ok:
            return AuthError(
                "Keystone rejected the given token: it expired or was revoked; log in again" + quoted, **kwargs
            )
        if unscoped_ok and scope:
            what = "domain name (or id)" if scope.startswith("domain") else "project name and project domain (or id)"
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
            f"Keystone rejected the credentials for {identity}: check the user name, password and user domain" + quoted,
            **kwargs,
        )
    if status == 403:
        return Forbidden(f"Keystone refused to issue a token for {identity}" + quoted, **kwargs)
    if status in (404, 405) or status < 400:
        # a Glance, a web server or a proxy answering instead of Keystone; its body is noise here
        return ApiError(
            f"no Keystone v3 token API at {credentials.auth_url} (it answered HTTP {status}): check auth_url",
            **kwargs,
        )
    if status == 400:
        return BadRequest(f"Keystone rejected the authentication request as invalid{quoted}", **kwargs)
    if status >= 500:
        return ServerError(f"Keystone at {host_of(credentials.auth_url)} failed{quoted}", **kwargs)
    return ApiError(f"Keystone answered HTTP {status} to the token request{quoted}", **kwargs)
