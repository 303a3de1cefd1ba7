"""The image list: a Line-API virtual list whose paint and keystroke cost do not grow with the rows loaded.

Only visible rows are rendered (``render_line``), each into a cached ``Strip``; moving the cursor repaints two
lines. A DataTable measures every cell of every row and rebuilds its index on removal, which costs seconds at
tens of thousands of images (see notes/terminal-ui.md).

The columns are declared in ``ui/columns.py``; marks (``ui/marks.py``) are the screen's, drawn here: a
marked row shows "*" in its left pad and the ``image-table--marked`` style, and costs one lookup per line painted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

import ims_tui.ui.keys as keys
from ims_tui.api.image_rows import ImageRow
from ims_tui.ui import format as fmt
from ims_tui.ui.columns import Column, Layout, chosen_layout, header_segments, layout_for, row_segments
from ims_tui.ui.marks import Marks

__all__ = ["ImageTable", "layout_for"]

CacheKey = tuple[int, int, int, bool]  # row index, width, cursor state (0 none, 1 focused, 2 blurred), marked


@dataclass
class _TableMessage(Message):
    table: ImageTable

    @property
    def control(self) -> ImageTable:
        return self.table


class ImageTable(ScrollView, can_focus=True):
    """The loaded rows of a listing, a header with the sort indicator, a cursor, and a "loading…" row.

    With no rows it shows ``empty_text`` instead, wrapped to the width (an error there is read in full).
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("table")

    STYLES = ("header", "cursor", "cursor-blurred", "ok", "busy", "bad", "dim", "marked")  # styled in DEFAULT_CSS
    COMPONENT_CLASSES: ClassVar[set[str]] = {f"image-table--{name}" for name in STYLES}

    DEFAULT_CSS = """
    ImageTable {
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
        /* Always there: a scrollbar that appears with the first page makes Textual repaint every row again. */
        overflow-y: scroll;
    }
    ImageTable > .image-table--header { text-style: bold; color: $text-accent; background: $panel; }
    ImageTable > .image-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    ImageTable > .image-table--cursor-blurred {
        background: $block-cursor-blurred-background; color: $block-cursor-blurred-foreground;
    }
    ImageTable > .image-table--ok { color: $text-success; }
    ImageTable > .image-table--busy { color: $text-warning; }
    ImageTable > .image-table--bad { color: $text-error; text-style: bold; }
    ImageTable > .image-table--dim { color: $text-muted; text-style: italic; }
    ImageTable > .image-table--marked { color: $text-accent; text-style: bold; }
    """

    @dataclass
    class Highlighted(_TableMessage):
        """The cursor moved to ``row`` (None when the list is empty)."""

        row: ImageRow | None
        index: int

    @dataclass
    class NearEnd(_TableMessage):
        """The cursor or the view came within one screen of the last loaded row: time to load the next page."""

    @dataclass
    class Selected(_TableMessage):
        """Enter (or a click on the highlighted row) on ``row``."""

        row: ImageRow

    def __init__(
        self,
        *,
        now: Callable[[], datetime] | None = None,
        marks: Marks | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._rows: Sequence[ImageRow] = []
        self.cursor = 0
        self.loading = False
        self.has_more = False
        self.empty_text = ""
        self._empty_lines: tuple[int, list[str]] = (0, [])  # empty_text wrapped, for that width
        self.sort_key = "created_at"
        self.sort_dir = "desc"
        self._now = now or (lambda: datetime.now(timezone.utc))
        self.now_value = self._now()
        # The screen's marks: the table draws them, and keeps a range being marked on its row as rows change.
        self.marks = Marks() if marks is None else marks
        self._cache: LRUCache[CacheKey, Strip] = LRUCache(1024)
        self._layouts: dict[tuple[int, bool], Layout] = {}
        self.ims = False
        self.chosen: tuple[Column, ...] | None = None  # the user's columns; None: the adaptive default set
        self._styles_ready = False
        self._style_map: dict[str, Style] = {}
        self.last_highlighted: ImageRow | None = None
        # Moves typed over the first frame (rows drawn before Textual was up) come before this table has rows:
        # they wait for the first page, then are made in order; None once it has landed (release_held).
        self._held: list[Callable[[], None]] | None = []

    @property
    def rows(self) -> Sequence[ImageRow]:
        return self._rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def current(self) -> ImageRow | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def set_rows(self, rows: Sequence[ImageRow], *, cursor: int | None = None, announce: bool = True) -> None:
        """Show ``rows`` (the list object is kept, not copied); every cached line is dropped."""
        self._rows = rows
        self.marks.follow(rows)
        self._cache.clear()
        self.now_value = self._now()
        if cursor is not None:
            self.cursor = cursor
        self.cursor = max(0, min(self.cursor, len(rows) - 1)) if rows else 0
        self._update_virtual_size()
        self._scroll_cursor_visible(center=cursor is not None)
        self.refresh()
        if announce:
            self._announce()

    def rows_appended(self) -> None:
        """The row list grew at its end: cached lines stay valid, only the size and the tail change."""
        self._update_virtual_size()
        self.refresh()
        if self.current is not None and self.last_highlighted is None:
            self._announce()

    def rows_changed(self) -> None:
        """Rows were replaced, inserted or removed in place: drop cached lines and keep the cursor in range."""
        self.marks.follow(self._rows)
        self._cache.clear()
        self.cursor = max(0, min(self.cursor, len(self._rows) - 1))
        self._update_virtual_size()
        self.refresh()
        self._announce()

    def row_replaced(self, index: int) -> None:
        """One row object was swapped for a fresher one: repaint that line only."""
        width = self.scrollable_content_region.width
        for state in (0, 1, 2):
            for marked in (False, True):
                self._cache.discard((index, width, state, marked))
        self._refresh_row(index)

    def marks_changed(self, index: int | None = None) -> None:
        """Marks changed on the row at ``index`` only, or anywhere (None): repaint it, or every line shown. A line's
        cache key says whether it is marked, so nothing cached is dropped."""
        if index is None:
            self.refresh()
        else:
            self._refresh_row(index)

    def set_loading(self, loading: bool, *, has_more: bool | None = None) -> None:
        changed = loading != self.loading or (has_more is not None and has_more != self.has_more)
        self.loading = loading
        if has_more is not None:
            self.has_more = has_more
        if changed:
            self._update_virtual_size()
            self.refresh()

    def set_sort(self, key: str, direction: str) -> None:
        self.sort_key, self.sort_dir = key, direction
        self._cache.clear()
        self.refresh()

    def set_ims(self, ims: bool) -> None:
        """Show (or hide) the IMS columns, where the table is wide enough for them."""
        ims = bool(ims)
        if ims == self.ims:
            return
        self.ims = ims
        self._cache.clear()
        self.refresh()

    def set_columns(self, columns: tuple[Column, ...] | None) -> None:
        """Show ``columns`` in their order (None: the default set for the width)."""
        self.chosen = columns
        self._layouts.clear()
        self._cache.clear()
        self.refresh()

    def set_empty_text(self, text: str) -> None:
        """What the list says while it has no rows; lines are kept, and wrapped to the width."""
        self.empty_text = text
        self._empty_lines = (0, [])
        self.refresh()

    def _empty_line(self, number: int, width: int) -> str | None:
        cached_width, lines = self._empty_lines
        if cached_width != width:
            lines = fmt.wrap(self.empty_text, width - 2) if self.empty_text else []
            self._empty_lines = (width, lines)
        return lines[number] if number < len(lines) else None

    def _update_virtual_size(self) -> None:
        height = 1 + len(self._rows) + (1 if self.loading else 0)
        self.virtual_size = Size(self.size.width or 80, height)

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def move_to(self, index: int, *, center: bool = False) -> None:
        if not self._rows:
            return
        index = max(0, min(index, len(self._rows) - 1))
        if index == self.cursor:
            self._check_near_end()
            return
        old = self.cursor
        self.cursor = index
        if self.marks.range is not None:  # the range grows or shrinks by the rows passed over
            self._refresh_rows(min(old, index), max(old, index))
        self._refresh_row(old)
        self._refresh_row(index)
        self._scroll_cursor_visible(center=center)
        self._announce()

    def _announce(self) -> None:
        row = self.current
        self.last_highlighted = row
        self.post_message(self.Highlighted(self, row, self.cursor))
        self._check_near_end()

    def _check_near_end(self) -> None:
        if not self.has_more or self.loading:
            return
        last_visible = int(self.scroll_y) + self._page
        if self.cursor >= len(self._rows) - self._page or last_visible >= len(self._rows) - 1:
            self.post_message(self.NearEnd(self))

    def check_near_end(self) -> None:
        """Re-check after a page arrived: a tall screen may still show the end of the list."""
        self._check_near_end()

    def _refresh_rows(self, first: int, last: int) -> None:
        # Line y of the view shows row scroll_y + y - 1 (line 0 is the header): virtual line index + 1.
        top = int(self.scroll_y)
        first, last = max(first, top), min(last, top + self._page - 1)
        if first <= last:
            self.refresh_lines(first + 1, last - first + 1)

    def _refresh_row(self, index: int) -> None:
        self._refresh_rows(index, index)

    def _scroll_cursor_visible(self, *, center: bool = False) -> None:
        page = self._page
        top = int(self.scroll_y)
        if center and not (top <= self.cursor < top + page):
            target = max(0, self.cursor - page // 2)
        elif self.cursor < top:
            target = self.cursor
        elif self.cursor >= top + page:
            target = self.cursor - page + 1
        else:
            return
        self.scroll_to(y=target, animate=False, immediate=True)

    def release_held(self) -> None:
        """The first page has landed (or failed): make the moves typed before it, if there are rows to move on."""
        held, self._held = self._held, None
        if held and self._rows:
            for move in held:
                move()

    def _holding(self, move: Callable[[], None]) -> bool:
        if self._held is None or self._rows:
            return False
        self._held.append(move)
        return True

    def action_cursor_down(self) -> None:
        if not self._holding(self.action_cursor_down):
            self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        if not self._holding(self.action_cursor_up):
            self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        if self._holding(self.action_page_down):
            return
        page = self._page
        target = min(self.cursor + page, len(self._rows) - 1)
        self.scroll_to(y=min(int(self.scroll_y) + page, self.max_scroll_y), animate=False, immediate=True)
        self.move_to(target)

    def action_page_up(self) -> None:
        if self._holding(self.action_page_up):
            return
        page = self._page
        self.scroll_to(y=max(int(self.scroll_y) - page, 0), animate=False, immediate=True)
        self.move_to(self.cursor - page)

    def action_first(self) -> None:
        if not self._holding(self.action_first):
            self.move_to(0)

    def action_last(self) -> None:
        if not self._holding(self.action_last):
            self.move_to(len(self._rows) - 1)

    def action_select(self) -> None:
        if self._holding(self.action_select):
            return
        row = self.current
        if row is not None:
            self.post_message(self.Selected(self, row))

    def on_click(self, event: events.Click) -> None:
        y = event.y
        if y < 1:
            return
        index = int(self.scroll_y) + y - 1
        if 0 <= index < len(self._rows):
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.move_to(index)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # The mouse wheel scrolls without moving the cursor: reaching the end should still load more.
        if round(old_value) != round(new_value):
            self._check_near_end()

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self._update_virtual_size()
        self._scroll_cursor_visible()

    def on_focus(self) -> None:
        self._refresh_row(self.cursor)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles_ready = False
        self._cache.clear()

    def _layout(self, width: int) -> Layout:
        key = (width, self.ims)
        found = self._layouts.get(key)
        if found is None:
            chosen = self.chosen
            found = layout_for(width, self.ims) if chosen is None else chosen_layout(width, chosen)
            self._layouts[key] = found
        return found

    def current_layout(self) -> Layout:
        """The columns shown now, at the table's width."""
        return self._layout(self.scrollable_content_region.width or 79)

    def _styles(self) -> dict[str, Style]:
        if not self._styles_ready:
            base = self.rich_style
            self._style_map = {"base": base}
            for name in self.STYLES:
                style = self.get_component_rich_style(f"image-table--{name}", partial=True)
                # The styles a line is drawn in stand on the base; the others are laid over a line's style.
                self._style_map[name] = base + style if name in ("header", "dim", "marked") else style
            self._styles_ready = True
        return self._style_map

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._render_header(width)
        index = int(self.scroll_y) + y - 1
        if index < len(self._rows):
            row = self._rows[index]
            state = (1 if self.has_focus else 2) if index == self.cursor else 0
            marked = self.marks.is_marked(row, index, self.cursor)
            key = (index, width, state, marked)
            strip = self._cache.get(key)
            if strip is None:
                strip = self._render_row(row, width, state, marked)
                self._cache[key] = strip
            return strip
        styles = self._styles()
        if index == len(self._rows) and self.loading:
            return Strip([Segment(fmt.fit(" loading…", width), styles["dim"])], width)
        empty = self._empty_line(y - 1, width) if not self._rows and y >= 1 else None
        if empty is not None:
            return Strip([Segment(fmt.fit(" " + empty, width), styles["dim"])], width)
        return Strip.blank(width, styles["base"])

    def _render_header(self, width: int) -> Strip:
        style = self._styles()["header"]
        return self._finish(header_segments(self._layout(width), self.sort_key, self.sort_dir, style), width, style)

    def _finish(self, segments: list[Segment], width: int, style: Style) -> Strip:
        strip = Strip(segments)
        used = strip.cell_length
        if used < width:
            strip = Strip([*segments, Segment(" " * (width - used), style)], width)
        elif used > width:
            strip = strip.crop(0, width)
        # One SGR sequence per change of style rather than per cell: half the bytes of a cursor move or a
        # scroll over SSH (bench/RESULTS.md, what-if "simplify").
        return strip.simplify()

    def _render_row(self, row: ImageRow, width: int, state: int, marked: bool = False) -> Strip:
        segments, line_style = row_segments(row, self._layout(width), self, self._styles(), state, marked)
        return self._finish(segments, width, line_style)
