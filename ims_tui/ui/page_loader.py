"""Paging one listing in for the main screen: one request at a time, answers to an old query dropped."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from ims_tui.api.errors import ApiError
from ims_tui.api.image_rows import ImageRow
from ims_tui.api.listing import ImageListing
from ims_tui.api.models import ListQuery

RELOAD_PAGES = 5  # how far a reload looks for the image that was highlighted


class PageLoader(Widget):
    """Runs the listing's page requests in its worker (group "pages") and says how paging stands; shows nothing.

    Invariant: at most one page request is in flight, and only an answer for the current ``generation`` changes
    anything. ``reload`` starts a new generation (a new query, a refresh, a retry that must start over);
    ``next`` asks for the page after the loaded ones. The screen passes every ``PageLoaded`` / ``PageFailed`` it
    gets to ``landed``, which drops a stale one and brings ``loading_page``, ``reloading`` and ``error`` up to date.
    """

    DEFAULT_CSS = "PageLoader { display: none; }"

    # The handlers keep the names they had on the main screen (namespace): bench/_probe.py times the first page by
    # MainScreen.on_main_screen_page_loaded.
    @dataclass
    class PageLoaded(Message, namespace="main_screen"):
        generation: int
        rows: list[ImageRow]
        keep_id: str | None
        reload: bool

    @dataclass
    class PageFailed(Message, namespace="main_screen"):
        generation: int
        error: ApiError
        reload: bool

    def __init__(self) -> None:
        super().__init__()
        self.listing: ImageListing | None = None
        self.generation = 0
        self.reloading = False
        self.loading_page: int | None = None  # the page number in flight
        self.error: ApiError | None = None  # the last page request failed; the next try clears it
        self._worker: Worker[None] | None = None

    @property
    def busy(self) -> bool:
        worker = self._worker
        return worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    @property
    def complete(self) -> bool:
        return self.listing is not None and self.listing.complete

    def reload(self, query: ListQuery, keep_id: str | None) -> bool:
        """Start the listing over with ``query``, keeping ``keep_id`` highlighted if a few pages find it."""
        if self.listing is None:
            return False
        self.generation += 1
        self.error = None
        self.listing.reset(query)
        self.reloading = True
        self.loading_page = 1
        self._worker = self._load(self.generation, keep_id, True)
        return True

    def next(self) -> bool:
        """Ask for the page after the loaded ones, unless one is in flight or there is none."""
        listing = self.listing
        if listing is None or listing.complete or self.busy:
            return False
        self.error = None
        self.loading_page = listing.pages_loaded + 1
        self._worker = self._load(self.generation, None, False)
        return True

    @property
    def can_resume(self) -> bool:
        """After a failed page: whether asking for that page again can work, or the list must start over (the
        saved position is gone, ``needs_reload``, or not even the first page came)."""
        listing = self.listing
        error = self.error
        return error is not None and not error.needs_reload and listing is not None and bool(listing.rows)

    def landed(self, message: PageLoaded | PageFailed) -> bool:
        """Take in an answer; False if it belongs to a query no longer shown (drop it)."""
        if message.generation != self.generation or self.listing is None:
            return False
        self.loading_page = None
        self.error = message.error if isinstance(message, PageLoader.PageFailed) else None
        if message.reload:
            self.reloading = False
        return True

    @work(exclusive=True, group="pages")
    async def _load(self, generation: int, keep_id: str | None, reload: bool) -> None:
        listing = self.listing
        assert listing is not None
        rows_before = len(listing.rows)
        try:
            await listing.load_next_page()
            pages = 1
            # A reload looks a few pages down for the image that was highlighted, then gives up and shows the top.
            while (
                keep_id is not None
                and listing.position_of(keep_id) is None
                and not listing.complete
                and pages < RELOAD_PAGES
            ):
                await listing.load_next_page()
                pages += 1
        except ApiError as exc:
            self.post_message(self.PageFailed(generation, exc, reload))
            return
        self.post_message(self.PageLoaded(generation, listing.rows[rows_before:], keep_id, reload))
