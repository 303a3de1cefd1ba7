"""Every attribute of one image: ``DetailView`` draws one image or list row (its text is laid out by
detail_sections.py, its import tasks by task_rows.py), ``DetailPane`` is the view beside the list that follows
the cursor and fetches the image fresh, and its tasks when it has had an import.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.containers import VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError, NotFound
from ims_tui.api.image_rows import ImageRow
from ims_tui.api.models import Image
from ims_tui.ui.screens.error import ErrorReport, ErrorReported
from ims_tui.ui.text import error_line
from ims_tui.ui.widgets.detail_sections import image_sections, render_sections
from ims_tui.ui.widgets.task_rows import TaskList, had_import, read_tasks, task_section

ROW_DELAY = 0.04  # seconds of stillness before the pane repaints with the list row's data
DEBOUNCE = 0.2  # seconds of stillness before the pane asks the server
CACHE_SIZE = 64  # fresh images kept: what a reopened row or the full-screen detail shows at once


class DetailView(VerticalScroll):
    """A scrollable, focusable view of one image (used beside the list and full-screen when narrow)."""

    DEFAULT_CSS = """
    DetailView { background: $surface; padding: 0 1; scrollbar-size-vertical: 1; scrollbar-gutter: stable; }
    DetailView > #detail-body { width: 1fr; height: auto; text-wrap: nowrap; text-overflow: clip; }
    """

    def __init__(
        self, *, now: Callable[[], datetime] | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._now = now or (lambda: datetime.now(timezone.utc))
        self.image: Image | ImageRow | None = None
        self.fresh = False
        self.rendered: RenderableType = ""
        self._note: Text | None = None  # what is said above the image (fetching, an error), kept on a resize
        self.tasks: TaskList | None = None  # the import tasks, drawn while they are this image's
        self.member_status: Callable[[Image | ImageRow], str | None] = lambda image: None
        self.kv_tags: Callable[[Image | ImageRow], dict[str, str] | str | None] = lambda image: None  # IMS's

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("", id="detail-body")

    @property
    def image_id(self) -> str | None:
        return self.image.id if self.image is not None else None

    def show_row(self, row: ImageRow | None) -> None:
        """The list's data, at once; a fetch is on its way."""
        if row is None:
            self.image, self.fresh, self._note = None, False, None
            self._body(Text("no image selected", style="dim"))
            return
        if self.image is not None and self.image.id == row.id and self.fresh:
            return
        note = "from the list; fetching…" if row.actionable else "from the list page: without an id it cannot be read"
        self._draw(row, Text(note, style="dim"), fresh=False)
        self.scroll_home(animate=False)

    def show_image(self, image: Image) -> None:
        same = self.image is not None and self.image.id == image.id
        self._draw(image, None, fresh=True)
        if not same:
            self.scroll_home(animate=False)

    def show_error(self, row: ImageRow | Image | None, message: str) -> None:
        note = Text(message, style="bold red")
        if row is None:
            self._body(note)
            return
        self._draw(row, note, fresh=False)

    def show_tasks(self, found: TaskList) -> None:
        self.tasks = found
        if self.image is not None and self.image.id == found.image_id:
            self._draw(self.image, self._note, fresh=self.fresh)

    def _draw(self, image: Image | ImageRow, note: Text | None, *, fresh: bool) -> None:
        self.image, self.fresh, self._note = image, fresh, note
        now = self._now()
        sections = image_sections(image, now, self.member_status(image), self.kv_tags(image))
        tasks = self.tasks
        if tasks is not None and tasks.image_id == image.id and isinstance(image, Image):
            section = task_section(tasks, image, now)
            if section is not None:  # after State: why an image is still queued is read before its formats
                at = next((i + 1 for i, (title, _rows) in enumerate(sections) if title == "State"), len(sections))
                sections.insert(at, section)
        self._body(render_sections(sections, self._width(), note))

    def _width(self) -> int:
        return self.scrollable_content_region.width or 60

    def _body(self, renderable: RenderableType) -> None:
        self.rendered = renderable
        self.query_one("#detail-body", Static).update(renderable)

    def on_resize(self) -> None:
        if self.image is not None:  # the same image and note, laid out for the new width
            self._draw(self.image, self._note, fresh=self.fresh)


