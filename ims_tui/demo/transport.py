"""The httpx transport that carries a client's requests to an in-process demo cloud, sync or async."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from .service import DemoCloud


class DemoTransport(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """Both transport flavours, so sync and async httpx clients can talk to the same demo cloud."""

    def __init__(self, cloud: DemoCloud) -> None:
        self.cloud = cloud

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self.cloud.handle(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        if self.cloud.latency > 0:
            await asyncio.sleep(self.cloud.latency)
        return self.cloud.handle(request)
