"""The image list's columns, declared once: what each shows, how wide, from which table width, how it sorts.

``COLUMNS`` is the one table; ``layout_for`` chooses the columns that fit a width; ``header_segments`` and
``row_segments`` are what the header and one row's line hold. A cell is a plain function of one row (and of the
table's sort and clock, ``CellContext``): it runs for every cell painted, so it reads attributes and formats, nothing
more. When a line is painted, and its cache, are ``image_table.ImageTable``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Literal, Protocol

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

from ims_tui.api.image_rows import ImageRow
from ims_tui.ui import format as fmt
from ims_tui.ui.text import safe

Align = Literal["left", "right"]


class CellContext(Protocol):
    """What a cell may read besides its row: the list's sort key and the time the rows are aged against."""

    sort_key: str
    now_value: datetime


# What a cell shows and its colour family (a component-class suffix: "ok", "busy", "bad"; None: the line's style).
CellText = tuple[str, str | None]
Cell = Callable[[ImageRow, CellContext], CellText]


def _text_of(attribute: str) -> Cell:
    """A column showing one text attribute of the row as it is, made safe to draw."""
    read = attrgetter(attribute)
    return lambda row, _table: (safe(read(row)), None)


def _name(row: ImageRow, _table: CellContext) -> CellText:
    return (safe(row.name) if row.name else "(no name)"), None


def _status(row: ImageRow, _table: CellContext) -> CellText:
    if row.problem is not None:  # a bad row says so in words, not only by colour; the detail shows all of it
        return f"bad: {safe(row.problem)}", "bad"
    kind = fmt.status_kind(row.status)
    return fmt.status_word(row.status), (None if kind == "other" else kind)


def _size(row: ImageRow, _table: CellContext) -> CellText:
    return fmt.human_size(row.size), None


def _owner(row: ImageRow, _table: CellContext) -> CellText:
    return safe((row.owner or "")[:8]), None


def _min_disk(row: ImageRow, _table: CellContext) -> CellText:
    return ("" if not row.min_disk else fmt.gib(row.min_disk)), None


def _min_ram(row: ImageRow, _table: CellContext) -> CellText:
    return ("" if not row.min_ram else fmt.mib(row.min_ram)), None


def _age(row: ImageRow, table: CellContext) -> CellText:
    # sorted by creation, the age column says how long ago each image was created (its title says so too)
    stamp = row.created_at if table.sort_key == "created_at" else row.updated_at
    return fmt.relative_age(stamp, table.now_value), None


def _short_id(row: ImageRow, _table: CellContext) -> CellText:
    return fmt.short_id(row.id), None


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int  # 0: takes the room left over (the name)
    cell: Cell
    min_table: int = 0  # shown only when the table is at least this wide
    align: Align = "left"
    sort_key: str | None = None
    ims_only: bool = False  # an IMS property: shown only when the server is IMS
    ims_min_table: int | None = None  # min_table in IMS mode, where the IMS columns took some of the room

    def shown_at(self, width: int, ims: bool) -> bool:
        if self.ims_only and not ims:
            return False
        least = self.ims_min_table if ims and self.ims_min_table is not None else self.min_table
        return least <= width


# The order they appear in; the narrowest set (80 columns) is name, status, size, visibility, age.
# On an IMS server the image type (__imagetype) joins from 88 cells and the platform (__platform) from 114, so the
# name keeps at least the 34 cells it has at 80 columns; the 136-cell set moves up by the room they take (19).
COLUMNS: tuple[Column, ...] = (
    Column("name", "name", 0, _name, sort_key="name"),
    Column("status", "status", 14, _status, sort_key="status"),
    Column("size", "size", 8, _size, align="right", sort_key="size"),
    Column("disk", "disk", 6, _text_of("disk_format"), min_table=106, sort_key="disk_format"),
    Column("visibility", "visibility", 10, _text_of("visibility")),
    Column("type", "type", 7, _text_of("image_type"), min_table=88, ims_only=True),
    Column("platform", "platform", 10, _text_of("platform"), min_table=114, ims_only=True),
    Column("owner", "owner", 8, _owner, min_table=136, ims_min_table=155),
    Column("min_disk", "min disk", 8, _min_disk, min_table=136, align="right", ims_min_table=155),
    Column("min_ram", "min ram", 8, _min_ram, min_table=136, align="right", ims_min_table=155),
    Column("os", "os version", 18, _text_of("os_version"), min_table=136, ims_min_table=155),
    Column("age", "updated", 8, _age, align="right", sort_key="updated_at"),
    Column("id", "id", 8, _short_id, min_table=106, sort_key="id"),
)
WIDE = 100  # from this width the detail pane sits beside the list (the screen sets its class "-wide")
MIN_NAME = 12
GAP = 1

