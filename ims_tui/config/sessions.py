"""Turning a resolved plan into a ``CloudSession``; imported only when the app first opens a session.

Kept apart from resolve.py so ``import ims_tui.config`` never pulls in httpx, the API client or the demo cloud.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..api.auth import NoAuth, TokenAuth
from ..api.session import CloudSession, Connection, SessionInfo, StaticSession
from .secrets import PasswordRequired, Secret, run_password_command

if TYPE_CHECKING:
    from .resolve import SessionPlan


class SecretPendingSession(CloudSession):
    """A session whose secret is not known yet: it comes from a ``password_command`` or from a prompt.

    ``needs_password`` is True when nothing can supply it: the UI shows a masked prompt (``prompt`` says for
    what), calls ``provide_password(value)`` and then ``connect()``. With a command, ``connect()`` runs it in a
    thread (up to 10 s) so the screen keeps drawing. ``provide_password`` also serves a retry after a 401.
    """

    def __init__(
        self,
        info: SessionInfo,
        build: Callable[[Secret], CloudSession],
        *,
        prompt: str,
        command: str | list[str] | None = None,
        page_size: int | None = None,
    ) -> None:
        super().__init__(info, page_size=page_size)
        self._build = build
        self._command = command
        self._secret: Secret | None = None
        self.inner: CloudSession | None = None
        self.prompt = prompt

    @property
    def needs_password(self) -> bool:
        return self._secret is None and self._command is None

    @property
    def prompted(self) -> bool:
        return self._secret is not None and self._secret.source == "prompt"

    def provide_password(self, secret: str | Secret) -> None:
        self._secret = secret if isinstance(secret, Secret) else Secret(secret, source="prompt")
        self._command = None  # a typed password replaces a command that failed
        self.inner = None
        self.connection = None

    async def connect(self) -> Connection:
        if self.inner is None:
            if self._secret is None:
                if self._command is None:
                    raise PasswordRequired(self.prompt)
                self._secret = await asyncio.to_thread(run_password_command, self._command)
            self.inner = self._build(self._secret)
        self.connection = await self.inner.connect()
        return self.connection

    async def aclose(self) -> None:
        if self.inner is not None:
            await self.inner.aclose()
        self.connection = None

    def __repr__(self) -> str:
        return f"SecretPendingSession(cloud={self.info.cloud!r}, needs_password={self.needs_password})"


def _info(plan: SessionPlan) -> SessionInfo:
    return SessionInfo(
        cloud=plan.name,
        endpoint=plan.endpoint,
        region=plan.region,
        project=plan.project,
        user=plan.user,
        read_only=plan.read_only,
        insecure=plan.insecure,
        ims=plan.ims,
        warnings=tuple(plan.warnings),
    )


def build_session(plan: SessionPlan) -> CloudSession:
    """A fresh session for the plan (a new ``SessionInfo`` each time, so switching back starts clean)."""
    info = _info(plan)
    if plan.kind == "demo":
        from ..demo import DEMO_ENDPOINT, DemoCloud

        demo_kwargs: dict[str, Any] = {}
        if plan.demo_images is not None:
            demo_kwargs["image_count"] = plan.demo_images
        if plan.demo_latency is not None:
            demo_kwargs["latency"] = plan.demo_latency
        return StaticSession(info, DEMO_ENDPOINT, transport=DemoCloud(**demo_kwargs).transport)

    def build(secret: Secret | None) -> CloudSession:
        return _build_with_secret(plan, info, secret)

    if not plan.secret_name or plan.secret is not None:
        return build(plan.secret)
    return SecretPendingSession(info, build, prompt=plan.prompt, command=plan.secret_command, page_size=plan.page_size)


def _build_with_secret(plan: SessionPlan, info: SessionInfo, secret: Secret | None) -> CloudSession:
    value = secret.reveal() if secret is not None else None
    if plan.kind == "static":
        auth = TokenAuth(value) if value else NoAuth()
        assert plan.endpoint is not None
        return StaticSession(info, plan.endpoint, auth=auth, verify=plan.verify, page_size=plan.page_size)
    if plan.kind == "keystone":
        from ..api import keystone

        fields = {k: v for k, v in plan.fields.items() if v is not None}
        credentials: Any
        if plan.method == "password":
            credentials = keystone.PasswordCredentials(password=value, **fields)
        elif plan.method == "application_credential":
            credentials = keystone.ApplicationCredential(secret=value, **fields)
        else:
            credentials = keystone.TokenCredentials(token=value, **fields)
        return keystone.KeystoneSession(
            info,
            credentials,
            interface=plan.interface or "public",
            region=plan.region,
            endpoint_override=plan.endpoint,
            verify=plan.verify,
            service_type="image",
            page_size=plan.page_size,
        )
    if plan.kind == "huawei":
        from ..api.huawei import huawei_session

        kwargs = {k: v for k, v in plan.fields.items() if v is not None}
        if plan.secret_name:
            kwargs[plan.secret_name] = value
        if plan.security_token is not None:
            kwargs["security_token"] = plan.security_token.reveal()
        return huawei_session(info, verify=plan.verify, **kwargs)
    raise AssertionError(f"unknown session kind {plan.kind!r}")
