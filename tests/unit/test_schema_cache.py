"""SchemaCache: one request per connection, shared by concurrent callers, and never a long wait."""

from __future__ import annotations

import asyncio

import httpx

from ims_tui.api.client import ImageClient
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from ims_tui.ui.schema_cache import SchemaCache


class Hanging(httpx.AsyncBaseTransport):
    """A server that takes the request and never answers."""

    def __init__(self) -> None:
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_one_request_for_every_caller() -> None:
    cloud = DemoCloud(image_count=3, latency=0.0)
    async with ImageClient(DEMO_ENDPOINT, transport=cloud.transport) as client:
        cache = SchemaCache(client)
        first, second = await asyncio.gather(cache.get(), cache.get())
        assert first is second and first is not None and "properties" in first
        assert await cache.get() is first
    assert [path for method, path in cloud.request_log if "schemas" in path] == ["/v2/schemas/image"]


async def test_a_hanging_server_gives_no_schema_after_the_short_wait_and_is_not_asked_again() -> None:
    transport = Hanging()
    async with ImageClient(DEMO_ENDPOINT, transport=transport, retries=0) as client:
        cache = SchemaCache(client, wait=0.05)
        assert await cache.get() is None and cache.known
        assert await cache.get() is None
    assert transport.requests == 1
