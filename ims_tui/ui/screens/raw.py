"""The image's JSON exactly as the server sent it (pretty-printed), with search: / then n / N; r reads it again."""

from __future__ import annotations

import json
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Input, Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError, NotFound
from ims_tui.api.image_rows import ImageRow
from ims_tui.api.messages import describe_body
from ims_tui.api.models import Image
from ims_tui.ui import format as fmt
from ims_tui.ui import keys
from ims_tui.ui.app import keymap_of
from ims_tui.ui.screens.error import ErrorReport, ErrorReported
from ims_tui.ui.text import error_line, safe, safe_lines
from ims_tui.ui.widgets import SteadyInput


def pretty_json(body: str) -> list[str]:
    """The body indented two spaces, keys in the server's order; control characters made visible."""
    try:
        text = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        text = body
    # json.dumps escapes C0 controls but lets C1 and bidi controls through: those are data too.
    return [safe(line) for line in text.splitlines()]


def body_problem(body: str) -> str | None:
    """What is wrong with an image's body, in a few words, status-line style; None if it is a good image."""
    try:
        data = json.loads(body)
    except ValueError:
        return f"not JSON: {describe_body(body.encode())}"
    try:
        Image.parse(data)
    except ApiError as exc:
        return f"not an image: {exc.message}"
    return None


def find_matches(lines: list[str], needle: str) -> list[tuple[int, int]]:
    """(line, column) of every case-insensitive occurrence of ``needle``."""
    if not needle:
        return []
    folded = needle.casefold()
    out: list[tuple[int, int]] = []
    for number, line in enumerate(lines):
        haystack = line.casefold()
        start = haystack.find(folded)
        while start != -1:
            out.append((number, start))
            start = haystack.find(folded, start + max(1, len(folded)))
    return out


