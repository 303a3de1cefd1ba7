"""A way to reach one cloud: what the header shows, and how to get an authenticated client.

The UI calls ``connect()`` in a worker after the screen is drawn, so slow authentication never blocks a paint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from .client import ImageClient


@dataclass
class SessionInfo:
    """What the header line shows about the connection; filled in further once connected."""

    cloud: str
    endpoint: str | None = None
    region: str | None = None
    project: str | None = None
    user: str | None = None
    read_only: bool = False
    insecure: bool = False
    ims: bool | None = None  # None: not known yet, decided from the endpoint or the images
    warnings: list[str] = field(default_factory=list)


class CloudSession:
    """Base for every kind of connection; subclasses authenticate however their cloud needs."""

    def __init__(self, info: SessionInfo) -> None:
        self.info = info
        self.client: ImageClient | None = None

    async def connect(self) -> ImageClient:
        raise NotImplementedError

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None


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
    ) -> None:
        super().__init__(info)
        self.endpoint = endpoint
        self.auth = auth
        self.transport = transport
        self.verify = verify
        self.page_size = page_size
        info.endpoint = info.endpoint or endpoint
        if info.ims is None and ("myhuaweicloud" in endpoint or "otc.t-systems" in endpoint):
            info.ims = True

    async def connect(self) -> ImageClient:
        if self.client is None:
            self.client = ImageClient(
                self.endpoint,
                auth=self.auth,
                transport=self.transport,
                verify=self.verify,
                read_only=self.info.read_only,
            )
        return self.client