# The left pad of a row says, without colour, what no column says: "*" the row is marked, "!" the server sent it
# broken (ImageRow.problem). One cell holds one of them, and a marked broken row shows "*": only a row with a real
# id can be marked, and its status cell still reads "bad: ..." in words, while nothing else on the line could say
# that it is marked. Colour themes add a style for each (image-table--marked, image-table--bad).
LEFT_PAD = 1
MARK = "*"
BAD_MARK = "!"


def pad_text(row: ImageRow, marked: bool) -> str:
    """What the left pad of ``row`` shows (see above)."""
    if marked:
        return MARK.ljust(LEFT_PAD)
    return " " * LEFT_PAD if row.problem is None else BAD_MARK.ljust(LEFT_PAD)


@dataclass(frozen=True)
class Layout:
    columns: tuple[tuple[Column, int], ...]  # (column, width in cells)
    width: int


def layout_for(width: int, ims: bool = False) -> Layout:
    """Which columns fit in ``width`` cells and how wide each is; the name takes what is left.

    ``ims``: the server is Huawei Cloud IMS (or alike), whose images carry ``__imagetype`` and ``__platform``.
    """
    chosen = [c for c in COLUMNS if c.shown_at(width, ims)]
    while True:
        fixed = sum(c.width for c in chosen if c.width) + GAP * (len(chosen) - 1) + LEFT_PAD
        name_width = width - fixed
        if name_width >= MIN_NAME or len(chosen) <= 2:
            break
        # Too narrow even for the base set: drop the least useful columns first.
        for drop in ("platform", "type", "visibility", "age", "size"):
            if any(c.key == drop for c in chosen):
                chosen = [c for c in chosen if c.key != drop]
                break
        else:
            break
    name_width = max(name_width, 4)
    return Layout(tuple((c, name_width if c.width == 0 else c.width) for c in chosen), width)


# Chosen columns (``[ui] columns``, the picker): by attribute or property name, in the user's order, each shown
# whatever the width until it must give way. The name keeps the room it has in the narrowest default set.
NAME_KEEP = 34


def _stamp(attribute: str) -> Cell:
    read = attrgetter(attribute)
    return lambda row, table: (fmt.relative_age(read(row), table.now_value), None)


def _flag(row: ImageRow, _table: CellContext) -> CellText:
    return ("yes" if row.protected else ""), None


def _kept(name: str) -> Cell:
    return lambda row, _table: (safe(row.kept_value(name) or ""), None)


def _kept_size(name: str) -> Cell:
    def cell(row: ImageRow, _table: CellContext) -> CellText:
        text = row.kept_value(name)
        return (fmt.human_size(int(text)) if text and text.isdigit() else safe(text or "")), None

    return cell


# The columns that read the row's own slots (ImageRow); every other chosen name is kept on the row for its column.
_OWN = {
    column.key: column
    for column in (
        Column("name", "name", 0, _name, sort_key="name"),
        Column("status", "status", 14, _status, sort_key="status"),
        Column("size", "size", 8, _size, align="right", sort_key="size"),
        Column("disk_format", "disk", 6, _text_of("disk_format"), sort_key="disk_format"),
        Column("container_format", "container", 9, _text_of("container_format"), sort_key="container_format"),
        Column("visibility", "visibility", 10, _text_of("visibility")),
        Column("owner", "owner", 8, _owner),
        Column("min_disk", "min disk", 8, _min_disk, align="right"),
        Column("min_ram", "min ram", 8, _min_ram, align="right"),
        Column("protected", "protected", 9, _flag),
        Column("created_at", "created", 8, _stamp("created_at"), align="right", sort_key="created_at"),
        Column("updated_at", "updated", 8, _stamp("updated_at"), align="right", sort_key="updated_at"),
        Column("id", "id", 8, _short_id, sort_key="id"),
        Column("__imagetype", "type", 7, _text_of("image_type")),
        Column("__platform", "platform", 10, _text_of("platform")),
    )
}
# Base attributes the row does not hold: (title, width); their values are kept like a property's.
_KEPT_BASE = {
    "checksum": ("checksum", 10),
    "os_hash_algo": ("hash algo", 9),
    "os_hash_value": ("hash", 12),
    "virtual_size": ("virt size", 9),
    "os_hidden": ("hidden", 6),
    "tags": ("tags", 16),
}


