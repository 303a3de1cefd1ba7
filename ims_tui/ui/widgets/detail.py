"""Every attribute of one image, grouped the way an operator looks for them: ``DetailView`` draws one image or
list row, ``DetailPane`` is the view beside the list that follows the cursor and fetches the image fresh.

All values are data: rich ``Text`` built directly, control characters made visible, never markup.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.containers import VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError, NotFound
from ims_tui.api.models import Image, ImageRow, is_ims_property
from ims_tui.ui import format as fmt
from ims_tui.ui.screens.error import ErrorReport, ErrorReported
from ims_tui.ui.text import error_line, safe

KEY_WIDTH = 15
ROW_DELAY = 0.04  # seconds of stillness before the pane repaints with the list row's data
DEBOUNCE = 0.2  # seconds of stillness before the pane asks the server
CACHE_SIZE = 64  # fresh images kept: what a reopened row or the full-screen detail shows at once
_STATUS_STYLE = {"ok": "green", "busy": "yellow", "bad": "bold red", "other": ""}


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(safe(item) for item in value)
    return safe(value)


def _size_text(size: int | None) -> str:
    if size is None:
        return ""
    human = fmt.human_size(size)
    return f"{human} ({size:,} bytes)" if size >= 1024 else human


def image_sections(
    image: Image | ImageRow, now: datetime, member_status: str | None = None
) -> list[tuple[str, list[tuple[str, Text]]]]:
    """The grouped (title, [(key, value)]) view of an image or, before the fetch lands, of its list row;
    ``member_status``: this project's answer to the image shared with it, when known (ui/screens/sharing.py)."""

    def text(value: Any, style: str = "") -> Text:
        return Text(_value(value), style=style)

    kind = fmt.status_kind(image.status)
    status = Text(fmt.status_word(image.status), style=_STATUS_STYLE[kind])
    sections: list[tuple[str, list[tuple[str, Text]]]] = []
    row = image if isinstance(image, ImageRow) else None
    if row is not None and row.problem is not None:
        # What the server sent does not parse: say what is wrong first; the fields below are what could be read.
        sections.append(
            (
                "Problem",
                [
                    ("bad", Text(safe(row.problem), style="bold")),
                    ("", Text("y shows what the server sent", style="dim")),
                ],
            )
        )
    has_id = row is None or row.actionable
    sections.append(
        (
            "Identity",
            [
                ("name", text(image.name) if image.name else Text("(no name)", style="dim")),
                ("id", text(image.id) if has_id else Text("(none: the server sent no id)", style="dim")),
                ("owner", text(image.owner)),
            ],
        )
    )
    state = [("status", status), ("visibility", text(image.visibility))]
    state += [("member status", text(member_status))] if member_status else []
    protected = Text("yes", style="bold") if image.protected else Text("no")
    state.append(("protected", protected))
    if isinstance(image, Image) and image.os_hidden is not None:
        state.append(("hidden", text(image.os_hidden)))
    sections.append(("State", state))

    formats = [
        ("disk format", text(image.disk_format)),
        ("container", text(image.container_format)),
    ]
    if isinstance(image, Image):
        formats.append(("size", Text(_size_text(image.effective_size))))
        formats.append(("virtual size", Text(_size_text(image.virtual_size))))
        formats.append(("checksum", text(image.checksum)))
        if image.os_hash_algo or image.os_hash_value:
            formats.append(("hash", text(f"{image.os_hash_algo or '?'}: {image.os_hash_value or ''}")))
    else:
        formats.append(("size", Text(_size_text(image.size))))
    sections.append(("Formats & sizes", formats))

    sections.append(
        (
            "Requirements",
            [
                ("min disk", Text(fmt.gib(image.min_disk))),
                ("min RAM", Text(fmt.mib(image.min_ram))),
            ],
        )
    )
    sections.append(
        (
            "Dates",
            [
                ("created", Text(fmt.timestamp(image.created_at, now))),
                ("updated", Text(fmt.timestamp(image.updated_at, now))),
            ],
        )
    )
    if not isinstance(image, Image):
        return sections

    tags = Text(", ".join(safe(tag) for tag in sorted(image.tags))) if image.tags else Text("none", style="dim")
    sections.append(("Tags", [("tags", tags)]))
    props = image.properties
    custom = sorted((k, v) for k, v in props.items() if not is_ims_property(k))
    ims = sorted((k, v) for k, v in props.items() if is_ims_property(k))
    sections.append(("Properties", [(k, text(v)) for k, v in custom] or [("", Text("none", style="dim"))]))
    if ims:
        sections.append(("IMS", [(k, text(v)) for k, v in ims]))
    return sections


def _wrap_cells(text: str, width: int) -> list[str]:
    """Hard-wrap by terminal cells (hashes and ids have no spaces to break at)."""
    width = max(width, 8)
    lines: list[str] = []
    for paragraph in text.split("\n") or [""]:
        current: list[str] = []
        used = 0
        for char in paragraph:
            size = cell_len(char)
            if used + size > width:
                lines.append("".join(current))
                current, used = [], 0
            current.append(char)
            used += size
        lines.append("".join(current))
    return lines


def render_sections(
    sections: Iterable[tuple[str, list[tuple[str, Text]]]], width: int = 60, note: Text | None = None
) -> Text:
    """One Text for the whole pane, laid out by hand: a rich Table re-measures every cell on every keystroke."""
    out = Text(no_wrap=True, overflow="crop", end="")
    if note is not None:  # an error or a state, wrapped: it is read in full, status first
        for line in fmt.wrap(note.plain, width):
            out.append(line, style=note.style)
            out.append("\n")
    value_width = max(width - KEY_WIDTH - 1, 8)
    pad = " " * (KEY_WIDTH + 1)
    for title, rows in sections:
        out.append(title, style="bold underline")
        out.append("\n")
        for key, value in rows:
            key_text = fmt.fit(safe(key), KEY_WIDTH)
            out.append(key_text + " ", style="dim")
            style = value.style
            for number, line in enumerate(_wrap_cells(value.plain, value_width)):
                if number:
                    out.append("\n" + pad)
                out.append(line, style=style)
            out.append("\n")
        out.append("\n")
    out.rstrip()
    return out


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
        self.member_status: Callable[[Image | ImageRow], str | None] = lambda image: None

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

    def _draw(self, image: Image | ImageRow, note: Text | None, *, fresh: bool) -> None:
        self.image, self.fresh, self._note = image, fresh, note
        self._body(render_sections(image_sections(image, self._now(), self.member_status(image)), self._width(), note))

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
        else:
            self._cache.pop(image_id, None)

    def show_fresh(self, image: Image) -> None:
        """A fresher copy of an image (fetched, or saved by the form): kept, and shown if it is the one shown."""
        self.remember(image)
        if self.image_id == image.id:
            self.show_image(image)

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
