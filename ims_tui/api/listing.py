"""The paged listing the UI scrolls through: loads pages on demand, one request at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from .client import ImageClient
from .models import ImageRow, ListQuery


class ImageListing:
    """The images loaded so far for one query, and the link to the next page.

    ``ensure_loaded(index)`` fetches only the pages needed to reach ``index``; a lock keeps at most one request
    in flight, and re-checking after the lock means a page is never requested twice. ``reset`` starts a new query;
    a page still in flight for the old query is dropped when it arrives.
    """

    def __init__(self, client: ImageClient, query: ListQuery | None = None, page_size: int = 200) -> None:
        self.client = client
        self.page_size = page_size
        self.query = self._with_limit(query or ListQuery())
        self.rows: list[ImageRow] = []
        self._index: dict[str, int] | None = None
        self.next_link: str | None = None
        self.started = False
        self.complete = False
        self.pages_loaded = 0
        self.requests = 0
        self._generation = 0
        self._lock = asyncio.Lock()

    def _with_limit(self, query: ListQuery) -> ListQuery:
        return query if query.limit is not None else query.with_changes(limit=self.page_size)

    @property
    def loading(self) -> bool:
        return self._lock.locked()

    @property
    def has_more(self) -> bool:
        return not self.complete

    def __len__(self) -> int:
        return len(self.rows)

    def reset(self, query: ListQuery | None = None) -> None:
        if query is not None:
            self.query = self._with_limit(query)
        self._generation += 1
        self.rows = []
        self._index = None
        self.next_link = None
        self.started = False
        self.complete = False
        self.pages_loaded = 0

    async def load_next_page(self) -> list[ImageRow]:
        """Fetch the next page and append it; returns the new rows (empty when complete or superseded)."""
        generation = self._generation
        async with self._lock:
            if generation != self._generation or self.complete:
                return []
            rows_before = len(self.rows)
            if self.started and self.next_link is None:
                self.complete = True
                return []
            self.requests += 1
            if self.started:
                page = await self.client.list_page(next_link=self.next_link)
            else:
                page = await self.client.list_page(self.query)
            if generation != self._generation:
                return []
            self.started = True
            self.pages_loaded += 1
            new_rows = [ImageRow(image) for image in page.images]
            # A stale page can repeat an image already held (a write moved it); keep the first one.
            index = self._ids()
            fresh: list[ImageRow] = []
            for row in new_rows:
                if row.id not in index:
                    index[row.id] = rows_before + len(fresh)
                    fresh.append(row)
            self.rows.extend(fresh)
            self.next_link = page.next
            # Glance sends "next" whenever a page was full; a short page is the end even if a server says more.
            if page.next is None or len(page.images) < (self.query.limit or self.page_size):
                self.complete = True
                self.next_link = None
            return fresh

    async def ensure_loaded(self, index: int) -> bool:
        """Load pages until row ``index`` exists or the list ends; True if the row exists."""
        while len(self.rows) <= index and not self.complete:
            generation = self._generation
            await self.load_next_page()
            if generation != self._generation:
                return False
        return index < len(self.rows)

    def _ids(self) -> dict[str, int]:
        if self._index is None:
            self._index = {row.id: position for position, row in enumerate(self.rows)}
        return self._index

    def position_of(self, image_id: str) -> int | None:
        return self._ids().get(image_id)

    def remove(self, image_id: str) -> int | None:
        """Drop a deleted image without reloading; returns where it was."""
        position = self.position_of(image_id)
        if position is not None:
            del self.rows[position]
            self._index = None
        return position

    def replace(self, row: ImageRow) -> int | None:
        position = self.position_of(row.id)
        if position is not None:
            self.rows[position] = row
        return position

    def insert(self, row: ImageRow, position: int = 0) -> None:
        self.rows.insert(position, row)
        self._index = None

    def filtered(self, predicate: Callable[[ImageRow], bool]) -> list[ImageRow]:
        return [row for row in self.rows if predicate(row)]
