"""The httpx transport that carries a client's requests to an in-process demo cloud, sync or async.

Image data goes through in chunks both ways: an upload's body is fed to the cloud as the client produces it
(so a client cancelled half-way leaves the image queued, as a real server does), and a download's body is
a stream read from the cloud's blob store.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from .service import DemoCloud
    from .transfer import DataSink


class DemoStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body read from the demo's blob store, for sync and async clients alike."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


class DemoTransport(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """Both transport flavours, so sync and async httpx clients can talk to the same demo cloud."""

    def __init__(self, cloud: DemoCloud) -> None:
        self.cloud = cloud

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        result = self.cloud.handle(request)
        if isinstance(result, httpx.Response):
            return result
        result.write(request.content)
        return self.cloud.finish_data(result)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.cloud.latency > 0:
            await asyncio.sleep(self.cloud.latency)
        if not self.cloud.takes_data(request):
            await request.aread()
            result = self.cloud.handle(request)
            assert isinstance(result, httpx.Response)
            return result
        result = self.cloud.handle(request)
        if isinstance(result, httpx.Response):
            return result
        await self._feed(request, result)
        return self.cloud.finish_data(result)

    async def _feed(self, request: httpx.Request, sink: DataSink) -> None:
        rate = self.cloud.data_rate
        try:
            assert isinstance(request.stream, httpx.AsyncByteStream)
            async for chunk in request.stream:
                sink.write(chunk)
                if rate:
                    await asyncio.sleep(len(chunk) / rate)  # a slow link, so progress can be watched
        except BaseException:
            sink.abort()
            raise