class DetailPane(DetailView):
    """The detail beside the list: follows the highlighted row and fetches that image fresh, last highlight wins.

    Repainting the pane costs more than moving the cursor, and holding j over thousands of rows must not send a GET
    per row: the row's data shows after ``ROW_DELAY`` of stillness, the GET goes after ``DEBOUNCE``. Owns the last
    ``CACHE_SIZE`` fresh images and its worker (group "detail"); posts ``Fresh`` so the list row can follow.
    """

    @dataclass
    class Fresh(Message):
        """A GET returned ``image``, which may be newer than the list's row (queued -> active)."""

        image: Image

    @dataclass
    class Gone(Message):
        """A GET found no image ``image_id`` (404): deleted elsewhere; the list should drop it."""

        image_id: str

    @dataclass
    class _Failed(Message, bubble=False):
        image_id: str
        error: ApiError

    @dataclass
    class _TasksRead(Message, bubble=False):
        found: TaskList
        updated_at: str | None  # the image's, when they were asked for: a newer image asks again

    def __init__(
        self, *, now: Callable[[], datetime] | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(now=now, id=id, classes=classes)
        self.client: ImageClient | None = None  # set once connected; until then the pane shows rows only
        self.requests = 0  # GETs sent (tests and benches count them)
        self._cache: OrderedDict[str, Image] = OrderedDict()
        self._timer: Timer | None = None
        self._pending: ImageRow | None = None  # highlighted, not fetched yet
        self._row: ImageRow | None = None  # the last row highlighted
        self.tasks_enabled = False  # the server lists an image's tasks (set once its features are known)
        self._task_cache: OrderedDict[str, tuple[str | None, TaskList]] = OrderedDict()

    def cached(self, image_id: str) -> Image | None:
        return self._cache.get(image_id)

    def remember(self, image: Image) -> None:
        self._cache.pop(image.id, None)
        self._cache[image.id] = image
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def forget(self, image_id: str | None = None) -> None:
        """Drop one image (deleted), or every one (a reload: all of them may be stale)."""
        if image_id is None:
            self._cache.clear()
            self._task_cache.clear()
        else:
            self._cache.pop(image_id, None)
            self._task_cache.pop(image_id, None)

    def show_fresh(self, image: Image) -> None:
        """A fresher copy of an image (fetched, or saved by the form): kept, and shown if it is the one shown."""
        self.remember(image)
        if self.image_id == image.id:
            self.show_image(image)
            self._want_tasks(image)

    def show_image(self, image: Image) -> None:
        known = self._task_cache.get(image.id)
        if known is not None:
            self.tasks = known[1]
        super().show_image(image)

    def _want_tasks(self, image: Image) -> None:
        """Ask for the shown image's tasks if it has had an import and changed since they were read: one GET per
        change, none for the images that never had an import, nothing while nothing changes."""
        if not self.tasks_enabled or self.client is None or not had_import(image):
            return
        known = self._task_cache.get(image.id)
        if known is not None and known[0] == image.updated_at and known[1].error is None:
            return
        if known is None:
            self.show_tasks(TaskList(image.id))  # "reading…" until they come
        self._fetch_tasks(image.id, image.updated_at)

    @work(exclusive=True, group="detail-tasks")
    async def _fetch_tasks(self, image_id: str, updated_at: str | None) -> None:
        if self.client is not None:
            self.post_message(self._TasksRead(await read_tasks(self.client, image_id), updated_at))

    @on(_TasksRead)
    def _tasks_read(self, message: _TasksRead) -> None:
        found = message.found
        self._task_cache.pop(found.image_id, None)
        self._task_cache[found.image_id] = (message.updated_at, found)
        while len(self._task_cache) > CACHE_SIZE:
            self._task_cache.popitem(last=False)
        if self.image_id == found.image_id:
            self.show_tasks(found)

    def follow(self, row: ImageRow | None) -> None:
        """The list's cursor moved to ``row``: show it once the cursor rests, then fetch it."""
        self._stop_timer()
        self._row = self._pending = row
        if row is None:
            self.show_row(None)
            return
        self._timer = self.set_timer(ROW_DELAY, lambda: self._rest(row))

    def _rest(self, row: ImageRow) -> None:
        if self._pending is None or self._pending.id != row.id:
            return
        cached = self._cache.get(row.id)
        if cached is not None:
            self.show_image(cached)
        else:
            self.show_row(row)
        if self.client is not None:
            self._timer = self.set_timer(DEBOUNCE - ROW_DELAY, self.flush)

    def flush(self) -> None:
        """Fetch the pending image now (the debounce timer calls this; tests call it instead of waiting)."""
        self._stop_timer()
        row, self._pending = self._pending, None
        if row is None:
            return
        if self.image_id != row.id:
            self.show_row(row)
        if row.actionable:  # a placeholder id (a list entry without one) is never sent
            self._fetch(row.id)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    @work(exclusive=True, group="detail")
    async def _fetch(self, image_id: str) -> None:
        if self.client is None:
            return
        self.requests += 1
        try:
            image = await self.client.get(image_id)
        except ApiError as exc:
            self.post_message(self._Failed(image_id, exc))
            return
        self.post_message(self.Fresh(image))

    @on(Fresh)
    def _fresh(self, message: Fresh) -> None:
        self.show_fresh(message.image)

    @on(_Failed)
    def _failed(self, message: _Failed) -> None:
        if isinstance(message.error, NotFound):
            self.post_message(self.Gone(message.image_id))
        if self.image_id != message.image_id:
            return
        if isinstance(message.error, NotFound):
            text = "this image no longer exists (deleted elsewhere): removed from the list"
        else:
            self.post_message(ErrorReported(ErrorReport(f"could not read image {message.image_id}", message.error)))
            text = f"{error_line(message.error)}\nr reloads the list · E shows the full error"
        row = self._row if self._row is not None and self._row.id == message.image_id else None
        self.show_error(row, text)
