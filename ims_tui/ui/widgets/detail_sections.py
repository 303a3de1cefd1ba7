"""The detail's text: every attribute of one image (or list row), grouped the way an operator looks for them,
laid out by hand as one rich ``Text`` (``DetailView`` in detail.py draws it).

All values are data: rich ``Text`` built directly, control characters made visible, never markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from rich.cells import cell_len
from rich.text import Text

from ims_tui.api.image_rows import ImageRow
from ims_tui.api.models import Image, is_ims_property
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


def image_sections(
    image: Image | ImageRow,
    now: datetime,
    member_status: str | None = None,
    kv_tags: dict[str, str] | str | None = None,
) -> list[tuple[str, list[tuple[str, Text]]]]:
    """The grouped (title, [(key, value)]) view of an image or, before the fetch lands, of its list row;
    ``member_status``: this project's answer to the image shared with it, when known (ui/screens/sharing.py);
    ``kv_tags``: IMS's key/value tags, or a word while they are read (None: not an IMS session, no section)."""

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
    if isinstance(kv_tags, str):
        sections.append(("Key/value tags", [("", Text(kv_tags, style="dim"))]))
    elif kv_tags is not None:
        pairs = [(key, text(value)) for key, value in sorted(kv_tags.items())]
        sections.append(("Key/value tags", pairs or [("", Text("none", style="dim"))]))
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
