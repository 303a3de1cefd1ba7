"""A way to reach one cloud: what the header shows, and how to get an authenticated client.

The UI calls ``connect()`` in a worker after the screen is drawn, so slow authentication never blocks a paint.
Everything the UI may ask a session is declared on ``CloudSession`` with a default, so the UI asks the type and
never guesses with ``getattr``; what connecting learns (the catalog's endpoint, the region, the names Keystone
resolved) comes back in a frozen ``Connection`` instead of being written into shared state.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from typing import Any

import httpx

from .client import DEFAULT_TIMEOUT, ImageClient
from .query import ListQuery

# Huawei Cloud and Open Telekom Cloud serve IMS: its endpoints say so before any image does.
_IMS_HOSTS = ("myhuaweicloud", "otc.t-systems")


def looks_like_ims(url: str) -> bool:
    return any(host in url for host in _IMS_HOSTS)


@dataclass(frozen=True)
class SessionInfo:
    """What the header line shows about a connection. Decided by the config before connecting (``read_only``
    among it, once, for the UI and the client alike), completed by ``connect()`` in a new value."""

    cloud: str
    endpoint: str | None = None
    region: str | None = None
    project: str | None = None
    # the project's id, for what only the member project may do (accept a share): from the Keystone token, the
    # profile or clouds.yaml; None when nothing says it
    project_id: str | None = None
    user: str | None = None
    read_only: bool = False
    production: bool = False  # the profile says this cloud is production: a badge, and typed bulk deletes
    insecure: bool = False
    ims: bool | None = None  # None: not known yet, decided from the endpoint or the images
    warnings: tuple[str, ...] = ()

    def with_changes(self, **changes: Any) -> SessionInfo:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Connection:
    """An authenticated image client and what was learned on the way."""

    client: ImageClient
    info: SessionInfo


class CloudSession:
    """Base for every kind of connection; subclasses authenticate however their cloud needs.

    Optional abilities have a default here: a session that can wait for a typed secret overrides
    ``needs_password``, ``prompt``, ``prompted`` and ``provide_password``.
    """

    prompt: str = "password"  # what the masked prompt asks for

    def __init__(self, info: SessionInfo, *, page_size: int | None = None) -> None:
        self._info = info
        self.page_size = page_size  # the profile's own page size, if it has one
        self.connection: Connection | None = None
        self._early: asyncio.Future[Connection] | None = None

    @property
    def needs_password(self) -> bool:
        """Nothing can supply the secret: the UI must prompt for it (``prompt`` says for what)."""
        return False

    @property
    def prompted(self) -> bool:
        """The secret in use was typed at the prompt, so a refusal should ask again rather than stop."""
        return False

    @property
    def info(self) -> SessionInfo:
        """What is known now: the connection's info once connected, the config's before."""
        return self.connection.info if self.connection is not None else self._info

    @property
    def client(self) -> ImageClient | None:
        return self.connection.client if self.connection is not None else None

    async def connect(self) -> Connection:
        raise NotImplementedError

    def connect_early(self, first_page: ListQuery | None = None) -> bool:
        """Start connecting (and asking for ``first_page``) in the running loop now, before the UI asks: at
        start-up the token, the catalog and the first page come while Textual is being imported. The UI's first
        ``take_early()`` gets this attempt, its failure included; a session that must prompt first waits.
        IMS sessions list through cloudimages where they can, so their first page is not asked for early."""
        if self.needs_password or self._early is not None:
            return False

        async def head_start() -> Connection:
            connection = await self.connect()
            if first_page is not None and not connection.info.ims:
                connection.client.prefetch_page(first_page)
            return connection

        self._early = asyncio.ensure_future(head_start())
        self._early.add_done_callback(lambda done: done.cancelled() or done.exception())  # the UI sees the error
        return True

    async def early_request_sent(self, timeout: float) -> None:
        """Wait until the attempt ``connect_early`` started has its first page's request on the wire (or has
        ended), at most ``timeout`` seconds, then load what reads the answer. That and what the caller does next
        (start-up's further imports) then run while the server answers, not before the request is sent."""
        attempt = self._early
        if attempt is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        await asyncio.wait({attempt}, timeout=timeout)
        if attempt.done() and not attempt.cancelled() and attempt.exception() is None:
            await attempt.result().client.prefetch_sent(max(0.0, deadline - loop.time()))
        # The page's models (pydantic's, ~50 ms): sending the request needs none of them (issue 14).
        from . import image_rows  # noqa: F401

    @property
    def early_attempt(self) -> asyncio.Future[Connection] | None:
        """The attempt ``connect_early`` started, left for ``take_early`` (the first frame only looks at it)."""
        return self._early

    def take_early(self) -> asyncio.Future[Connection] | None:
        """The attempt ``connect_early`` started, once; None after that (a retry connects anew)."""
        early, self._early = self._early, None
        return early

    def provide_password(self, secret: str) -> None:
        raise TypeError(f"{type(self).__name__} takes no password")

    async def aclose(self) -> None:
        early = self.take_early()
        if early is not None:
            early.cancel()
        if self.connection is not None:
            connection, self.connection = self.connection, None
            await connection.client.aclose()


class StaticSession(CloudSession):
    """An explicit endpoint with a fixed auth (none, a static token, signed requests) or an in-process transport."""

    def __init__(
        self,
        info: SessionInfo,
        endpoint: str,
        *,
        auth: httpx.Auth | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: bool | str = True,
        page_size: int | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> None:
        ims = True if info.ims is None and looks_like_ims(endpoint) else info.ims
        super().__init__(info.with_changes(endpoint=info.endpoint or endpoint, ims=ims), page_size=page_size)
        self.endpoint = endpoint
        self.auth = auth
        self.transport = transport
        self.verify = verify
        self.timeout = timeout or DEFAULT_TIMEOUT

    async def connect(self) -> Connection:
        if self.connection is None:
            client = ImageClient(
                self.endpoint,
                auth=self.auth,
                transport=self.transport,
                verify=self.verify,
                timeout=self.timeout,
                read_only=self._info.read_only,
            )
            self.connection = Connection(client, self._info)
        return self.connection
