"""The main screen's marks (ui/marks.py): the screen keeps them by image id, the table draws them; bulk actions
read ``marks.ids``. Only rows with a real id are marked; a mark outlives paging, sort, filters and refresh, and goes
with its image.

A mixin of ``MainScreen``, as ``data_actions.py`` is: main.py keeps the list and its state, this file the marks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ims_tui.ui import format as fmt
from ims_tui.ui.marks import MarkChange, Marks

if TYPE_CHECKING:
    from ims_tui.api.listing import ImageListing
    from ims_tui.ui.page_loader import PageLoader
    from ims_tui.ui.rows import RowView
    from ims_tui.ui.widgets.image_table import ImageTable


class MarkActions:
    """Mixed into ``MainScreen``; these are the attributes it relies on."""

    marks: Marks
    view: RowView
    pages: PageLoader
    _absent: tuple[Any, int]

    if TYPE_CHECKING:
        focused: Any

        @property
        def table(self) -> ImageTable: ...
        @property
        def listing(self) -> ImageListing | None: ...
        def _update_status(self) -> None: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...

    def action_mark(self) -> None:
        if self.marks.range is not None:
            self._fix_range()  # space ends a range being marked, as V does
            return
        table = self.table
        row = table.current
        if row is None:
            return
        self._refused(self.marks.toggle(row))
        table.marks_changed(table.cursor)
        table.move_to(table.cursor + 1)
        self._update_status()

    def action_mark_range(self) -> None:
        table = self.table
        if self.marks.range is not None:
            self._fix_range()
        elif self.marks.start_range(table.rows, table.cursor):
            table.marks_changed(table.cursor)
            self._update_status()

    def _fix_range(self) -> None:
        self._refused(self.marks.fix_range(self.table.rows, self.table.cursor))
        self.table.marks_changed()
        self._update_status()

    def action_mark_down(self) -> None:
        self._mark_moving(1)

    def action_mark_up(self) -> None:
        self._mark_moving(-1)

    def _mark_moving(self, step: int) -> None:
        """shift+down / shift+up: mark the highlighted row and the row the cursor moves to."""
        table = self.table
        row = table.current
        if row is None or self.focused is not table:  # in the quick filter field shift+arrows are not marks
            return
        start = table.cursor
        refused = self.marks.mark(row).refused
        table.move_to(start + step)
        if table.cursor != start and table.current is not None:
            refused += self.marks.mark(table.current).refused
        table.marks_changed(start)
        table.marks_changed(table.cursor)
        self._refused(MarkChange(refused=refused))
        self._update_status()

    def action_mark_all(self) -> None:
        table = self.table
        change = self.marks.mark_all(table.rows)
        table.marks_changed()
        rows = "row the quick filter shows" if self.view.filtering else "loaded row"
        more = "; rows not loaded yet are not marked" if self.listing is not None and not self.listing.complete else ""
        self._tell(change, f"marked every {rows} ({fmt.plural(change.marked, 'image')} newly marked){more}")

    def action_invert_marks(self) -> None:
        table = self.table
        change = self.marks.invert(table.rows, table.cursor)
        table.marks_changed()
        self._tell(change, f"inverted the marks of the rows shown: {change.marked} marked, {change.unmarked} unmarked")

    def action_clear_marks(self) -> None:
        self.marks.cancel_range()
        change = self.marks.clear()
        self.table.marks_changed()
        self._tell(change, f"cleared {fmt.plural(change.unmarked, 'mark')}" if change.unmarked else "nothing is marked")

    def _marks_back(self) -> bool:
        """Esc: a range being marked is cancelled, then marks are cleared, before Esc does anything else."""
        if self.marks.cancel_range():
            self.table.marks_changed()
            self._update_status()
            return True
        if len(self.marks):
            self.action_clear_marks()
            return True
        return False

    def _tell(self, change: MarkChange, text: str) -> None:
        self._update_status()
        if change.refused:
            text += f" ({fmt.plural(change.refused, 'row')} without an id left out: it cannot be acted on)"
        self.notify(text, markup=False)

    def _refused(self, change: MarkChange) -> None:
        if change.refused:
            self.notify(
                "cannot mark this row: the server sent it without an id, so no action can name it (y shows it)",
                severity="warning",
                markup=False,
            )

    def _unmark_gone(self, image_ids: Iterable[str]) -> None:
        """Images found gone (deleted here or elsewhere) are unmarked, saying so."""
        dropped = self.marks.drop(image_ids)
        if dropped:
            self.notify(f"unmarked {fmt.plural(len(dropped), 'image')} that no longer exists", markup=False)

    def _unmark_done(self, image_ids: Iterable[str]) -> None:
        """A bulk action's done images are unmarked; failed ones stay marked, to look at or try again."""
        if self.marks.drop(image_ids):
            self.table.marks_changed()
            self._update_status()

    def _prune_marks(self) -> None:
        """A complete listing holds every image of the query: a marked image it lacks is gone from this list."""
        listing = self.listing
        if listing is None or not listing.complete or not len(self.marks):
            return
        dropped = self.marks.keep_only(lambda image_id: listing.position_of(image_id) is not None)
        if dropped:
            images = fmt.plural(len(dropped), "marked image is", "marked images are")
            self.notify(
                f"unmarked: {images} not in the list any more (deleted, or outside the server filter)",
                severity="warning",
                markup=False,
            )

    def _marks_status(self) -> tuple[int, int, int | None]:
        """(marked, of them not loaded, rows of the range being marked) for the status line; the second is one
        lookup per mark, so it is counted again only when the marks or the loaded rows changed."""
        listing = self.listing
        absent = 0
        if listing is not None and len(self.marks):
            key = (self.marks.version, self.pages.generation, len(listing.rows))
            if self._absent[0] != key:
                loaded = listing.position_of
                self._absent = (key, self.marks.count_absent(lambda image_id: loaded(image_id) is not None))
            absent = self._absent[1]
        span = self.marks.span(self.table.cursor)
        return len(self.marks), absent, None if span is None else span[1] - span[0] + 1