def chosen_column(name: str) -> Column:
    """The column that shows attribute or property ``name``; a property's is as wide as its name, within 8-16."""
    own = _OWN.get(name)
    if own is not None:
        return own
    if name == "virtual_size":
        return Column(name, "virt size", 9, _kept_size(name), align="right")
    title, width = _KEPT_BASE.get(name, (name, max(8, min(16, cell_len(name)))))
    return Column(name, title, width, _kept(name))


def kept_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """Which of the chosen ``names`` each row must keep a value for (``ImageRow.kept``)."""
    return tuple(name for name in names if name not in _OWN)


# The default set's columns by the name a choice gives them ("os" mixes three properties: __os_version is the one).
_AS_CHOSEN = {
    "disk": "disk_format",
    "type": "__imagetype",
    "platform": "__platform",
    "os": "__os_version",
    "age": "updated_at",
}


def default_names(layout: Layout, sort_key: str = "") -> tuple[str, ...]:
    """The columns of a default ``layout`` as a choice would name them (what the picker starts from); the age
    column is the creation time while the list is sorted by it."""
    names = {**_AS_CHOSEN, "age": "created_at"} if sort_key == "created_at" else _AS_CHOSEN
    return tuple(names.get(column.key, column.key) for column, _ in layout.columns)


def chosen_layout(width: int, columns: tuple[Column, ...]) -> Layout:
    """``columns`` in their order in ``width`` cells: the name takes what is left, and while that is less than
    ``NAME_KEEP`` the last other column gives way."""
    chosen = list(columns)

    def name_room() -> int:
        fixed = sum(c.width for c in chosen if c.width) + GAP * (len(chosen) - 1) + LEFT_PAD
        return width - fixed

    while name_room() < NAME_KEEP and any(c.width for c in chosen):
        last = max(i for i, c in enumerate(chosen) if c.width)
        del chosen[last]
    name_width = max(name_room(), 1)
    return Layout(tuple((c, name_width if c.width == 0 else c.width) for c in chosen), width)


def header_title(column: Column, cells: int, sort_key: str, sort_dir: str) -> str:
    """The header of ``column`` in ``cells`` cells, with the sort arrow on the column the list is sorted by."""
    title = column.title
    sorted_here = column.sort_key == sort_key
    if column.key == "age" and column.sort_key == "updated_at" and sort_key == "created_at":
        title, sorted_here = "created", True
    if sorted_here:
        arrow = "▲" if sort_dir == "asc" else "▼"
        candidate = f"{title} {arrow}"
        if cell_len(candidate) > cells:
            candidate = fmt.fit(title, cells - 1).rstrip() + arrow
        title = candidate
    return fmt.fit(title, cells, align=column.align)


def header_segments(layout: Layout, sort_key: str, sort_dir: str, style: Style) -> list[Segment]:
    """The header line: each column's title over it, in the header's style."""
    segments = [Segment(" " * LEFT_PAD, style)]
    for position, (column, cells) in enumerate(layout.columns):
        if position:
            segments.append(Segment(" " * GAP, style))
        segments.append(Segment(header_title(column, cells, sort_key, sort_dir), style))
    return segments


def row_segments(
    row: ImageRow, layout: Layout, context: CellContext, styles: Mapping[str, Style], state: int, marked: bool
) -> tuple[list[Segment], Style]:
    """One row's segments and the style of its line (to fill the rest with). ``styles`` are the table's by component
    class suffix ("base", "marked", "cursor", "cursor-blurred", "ok", "busy", "bad"); ``state`` is the cursor's
    (0 not here, 1 here and focused, 2 here and blurred). A cell's own colour (its kind) lies over the line's style
    and under the cursor."""
    base = styles["marked"] if marked else styles["base"]
    overlay = styles["cursor"] if state == 1 else styles["cursor-blurred"] if state == 2 else None
    line_style = base + overlay if overlay is not None else base

    def kind_style(kind: str) -> Style:
        style = base + styles[kind]
        return style if overlay is None else style + overlay

    pad_style = line_style if marked or row.problem is None else kind_style("bad")
    segments = [Segment(pad_text(row, marked), pad_style)]
    for position, (column, cells) in enumerate(layout.columns):
        if position:
            segments.append(Segment(" " * GAP, line_style))
        text, kind = column.cell(row, context)
        style = line_style if kind is None else kind_style(kind)
        segments.append(Segment(fmt.fit(text, cells, align=column.align), style))
    return segments, line_style
