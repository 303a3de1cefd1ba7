"""A session that logs in to Keystone, then finds the image endpoint in the catalog (or uses an override)."""

from __future__ import annotations

import httpx

from ..client import ImageClient
from ..request_log import RequestLog
from ..session import CloudSession, Connection, SessionInfo, looks_like_ims
from .auth import Clock, KeystoneAuth
from .catalog import AuthResult, find_endpoint
from .credentials import Credentials
from .token_cache import TokenCache


class KeystoneSession(CloudSession):
    """Authenticates against Keystone, finds the image endpoint in the catalog (or uses an override).

    With a ``token_cache``, a fresh login kept by an earlier run is used as it is: ``connect()`` then sends no
    request at all, the catalog coming from the cache too.
    """

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
        request_log: RequestLog | None = None,
        token_cache: TokenCache | None = None,
    ) -> None:
        super().__init__(info, page_size=page_size)
        self.request_log = request_log  # where its requests are recorded (None: the process's log)
        self.credentials = credentials
        self.interface = interface
        self.region = region
        self.endpoint_override = endpoint_override
        self.verify = verify
        self.service_type = service_type
        self.transport = transport
        self.auth = KeystoneAuth(
            credentials, verify=verify, transport=transport, clock=clock, request_log=request_log, cache=token_cache
        )
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
            project_id=result.project_id or info.project_id,
            ims=True if info.ims is None and looks_like_ims(endpoint) else info.ims,
        )
        client = ImageClient(
            endpoint,
            auth=self.auth,
            auth_url=self.auth.auth_url,  # renewals go through this client: TLS to Keystone stays verified
            transport=self.transport,
            verify=self.verify,
            read_only=info.read_only,
            request_log=self.request_log,
        )
        self.connection = Connection(client, learned)
        return self.connection
