"""Authentication as ``httpx.Auth`` flows, so any scheme plugs into the same client."""

from __future__ import annotations

from collections.abc import Generator

import httpx


class NoAuth(httpx.Auth):
    """For servers that need no credentials (a noauth Glance, the demo cloud)."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield request


class TokenAuth(httpx.Auth):
    """A static Keystone token sent as ``X-Auth-Token``."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-Auth-Token"] = self._token
        yield request

    def __repr__(self) -> str:  # never show the token, even in a debugger or a traceback
        return "TokenAuth(token=***)"
