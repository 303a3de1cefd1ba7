"""Chosen columns on the main screen: the picker (``C``), ``apply_columns``, and the sort that follows them.

``ColumnActions`` is a mixin of ``MainScreen`` (as ``export_rows.py``'s is). The choice is names
(``ui/column_choice.py``); the table turns them into columns (``ui/columns.py``). A row holds the values of
the chosen attributes and properties it does not hold anyway (``ImageRow.kept``), read when the row is built, so a
choice that needs other values reloads the list; one that only hides or moves columns repaints.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.css.query import NoMatches
from textual.message import Message

from ims_tui.api.image_rows import ImageRow
from ims_tui.api.models import Image
from ims_tui.ui.column_choice import is_property, parse_columns, server_sorts
from ims_tui.ui.columns import chosen_column, default_names, kept_names
from ims_tui.ui.text import safe

if TYPE_CHECKING:
    from ims_tui.api.listing import ImageListing
    from ims_tui.ui.widgets.detail import DetailPane
    from ims_tui.ui.widgets.image_table import ImageTable


@dataclass
class ColumnsChosen(Message):
    """The user applied the column picker: ``names`` in their order, or None for the default set."""

    names: tuple[str, ...] | None


class ColumnActions:
    """Mixed into ``MainScreen``; these are the attributes it relies on."""

    _columns: tuple[str, ...] | None = None

    if TYPE_CHECKING:
        app: Any

        @property
        def detail(self) -> DetailPane: ...
        @property
        def table(self) -> ImageTable: ...
        @property
        def listing(self) -> ImageListing | None: ...
        def _reload(self, keep_id: str | None) -> None: ...
        def _current_id(self) -> str | None: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...
        def post_message(self, message: Message) -> bool: ...

    def chosen_columns(self) -> tuple[str, ...] | None:
        """The columns the user chose, in order; None while the list shows the default set."""
        return self._columns

    def apply_columns(self, names: Sequence[str] | None) -> None:
        """Show ``names`` (checked by ``parse_columns``; ValueError if wrong) or, None, the default set."""
        chosen = None if names is None else parse_columns(names)
        self._columns = chosen
        try:
            table = self.table
        except NoMatches:  # chosen before the screen is composed (a view, the remembered ones): on_mount shows them
            return
        table.set_columns(None if chosen is None else tuple(chosen_column(name) for name in chosen))
        listing = self.listing
        keep = self.kept_fields
        if listing is None or listing.keep == keep:
            return
        listing.keep = keep
        if keep and listing.started:
            self.notify(safe(f"reloading the list: the rows now carry {', '.join(keep)}"), timeout=4, markup=False)
            self._reload(keep_id=self._current_id())

    @property
    def kept_fields(self) -> tuple[str, ...]:
        """What each row keeps for the chosen columns (``ImageRow.kept``)."""
        return () if self._columns is None else kept_names(self._columns)

    def row_of(self, image: Image) -> ImageRow:
        """A list row for ``image``, with what the chosen columns show."""
        return ImageRow(image, self.kept_fields)

    def action_choose_columns(self) -> None:
        from ims_tui.ui.screens.column_picker import ColumnPickerScreen

        current = self._columns or default_names(self.table.current_layout(), self.table.sort_key)
        self.app.push_screen(ColumnPickerScreen(current, self._seen_properties()), self._picked)

    def _seen_properties(self) -> set[str]:
        seen = set(self.listing.property_names) if self.listing is not None else set()
        image = self.detail.image
        if isinstance(image, Image):
            seen.update(image.properties)
        return seen

    def _picked(self, picked: Any) -> None:
        if picked is None:  # Esc: nothing changes
            return
        self.apply_columns(picked.names)
        self.post_message(ColumnsChosen(picked.names))
        self._say_what_has_no_room()

    def _say_what_has_no_room(self) -> None:
        """A chosen column that the width leaves out would otherwise vanish without a word."""
        layout = self.table.current_layout()
        shown = {column.key for column, _ in layout.columns}
        left_out = [name for name in self._columns or () if name not in shown]
        if left_out:
            self.notify(
                safe(
                    f"no room at {layout.width} columns for {', '.join(left_out)}: "
                    "hide a column or move it up (C), or widen the terminal"
                ),
                severity="warning",
                timeout=6,
                markup=False,
            )

    def sort_choices(self, default: Sequence[str]) -> tuple[str, ...]:
        """The sorts ``s`` steps through and the palette offers: the chosen columns the server sorts by, in their
        order, then the rest of ``default``."""
        first = [name for name in self._columns or () if server_sorts(name)]
        return (*first, *(key for key in default if key not in first))

    def column_commands(self) -> Iterable[SystemCommand]:
        """Palette entries for the chosen property columns, which say that the server cannot sort by them."""
        for name in self._columns or ():
            if is_property(name):
                yield SystemCommand(
                    safe(f"Sort by {name}"),
                    "A custom property: the image service cannot sort by it",
                    lambda n=name: self.notify(
                        safe(f"the image service cannot sort by {n}: it sorts by base attributes only"),
                        severity="warning",
                        markup=False,
                    ),
                )
