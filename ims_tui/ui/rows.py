"""What the list shows: every loaded row, or only those that match the quick filter. No Textual here.

``RowView`` is the one owner of that choice. Invariant, after any call: ``visible`` is the listing's ``rows``
themselves when no needle is set, else ``[row for row in rows if row.matches(needle)]`` in the same order. Every
change to the rows goes through the view, and each call returns what the table must repaint (``Change``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from ims_tui.api.image_rows import ImageRow


class RowSource(Protocol):
    """The loaded rows of a listing (``ImageListing`` is one), with the edits a view passes on."""

    @property
    def rows(self) -> list[ImageRow]: ...

    def insert(self, row: ImageRow, position: int = 0) -> None: ...

    def remove(self, image_id: str) -> int | None: ...

    def replace(self, row: ImageRow) -> int | None: ...


@dataclass(frozen=True)
class Change:
    """What a call changed in ``visible``: ``all`` rows may have moved, rows were added at the ``tail``, the one
    ``row`` at ``index`` was swapped for a fresher one, or ``none``."""

    kind: Literal["all", "tail", "row", "none"]
    index: int = -1


ALL = Change("all")
TAIL = Change("tail")
NONE = Change("none")


class RowView:
    """The rows the table shows for one listing (``source``; None before connecting) and the quick-filter needle.

    While filtering, ``visible`` is one list kept in step in place, so the table may hold on to it; ``filter`` and
    ``reloaded`` build a new one (the table then takes it with ``set_rows``).
    """

    def __init__(self, source: RowSource | None = None, needle: str | None = None) -> None:
        self.source = source
        self.needle = needle or None
        self._matching: list[ImageRow] = self._matches(self.rows)

    @property
    def rows(self) -> list[ImageRow]:
        return self.source.rows if self.source is not None else []

    @property
    def filtering(self) -> bool:
        return self.needle is not None

    @property
    def visible(self) -> list[ImageRow]:
        return self._matching if self.needle is not None else self.rows

    def _matches(self, rows: list[ImageRow]) -> list[ImageRow]:
        needle = self.needle
        return [row for row in rows if row.matches(needle)] if needle is not None else []

    def index_of(self, image_id: str | None) -> int | None:
        """Where ``image_id`` is in ``visible``; None if it is not shown."""
        if image_id is None:
            return None
        return next((i for i, row in enumerate(self.visible) if row.id == image_id), None)

    def filter(self, needle: str) -> Change:
        """Show only the rows matching ``needle``; an empty needle shows every row again."""
        if not needle and self.needle is None:
            return NONE
        self.needle = needle or None
        self._matching = self._matches(self.rows)
        return ALL

    def reloaded(self) -> Change:
        """The listing started over and holds new rows."""
        self._matching = self._matches(self.rows)
        return ALL

    def appended(self, rows: list[ImageRow]) -> Change:
        """``rows`` were added at the end of the listing (a page arrived)."""
        if self.needle is not None:
            before = len(self._matching)
            self._matching.extend(self._matches(rows))
            return TAIL if len(self._matching) > before else NONE
        return TAIL if rows else NONE

    def insert(self, row: ImageRow, at: int = 0) -> Change:
        """Put a new row (a created image) at ``at`` in the listing; shown only if it matches the needle."""
        if self.source is None:
            return NONE
        self.source.insert(row, at)
        if self.needle is None:
            return ALL
        if not row.matches(self.needle):
            return NONE
        # Its place among the matching rows is the number of matching rows before it in the listing.
        self._matching.insert(sum(1 for other in self.rows[:at] if other.matches(self.needle)), row)
        return ALL

    def remove(self, image_id: str) -> Change:
        """Drop a row that no longer exists."""
        if self.source is None or self.source.remove(image_id) is None:
            return NONE
        if self.needle is None:
            return ALL
        index = self.index_of(image_id)
        if index is None:
            return NONE
        del self._matching[index]
        return ALL

    def replace(self, row: ImageRow) -> Change:
        """Swap a row for a fresher one of the same image (a GET found a newer state)."""
        if self.source is None:
            return NONE
        position = self.source.replace(row)
        if position is None:
            return NONE
        if self.needle is None:
            return Change("row", position)
        index = self.index_of(row.id)
        shown = row.matches(self.needle)
        if index is not None and shown:
            self._matching[index] = row
            return Change("row", index)
        if index is None and not shown:
            return NONE
        # The fresh row enters or leaves the filter (renamed elsewhere): the matching rows are taken again.
        self._matching[:] = self._matches(self.rows)
        return ALL