class RawView(ScrollView, can_focus=True):
    """Lines of text with highlighted matches; renders only what is visible."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"raw-view--match", "raw-view--current", "raw-view--key"}
    DEFAULT_CSS = """
    RawView { background: $surface; scrollbar-size-vertical: 1; }
    RawView > .raw-view--match { background: $warning-muted; text-style: bold; }
    RawView > .raw-view--current { background: $warning; color: $background; text-style: bold; }
    RawView > .raw-view--key { color: $text-accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("raw")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[str] = []
        self.needle = ""
        self.matches: list[tuple[int, int]] = []
        self.current = -1
        self._by_line: dict[int, list[int]] = {}

    def set_lines(self, lines: list[str]) -> None:
        self.lines = lines
        width = max((cell_len(line) for line in lines), default=0)
        self.virtual_size = Size(width, len(lines))
        self.search(self.needle)
        self.refresh()

    def search(self, needle: str) -> int:
        self.needle = needle
        self.matches = find_matches(self.lines, needle)
        self._by_line = {}
        for position, (line, _col) in enumerate(self.matches):
            self._by_line.setdefault(line, []).append(position)
        self.current = 0 if self.matches else -1
        self._reveal()
        self.refresh()
        return len(self.matches)

    def step(self, delta: int) -> None:
        if not self.matches:
            return
        self.current = (self.current + delta) % len(self.matches)
        self._reveal()
        self.refresh()

    def _reveal(self) -> None:
        if self.current < 0:
            return
        line, column = self.matches[self.current]
        height = self.scrollable_content_region.height or 1
        if not (self.scroll_y <= line < self.scroll_y + height):
            self.scroll_to(y=max(0, line - height // 3), animate=False, immediate=True)
        width = self.scrollable_content_region.width or 1
        if not (self.scroll_x <= column < self.scroll_x + width - len(self.needle)):
            self.scroll_to(x=max(0, column - width // 3), animate=False, immediate=True)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        number = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if number >= len(self.lines):
            return Strip.blank(width, base)
        line = self.lines[number]
        segments = self._segments(number, line, base)
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, base)

    def _segments(self, number: int, line: str, base: Style) -> list[Segment]:
        key_style = base + self.get_component_rich_style("raw-view--key", partial=True)
        styles = [base] * len(line)
        # Colour the key of a "key": value line; values stay plain so they read as data.
        stripped = line.lstrip(" ")
        if stripped.startswith('"'):
            end = stripped.find('":')
            if end > 0:
                start = len(line) - len(stripped)
                for i in range(start, start + end + 1):
                    styles[i] = key_style
        match_style = self.get_component_rich_style("raw-view--match", partial=True)
        current_style = self.get_component_rich_style("raw-view--current", partial=True)
        for position in self._by_line.get(number, ()):
            _line, column = self.matches[position]
            style = current_style if position == self.current else match_style
            for i in range(column, min(column + len(self.needle), len(line))):
                styles[i] = styles[i] + style
        segments: list[Segment] = []
        run_start = 0
        for i in range(1, len(line) + 1):
            if i == len(line) or styles[i] != styles[run_start]:
                segments.append(Segment(line[run_start:i], styles[run_start]))
                run_start = i
        return segments


class RawScreen(Screen[str | None]):
    """The image as the server sends it (``GET /v2/images/{id}``, unparsed: a broken image shows too), or, for a
    list entry without an id, as the list page sent it. Dismisses with the id if the server said it is gone."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("raw_screen")

    DEFAULT_CSS = """
    RawScreen RawView { height: 1fr; }
    RawScreen #raw-search { display: none; height: 1; border: none; padding: 0 1; }
    RawScreen #raw-search.-shown { display: block; }
    """

    def __init__(self, client: ImageClient, row: ImageRow) -> None:
        super().__init__()
        self.client = client
        self.row = row
        self.body = ""
        self.problem: str | None = None  # what is wrong with the body shown, said first in the title
        self.gone = False

    def compose(self) -> ComposeResult:
        yield Static("", id="raw-title", classes="title-bar", markup=False)
        yield RawView(id="raw")
        yield SteadyInput(placeholder="search (Enter, then n / N; Esc closes)", id="raw-search")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(RawView).focus()
        self.action_refresh()

    def _title(self, extra: str = "") -> None:
        name = safe(self.row.name or self.row.id)
        # what is wrong comes first: at 80 columns a long name must not push it off the line
        text = f"{safe(self.problem)}  ·  raw JSON of {name}" if self.problem else f"raw JSON of {name}"
        view = self.query_one(RawView)
        if view.needle:
            found = len(view.matches)
            where = f"{view.current + 1}/{found}" if found else "no match"
            text += f"  ·  /{safe(view.needle)}: {where}"
        if extra:
            text += f"  ·  {extra}"
        self.query_one("#raw-title", Static).update(text)

    def action_refresh(self) -> None:
        if self.row.actionable:
            self._title("loading…")
            self._load()
            return
        # No id to ask for: what the list page sent is all there is.
        self._show(json.dumps(self.row.raw, indent=2, ensure_ascii=False), "as the list page sent it (no id)")

    def _show(self, body: str, extra: str = "") -> None:
        self.body = body
        self.problem = body_problem(body) if self.row.actionable else self.row.problem
        self.query_one(RawView).set_lines(pretty_json(body))
        self._title(extra)

    @work(exclusive=True, group="raw")
    async def _load(self) -> None:
        try:
            body = await self.client.get_text(self.row.id)
        except ApiError as exc:
            self.gone = isinstance(exc, NotFound)
            if not self.gone:
                self.post_message(ErrorReported(ErrorReport(f"could not read image {self.row.id}", exc)))
            self.body, self.problem = "", None
            self.query_one(RawView).set_lines(self._error_lines(exc))
            self._title("gone" if self.gone else "failed")
            return
        self._show(body)

    def _error_lines(self, error: ApiError) -> list[str]:
        width = max(self.query_one(RawView).scrollable_content_region.width or self.app.size.width - 2, 40)
        hint = "Esc goes back to the list, which drops it" if self.gone else "r to retry · E shows the full error"
        text = f"{error_line(error)}\n\n{safe_lines(error.describe())}\n\n{hint}"
        return fmt.wrap(text, width - 1)

    def action_back(self) -> None:
        self.dismiss(self.row.id if self.gone else None)

    def action_search(self) -> None:
        field = self.query_one("#raw-search", Input)
        field.add_class("-shown")
        self.set_focus(field)  # at once: the keys typed right after "/" are the search text

    @on(Input.Submitted, "#raw-search")
    def _submitted(self, event: Input.Submitted) -> None:
        self.query_one(RawView).search(event.value)
        event.input.remove_class("-shown")
        self.query_one(RawView).focus()
        self._title()

    def on_key(self, event: events.Key) -> None:
        field = self.query_one("#raw-search", SteadyInput)
        if event.key == "escape" and field.has_focus:
            event.stop()
            field.remove_class("-shown")
            self.query_one(RawView).focus()
            return
        bound = None if self.focused is field else keymap_of(self.app).bound(event.key, ("raw", "raw_screen", "app"))
        if bound is not None and bound.id == "raw_screen.search":
            # Now rather than through the binding, which runs after the keys already queued ("/os_" in one read).
            event.stop()
            event.prevent_default()
            self.action_search()
            return
        field.catch(event)

    def action_next_match(self) -> None:
        self.query_one(RawView).step(1)
        self._title()

    def action_previous_match(self) -> None:
        self.query_one(RawView).step(-1)
        self._title()

    def action_copy_json(self) -> None:
        from ims_tui.ui.clipboard import copy_text

        if self.body:
            copy_text(self.app, self.body, what="JSON", show=f"{len(self.body):,} characters of JSON")
