"""Turning a plan into a ``CloudSession``; imported only when the app first opens a session.

Kept apart from the plans so ``import ims_tui.config`` never pulls in httpx, the API client or the demo cloud.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ..api.auth import NoAuth, TokenAuth
from ..api.session import CloudSession, Connection, SessionInfo, StaticSession
from .plans import AkSk, Command, DemoPlan, HuaweiPlan, KeystonePlan, Plan, StaticPlan
from .secrets import PasswordRequired, Secret, run_password_command


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
        command: Command | None = None,
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


def _info(plan: Plan) -> SessionInfo:
    return SessionInfo(
        cloud=plan.name,
        endpoint=plan.endpoint,
        region=plan.region,
        project=plan.project,
        project_id=_project_id(plan),
        user=plan.user,
        read_only=plan.read_only,
        production=plan.production,
        insecure=plan.insecure,
        ims=plan.ims,
        warnings=plan.warnings,
    )


def _project_id(plan: Plan) -> str | None:
    """The project's id when the plan names it (the demo has one of its own); Keystone's token says it later."""
    if isinstance(plan, KeystonePlan):
        return plan.scope.project_id
    if isinstance(plan, HuaweiPlan):
        return plan.project_id
    if isinstance(plan, DemoPlan):
        from ..demo import DEMO_PROJECT_ID

        return DEMO_PROJECT_ID
    return None


DEMO_DATA_RATE = 24 * 1024 * 1024  # bytes per second the demo cloud takes an upload at
DEMO_IMPORT_SECONDS = 4.0


def open_session(plan: Plan) -> CloudSession:
    """A fresh session for the plan (a new ``SessionInfo`` each time, so switching back starts clean).

    A plan whose secret is not known yet gives a ``SecretPendingSession``: it runs the command, or waits for the
    prompt, at connect. A known secret wins over a command.
    """
    info = _info(plan)
    if isinstance(plan, DemoPlan):
        from ..demo import DEMO_ENDPOINT, DemoCloud

        # Uploads and imports take a few seconds, as on a cloud, so progress, Esc and the live watch can be seen.
        demo_kwargs: dict[str, Any] = {"data_rate": DEMO_DATA_RATE, "import_delay": DEMO_IMPORT_SECONDS}
        if plan.images is not None:
            demo_kwargs["image_count"] = plan.images
        if plan.latency is not None:
            demo_kwargs["latency"] = plan.latency
        if plan.ims:
            return _ims_demo(info, demo_kwargs)
        return StaticSession(info, DEMO_ENDPOINT, transport=DemoCloud(**demo_kwargs).transport)

    def build(secret: Secret | None, *, cache: bool = False) -> CloudSession:
        return _signed_in(plan, info, secret.reveal() if secret is not None else None, cache=cache)

    if plan.secret_name is None or plan.secret is not None:
        # The secret is in a file or the environment already: a token kept beside it (0600) exposes nothing new.
        return build(plan.secret, cache=True)
    # Typed at the prompt or given by a password_command: the user keeps no secret on disk, so no token either.
    return SecretPendingSession(info, build, prompt=plan.prompt, command=plan.secret_command, page_size=plan.page_size)


def _ims_demo(info: SessionInfo, demo_kwargs: dict[str, Any]) -> CloudSession:
    """The IMS simulator, reached as a Huawei AK/SK profile is (every request signed), on a host that says it is
    not the real one."""
    from ..api.huawei import AkSkAuth
    from ..demo.ims_cloud import DEMO_AK, DEMO_REGION, DEMO_SK, ImsCloud
    from ..demo.seed import DEMO_PROJECT_ID

    # jobs take a few seconds, so a copy or an export can be watched running
    cloud = ImsCloud(region=DEMO_REGION, job_seconds=6.0, **demo_kwargs)
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID)
    info = info.with_changes(ims=True, region=DEMO_REGION, user=f"AK {DEMO_AK[:4]}…", project=DEMO_PROJECT_ID)
    return StaticSession(info, cloud.url, auth=auth, transport=cloud.transport)


def _signed_in(
    plan: StaticPlan | KeystonePlan | HuaweiPlan, info: SessionInfo, secret: str | None, *, cache: bool
) -> CloudSession:
    if isinstance(plan, StaticPlan):
        auth = TokenAuth(secret) if secret else NoAuth()
        return StaticSession(info, plan.endpoint, auth=auth, verify=plan.verify, page_size=plan.page_size)
    if isinstance(plan, KeystonePlan):
        from ..api import keystone

        # A Keystone plan always has its secret by now; were it missing, the login would refuse the empty one
        # with a message naming it ("no password given for ..."), as it does one typed empty.
        given = secret or ""
        credentials: keystone.Credentials
        if plan.method == "password":
            credentials = keystone.PasswordCredentials(password=given, **plan.fields)
        elif plan.method == "application_credential":
            credentials = keystone.ApplicationCredential(secret=given, **plan.fields)
        else:
            credentials = keystone.TokenCredentials(token=given, **plan.fields)
        return keystone.KeystoneSession(
            info,
            credentials,
            interface=plan.interface or "public",
            region=plan.region,
            endpoint_override=plan.endpoint,
            verify=plan.verify,
            service_type="image",
            page_size=plan.page_size,
            token_cache=keystone.TokenCache(plan.token_cache) if cache and plan.token_cache else None,
        )
    from ..api.huawei import huawei_session

    login = plan.login
    signing: dict[str, Any]
    if isinstance(login, AkSk):
        token = login.security_token.reveal() if login.security_token is not None else None
        signing = {"ak": login.access_key, "sk": secret, "security_token": token}
    else:
        signing = {"username": login.username, "password": secret, "domain": login.domain, "project": login.project}
    return huawei_session(info, region=plan.region, project_id=plan.project_id, verify=plan.verify, **signing)
