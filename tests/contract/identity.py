"""Test-only authentication for a Glance that runs the "trusted" pipeline (no Keystone)."""

from __future__ import annotations

from collections.abc import Generator

import httpx


class HeaderIdentityAuth(httpx.Auth):
    """Glance's "trusted" test pipeline takes the caller's identity from headers (no Keystone).

    Only for tests and benchmarks against a loopback Glance; never use against a real cloud.
    """

    def __init__(self, project_id: str, roles: str = "member", user_id: str = "ims-tui-tester") -> None:
        self.project_id = project_id
        self.roles = roles
        self.user_id = user_id

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-Identity-Status"] = "Confirmed"
        request.headers["X-Project-Id"] = self.project_id
        request.headers["X-User-Id"] = self.user_id
        request.headers["X-Roles"] = self.roles
        yield request
