"""Every attribute of one image, grouped the way an operator looks for them.

Shows the list row at once (what the list already knows), then the image fetched fresh by the main screen.
All values are data: rich ``Text`` built directly, control characters made visible, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from ims_tui.api.models import Image, ImageRow, is_ims_property
from ims_tui.ui import format as fmt
from ims_tui.ui.text import safe

KEY_WIDTH = 15
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


def image_sections(image: Image | ImageRow, now: datetime) -> list[tuple[str, list[tuple[str, Text]]]]:
    """The grouped (title, [(key, value)]) view of an image or, before the fetch lands, of its list row."""

    def text(value: Any, style: str = "") -> Text:
        return Text(_value(value), style=style)

    kind = fmt.status_kind(image.status)
    status = Text(fmt.status_word(image.status), style=_STATUS_STYLE[kind])
    sections: list[tuple[str, list[tuple[str, Text]]]] = []
    sections.append(
        (
            "Identity",
            [
                ("name", text(image.name) if image.name else Text("(no name)", style="dim")),
                ("id", text(image.id)),
                ("owner", text(image.owner)),
            ],
        )
    )
    state = [("status", status), ("visibility", text(image.visibility))]
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
    if note is not None:
        out.append_text(note)
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

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("", id="detail-body")

    @property
    def image_id(self) -> str | None:
        return self.image.id if self.image is not None else None

    def show_row(self, row: ImageRow | None) -> None:
        """The list's data, at once; a fetch is on its way."""
        if row is None:
            self.image, self.fresh = None, False
            self._body(Text("no image selected", style="dim"))
            return
        if self.image is not None and self.image.id == row.id and self.fresh:
            return
        self.image, self.fresh = row, False
        self._body(
            render_sections(
                image_sections(row, self._now()), self._width(), Text("from the list; fetching…", style="dim")
            )
        )
        self.scroll_home(animate=False)

    def show_image(self, image: Image) -> None:
        same = self.image is not None and self.image.id == image.id
        self.image, self.fresh = image, True
        self._body(render_sections(image_sections(image, self._now()), self._width()))
        if not same:
            self.scroll_home(animate=False)

    def show_error(self, row: ImageRow | Image | None, message: str) -> None:
        note = Text(message, style="bold red")
        if row is None:
            self._body(note)
            return
        self.image, self.fresh = row, False
        self._body(render_sections(image_sections(row, self._now()), self._width(), note))

    def _width(self) -> int:
        return self.scrollable_content_region.width or 60

    def _body(self, renderable: RenderableType) -> None:
        self.rendered = renderable
        self.query_one("#detail-body", Static).update(renderable)

    def on_resize(self) -> None:
        if isinstance(self.image, Image):
            self.show_image(self.image)
        elif self.image is not None:
            row, self.image = self.image, None
            self.show_row(row)
