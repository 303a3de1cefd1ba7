"""The paged listing the UI scrolls through: loads pages on demand, one request at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .client import ImageClient, marker_of
from .errors import ApiError
from .query import ListQuery

if TYPE_CHECKING:
    from .image_rows import ImagePage, ImageRow

# Glance caps ``limit`` at ``api_limit_max`` (1000 by default) without saying so.
API_LIMIT_MAX = 1000
# Sort keys whose database column is not a string and may be NULL (size: every image without data yet).
# Glance's _paginate_query compares the marker's NULL as '' against the column's NULL as 0, so after a marker
# with a NULL there the next page is wrong: on SQLite it is empty (ascending) or starts over (descending, an
# endless loop), on PostgreSQL the comparison fails. Adding ``id`` as another sort key does not help: Glance
# already adds created_at and id, and every criterion still compares the NULL. So the listing never uses such an
# image as a marker: it asks for a bigger page from the same start until the page ends on an image with a value.
NULLABLE_SORT_KEYS = ("size", "updated_at")


def first_page_size(screen_rows: int, page_size: int) -> int:
    """The first request of a listing: twice what a screen of ``screen_rows`` lines shows, at most a page.

    A screen shows ~20 rows; a big first page only makes the first row later (Glance answers 50 images in a
    sixth of the time of 200: bench/RESULTS.md). Later pages are ``page_size``, so loading ``n`` rows takes at
    most 1 + ceil((n - first) / page_size) requests.
    """
    return max(1, min(page_size, 2 * screen_rows))


class PagingError(ApiError):
    """The server's paging cannot go on (it went in a circle, or cannot continue from a marker).

    ``needs_reload``: True when the saved position is no good (the paging loops), so a retry must start the list
    again; False when a reload would meet the same wall (a sort the server cannot page, a page without ids).
    """

    def __init__(self, message: str | None = None, *, needs_reload: bool = True, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.needs_reload = needs_reload


class ImageListing:
    """The images loaded so far for one query, and the link to the next page.

    ``ensure_loaded(index)`` fetches only the pages needed to reach ``index``; a lock keeps at most one request
    in flight, and re-checking after the lock means a page is never requested twice. ``reset`` starts a new query;
    a page still in flight for the old query is dropped when it arrives.

    Every page after the first is the listing's own query plus ``marker=<id>`` taken from the server's ``next``
    link, not the link itself: Glance writes ``next`` from the request's parameters as a dict, so it keeps only
    the last of several ``tag`` filters or sort keys. A ``next`` link without a marker is followed as it is.

    An image that does not parse is a ``BadImageRow`` in its place (see ``ImageRow.problem``); one with no id
    gets a placeholder id and is never a marker: a page that ends with such entries continues from the last
    image with an id, and those entries come again on the next page, no longer last.
    """

    def __init__(
        self,
        client: ImageClient,
        query: ListQuery | None = None,
        page_size: int = 200,
        *,
        native: bool = False,
        first_page: int | None = None,
    ) -> None:
        self.client = client
        self.first_page = first_page  # the first request of each query asks for this many (see first_page_size)
        self.native = native  # an IMS session: pages come from cloudimages where it can serve the query
        self.page_size = page_size
        self.max_page_size = API_LIMIT_MAX
        self.query = self._with_limit(query or ListQuery())
        self.rows: list[ImageRow] = []
        # What each row keeps for chosen columns (ImageRow.kept); set before a reset, which loads them anew.
        self.keep: tuple[str, ...] = ()
        self.property_names: set[str] = set()  # custom property names seen on the pages loaded
        self._index: dict[str, int] | None = None
        self.next_link: str | None = None
        self.next_marker: str | None = None
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
        self.property_names = set()
        self._index = None
        self.next_link = None
        self.next_marker = None
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
            marker = self.next_marker
            if marker is not None and marker in self._markers_used:
                raise PagingError(
                    f"the image service's paging went in a circle (image {marker} came back as the next marker); "
                    "reload, or sort by another column"
                )
            page = await self._fetch(generation, marker)
            if page is None or generation != self._generation:
                return []
            new_rows = page.rows(label=f"{self.pages_loaded + 1}.", keep=self.keep)
            self.property_names |= page.property_names()
            next_marker = marker_of(page.next) if page.next is not None else None
            if next_marker is not None and new_rows and not new_rows[-1].actionable:
                next_marker = self._continue_before_idless(page, new_rows)  # may raise: nothing changed yet
            if marker is not None:
                self._markers_used.add(marker)
            self.started = True
            self.pages_loaded += 1
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
            self.next_link = page.next if page.count else None
            self.next_marker = next_marker if self.next_link is not None else None
            if self.next_link is None:
                self.complete = True
            return fresh

    def _continue_before_idless(self, page: ImagePage, rows: list[ImageRow]) -> str:
        """The marker for a page that ends with entries without an id (``rows`` loses them): the last id it has.

        The server's ``next`` names an image whose id the listing could not read; going on from the last one it
        could read means those entries come again at the head of the next page, where they show.
        """
        last = page.last_with_id()
        if last is None:
            raise PagingError(
                f"cannot page on: the image service sent a page of {page.count} images of which none has an id; "
                "filter or sort the list another way",
                needs_reload=False,
            )
        while not rows[-1].actionable:
            rows.pop()
        return last.id

    async def _fetch(self, generation: int, marker: str | None) -> ImagePage | None:
        """The page after ``marker`` (the first page when None); None if a reset superseded it."""
        if self.started and marker is None:
            # a server whose "next" carries no marker: the link is all there is
            assert self.next_link is not None
            self.requests += 1
            return await self.client.list_page(next_link=self.next_link)
        limit = self.query.limit or self.page_size
        if self.first_page and not self.started and marker is None:
            limit = min(limit, self.first_page)
        while True:
            self.requests += 1
            if self.native:
                page = await self.client.list_native_page(self.query.with_changes(limit=limit), marker=marker)
            else:
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
                    "filter them out (e.g. a minimum size)",
                    needs_reload=False,
                )
            limit = min(limit * 4, self.max_page_size)

    def _nullable_sort_keys(self) -> list[str]:
        return [key for key, _ in self.query.sort if key in NULLABLE_SORT_KEYS]

    def _ends_on_null_sort_value(self, page: ImagePage) -> bool:
        # Only a page with a "next" matters; its length does not (a server may cap or filter a page). The marker
        # is the last image with an id (see _continue_before_idless).
        last = page.last_with_id() if page.next is not None else None
        if last is None:
            return False
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
