"""The paged listing the UI scrolls through: loads pages on demand, one request at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from .client import ImageClient, marker_of
from .errors import ApiError
from .models import ImagePage, ImageRow, ListQuery

# Glance caps ``limit`` at ``api_limit_max`` (1000 by default) without saying so.
API_LIMIT_MAX = 1000
# Sort keys whose database column is not a string and may be NULL (size: every image without data yet).
# Glance's _paginate_query compares the marker's NULL as '' against the column's NULL as 0, so after a marker
# with a NULL there the next page is wrong: on SQLite it is empty (ascending) or starts over (descending, an
# endless loop), on PostgreSQL the comparison fails. Adding ``id`` as another sort key does not help: Glance
# already adds created_at and id, and every criterion still compares the NULL. So the listing never uses such an
# image as a marker: it asks for a bigger page from the same start until the page ends on an image with a value.
NULLABLE_SORT_KEYS = ("size", "updated_at")


class PagingError(ApiError):
    """The server's paging cannot go on (it went in a circle, or cannot continue from a marker)."""


class ImageListing:
    """The images loaded so far for one query, and the link to the next page.

    ``ensure_loaded(index)`` fetches only the pages needed to reach ``index``; a lock keeps at most one request
    in flight, and re-checking after the lock means a page is never requested twice. ``reset`` starts a new query;
    a page still in flight for the old query is dropped when it arrives.

    Every page after the first is the listing's own query plus ``marker=<id>`` taken from the server's ``next``
    link, not the link itself: Glance writes ``next`` from the request's parameters as a dict, so it keeps only
    the last of several ``tag`` filters or sort keys. A ``next`` link without a marker is followed as it is.
    """

    def __init__(self, client: ImageClient, query: ListQuery | None = None, page_size: int = 200) -> None:
        self.client = client
        self.page_size = page_size
        self.max_page_size = API_LIMIT_MAX
        self.query = self._with_limit(query or ListQuery())
        self.rows: list[ImageRow] = []
        self._index: dict[str, int] | None = None
        self.next_link: str | None = None
        self.started = False
        self.complete = False
        self.pages_loaded = 0
        self.requests = 0
        self._markers_used: set[str] = set()
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
        self._markers_used = set()

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
            marker = marker_of(self.next_link) if self.next_link is not None else None
            if marker is not None and marker in self._markers_used:
                raise PagingError(
                    f"the image service's paging went in a circle (image {marker} came back as the next marker); "
                    "reload, or sort by another column"
                )
            page = await self._fetch(generation, marker)
            if page is None or generation != self._generation:
                return []
            if marker is not None:
                self._markers_used.add(marker)
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
            # Glance sends "next" whenever the database filled the page, and only then; a page can be short and
            # still have a next one (Glance drops rows its policy hides after the database query), so trust the
            # link. An empty page ends the listing whatever the server says.
            self.next_link = page.next if page.images else None
            if self.next_link is None:
                self.complete = True
            return fresh

    async def _fetch(self, generation: int, marker: str | None) -> ImagePage | None:
        """The page after ``marker`` (the first page when None); None if a reset superseded it."""
        if self.started and marker is None:
            # a server whose "next" carries no marker: the link is all there is
            assert self.next_link is not None
            self.requests += 1
            return await self.client.list_page(next_link=self.next_link)
        limit = self.query.limit or self.page_size
        while True:
            self.requests += 1
            page = await self.client.list_page(self.query.with_changes(limit=limit), marker=marker)
            if generation != self._generation:
                return None
            if not self._ends_on_null_sort_value(page):
                return page
            # The last image cannot be the next marker (see NULLABLE_SORT_KEYS): ask again from the same start
            # for a bigger page, until it ends on an image with a value or ends the list.
            if limit >= self.max_page_size:
                keys = ", ".join(self._nullable_sort_keys())
                raise PagingError(
                    f"cannot page on: more than {limit} images in a row have no {keys}, and the image service "
                    f"cannot continue a list sorted by {keys} from such an image; sort by another column, or "
                    "filter them out (e.g. a minimum size)"
                )
            limit = min(limit * 4, self.max_page_size)

    def _nullable_sort_keys(self) -> list[str]:
        return [key for key, _ in self.query.sort if key in NULLABLE_SORT_KEYS]

    def _ends_on_null_sort_value(self, page: ImagePage) -> bool:
        # Only a page with a "next" matters; its length does not (a server may cap or filter a page).
        if not page.images or page.next is None:
            return False
        last = page.images[-1]
        return any(getattr(last, key) is None for key in self._nullable_sort_keys())

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
