"""The marked images of the list, for bulk actions to act on. No Textual here.

``Marks`` is the one owner of what is marked. Invariant, after any call: ``ids`` holds each marked image id once,
in the order it was marked, and only ids of rows that can be acted on (``ImageRow.actionable``: a bad row without
a real id is never marked, its placeholder id must never reach the server). A range being marked (``V``) is not in
``ids`` until it is fixed; ``is_marked`` already answers True for its rows, so the list shows what fixing it
would mark. Every operation returns what it changed (``MarkChange``), which the screen tells the user.

Marks are by id, not by position: paging, sort, filters and refresh show other rows at other places and a mark
follows its image. Marked images need not be loaded (after a new sort they may be further down); the screen drops
the ids of images that are gone (``drop``) or absent from a complete listing (``keep_only``).

Cost: ``is_marked`` is one dict lookup and two comparisons (the table calls it per line painted); ``toggle`` and
``mark`` are O(1); the operations over the rows shown are one pass over them, 100,000 rows in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol


class Markable(Protocol):
    """A row as marks see it (``ImageRow`` is one): its image id, and whether that id is real."""

    @property
    def id(self) -> str: ...

    @property
    def actionable(self) -> bool: ...


@dataclass(frozen=True)
class MarkChange:
    """What an operation did: ids newly ``marked``, ids ``unmarked``, rows ``refused`` (no real id: left out)."""

    marked: int = 0
    unmarked: int = 0
    refused: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.marked or self.unmarked)


NOTHING = MarkChange()


@dataclass(frozen=True)
class Range:
    """A range being marked: it starts at row ``anchor`` (image ``anchor_id``) and ends at the cursor."""

    anchor: int
    anchor_id: str

    def span(self, cursor: int) -> tuple[int, int]:
        return (self.anchor, cursor) if self.anchor <= cursor else (cursor, self.anchor)


class Marks:
    """The marked image ids in marking order, and the range being marked, if any."""

    def __init__(self) -> None:
        self._ids: dict[str, None] = {}  # a dict keeps the marking order with O(1) lookups and removal
        self.range: Range | None = None
        self.version = 0  # grows with every change to ``ids``: a count derived from them can be cached by it

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, image_id: object) -> bool:
        return image_id in self._ids

    @property
    def ids(self) -> tuple[str, ...]:
        """The marked ids, in the order they were marked."""
        return tuple(self._ids)

    def is_marked(self, row: Markable, index: int, cursor: int) -> bool:
        """Whether the list shows ``row`` (at ``index``, the cursor at ``cursor``) as marked: marked, or in the range
        being marked."""
        if row.id in self._ids:
            return True
        found = self.range
        if found is None or not row.actionable:
            return False
        low, high = found.span(cursor)
        return low <= index <= high

    def _add(self, image_id: str) -> None:
        self._ids[image_id] = None
        self.version += 1

    def _remove(self, image_id: str) -> None:
        del self._ids[image_id]
        self.version += 1

    # One row

    def toggle(self, row: Markable) -> MarkChange:
        """Mark ``row``, or unmark it if it is marked."""
        if not row.actionable:
            return MarkChange(refused=1)
        if row.id in self._ids:
            self._remove(row.id)
            return MarkChange(unmarked=1)
        self._add(row.id)
        return MarkChange(marked=1)

    def mark(self, row: Markable) -> MarkChange:
        """Mark ``row`` if it is not marked yet."""
        if not row.actionable:
            return MarkChange(refused=1)
        if row.id in self._ids:
            return NOTHING
        self._add(row.id)
        return MarkChange(marked=1)

    # A range: V at the cursor, movement extends it, V (or space) fixes it, Esc cancels it

    def start_range(self, rows: Sequence[Markable], index: int) -> bool:
        """Start a range at row ``index``; False if there is no such row."""
        if not 0 <= index < len(rows):
            return False
        self.range = Range(index, rows[index].id)
        return True

    def fix_range(self, rows: Sequence[Markable], cursor: int) -> MarkChange:
        """Mark every row of the range (from its anchor to ``cursor``) and end it."""
        found, self.range = self.range, None
        if found is None:
            return NOTHING
        low, high = found.span(cursor)
        return self._mark_rows(rows[low : high + 1])

    def cancel_range(self) -> bool:
        """End the range without marking it; False if there was none."""
        found, self.range = self.range, None
        return found is not None

    def follow(self, rows: Sequence[Markable]) -> bool:
        """The rows shown changed (filter, reload, a row removed): keep the range's anchor on its image, or end the
        range if that image is no longer shown. True if the range moved or ended."""
        found = self.range
        if found is None:
            return False
        if found.anchor < len(rows) and rows[found.anchor].id == found.anchor_id:
            return False
        index = next((i for i, row in enumerate(rows) if row.id == found.anchor_id), None)
        self.range = None if index is None else Range(index, found.anchor_id)
        return True

    def span(self, cursor: int) -> tuple[int, int] | None:
        """The rows of the range being marked (first, last), or None."""
        return None if self.range is None else self.range.span(cursor)

    # Every row shown

    def _mark_rows(self, rows: Iterable[Markable]) -> MarkChange:
        marked = refused = 0
        for row in rows:
            if not row.actionable:
                refused += 1
            elif row.id not in self._ids:
                self._ids[row.id] = None
                marked += 1
        if marked:
            self.version += 1
        return MarkChange(marked=marked, refused=refused)

    def mark_all(self, rows: Iterable[Markable]) -> MarkChange:
        """Mark every row of ``rows`` (those shown), in their order; a range being marked is part of them."""
        self.range = None
        return self._mark_rows(rows)

    def invert(self, rows: Sequence[Markable], cursor: int) -> MarkChange:
        """Unmark the marked rows of ``rows`` and mark the others; marks on rows not shown stay. A range being marked
        is fixed first: what the list showed as marked is what becomes unmarked."""
        self.fix_range(rows, cursor)
        marked = unmarked = refused = 0
        for row in rows:
            if not row.actionable:
                refused += 1
            elif row.id in self._ids:
                del self._ids[row.id]
                unmarked += 1
            else:
                self._ids[row.id] = None
                marked += 1
        if marked or unmarked:
            self.version += 1
        return MarkChange(marked=marked, unmarked=unmarked, refused=refused)

    def clear(self) -> MarkChange:
        """Unmark everything, shown or not, and end a range being marked."""
        self.range = None
        count = len(self._ids)
        if count:
            self._ids.clear()
            self.version += 1
        return MarkChange(unmarked=count)

    # Images that are gone

    def drop(self, image_ids: Iterable[str]) -> tuple[str, ...]:
        """Unmark ``image_ids`` (images found gone); the ids that were marked, in marking order."""
        gone = set(image_ids)
        return self._drop_where(lambda image_id: image_id in gone)

    def keep_only(self, exists: Callable[[str], bool]) -> tuple[str, ...]:
        """Unmark every id for which ``exists`` is False (a complete listing does not hold it); the ids dropped."""
        return self._drop_where(lambda image_id: not exists(image_id))

    def _drop_where(self, gone: Callable[[str], bool]) -> tuple[str, ...]:
        dropped = tuple(image_id for image_id in self._ids if gone(image_id))
        for image_id in dropped:
            del self._ids[image_id]
        if dropped:
            self.version += 1
        return dropped

    def count_absent(self, present: Callable[[str], bool]) -> int:
        """How many marked ids ``present`` says are not there (not loaded yet)."""
        return sum(1 for image_id in self._ids if not present(image_id))
