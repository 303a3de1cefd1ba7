"""The first page asked for before anyone wants it (start-up), mixed into ``ImageClient``.

``cli.run_app`` has the session ask for the first page before Textual is imported; the main screen's first
``list_page`` takes that answer. Only the very next list request may take it, and only if it asks for exactly
that page: any other drops it, so an early answer can never stand in for a later one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .query import ListQuery

if TYPE_CHECKING:
    from .image_rows import ImagePage


class PrefetchCalls:
    """Mixed into ``ImageClient``: ``prefetch_page`` and what takes, waits for or drops its answer."""

    # The query's parameters, the answer on its way, and whether its request is sent yet.
    _prefetched: tuple[list[tuple[str, str]], asyncio.Future[ImagePage], asyncio.Event] | None = None

    if TYPE_CHECKING:  # ImageClient's; only what prefetching uses of it

        async def _list_page(self, query: ListQuery | None, *, sent: asyncio.Event | None) -> ImagePage: ...

    def prefetch_page(self, query: ListQuery) -> None:
        """Ask for the first page of ``query`` now (start-up: while Textual is imported)."""
        self._drop_prefetched()
        sent = asyncio.Event()
        future = asyncio.ensure_future(self._list_page(query, sent=sent))
        future.add_done_callback(lambda done: done.cancelled() or done.exception())  # its taker sees any error
        self._prefetched = (query.to_params(), future, sent)

    async def prefetch_sent(self, timeout: float) -> None:
        """Wait until the page ``prefetch_page`` asked for is on the wire (or already in, or failed), at most
        ``timeout`` seconds: whatever the caller does next then runs while the server answers."""
        if self._prefetched is None:
            return
        _, page, request_sent = self._prefetched
        sent: asyncio.Future[Any] = asyncio.ensure_future(request_sent.wait())
        either: set[asyncio.Future[Any]] = {sent, page}
        await asyncio.wait(either, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        sent.cancel()

    @property
    def prefetched_page(self) -> asyncio.Future[ImagePage] | None:
        """The page ``prefetch_page`` asked for, left for the next ``list_page`` (the first frame only looks)."""
        return self._prefetched[1] if self._prefetched is not None else None

    def _take_prefetched(self, query: ListQuery | None, *, exact: bool) -> asyncio.Future[ImagePage] | None:
        """The prefetched answer if ``exact`` (a first page, no marker or link) and ``query`` is the one asked
        for; else None, and it is dropped."""
        prefetched, self._prefetched = self._prefetched, None
        if prefetched is None:
            return None
        params, future, _ = prefetched
        if exact and params == (query or ListQuery()).to_params():
            return future
        future.cancel()
        return None

    def _drop_prefetched(self) -> None:
        self._take_prefetched(None, exact=False)


def sent_tracer(sent: asyncio.Event) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    """httpcore's trace hook for one request: sets ``sent`` when the answer starts to be awaited."""

    async def trace(event: str, info: dict[str, Any]) -> None:
        if event.endswith("receive_response_headers.started"):
            sent.set()

    return trace
