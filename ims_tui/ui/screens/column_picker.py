"""The column picker (``C`` on the list): which columns the list shows and in what order.

It lists the current columns in their order, then the other base attributes and the custom properties seen; space
shows or hides the highlighted one, ``K``/``J`` (or alt+up/alt+down) move it, the field below adds any property by
name. Enter applies, "Reset to default" goes back to the adaptive set, Esc leaves everything as it was. It only
answers (``Picked``, or None); the main screen applies the choice and reloads the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ims_tui.ui import keys
from ims_tui.ui.column_choice import is_property, moved, offered, parse_columns, server_sorts
from ims_tui.ui.format import fit
from ims_tui.ui.text import safe

RESET = "reset"  # the id of the "Reset to default" line
NAME_CELLS = 24


@dataclass(frozen=True)
class Picked:
    """What the picker answered: the chosen columns, or None for the default set."""

    names: tuple[str, ...] | None


def line(name: str, shown: bool) -> Content:
    """One line of the picker: shown or not (in words, not only by colour), the name, and how it sorts."""
    if is_property(name):
        note = "property: the server cannot sort"
    else:
        note = "the server sorts by it" if server_sorts(name) else "attribute"
    return Content(f"{'[x]' if shown else '[ ]'} {fit(safe(name), NAME_CELLS)} {note}")


class ColumnPickerScreen(ModalScreen[Picked | None]):
    """Choose and order the list's columns; ``current`` are the columns shown now, ``seen`` property names."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("column_picker")
    DEFAULT_CSS = """
    ColumnPickerScreen { align: center middle; }
    ColumnPickerScreen > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; padding: 0 1; background: $surface;
    }
    ColumnPickerScreen OptionList, ColumnPickerScreen OptionList:focus { height: auto; max-height: 16; border: none; }
    ColumnPickerScreen #column-error { color: $text-error; height: auto; }
    ColumnPickerScreen .column-hint { color: $text-muted; height: auto; }
    """

    def __init__(self, current: Sequence[str], seen: Iterable[str] = ()) -> None:
        super().__init__()
        self.order = offered(current, seen)
        self.shown = set(current)

    @property
    def chosen(self) -> tuple[str, ...]:
        """The columns as they would be applied now: the shown ones, in the list's order."""
        return tuple(name for name in self.order if name in self.shown)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Columns"
            yield OptionList(*self._options(), id="column-list")
            yield Input(placeholder="a: add a property by name, e.g. os_distro", id="column-add", compact=True)
            yield Static("", id="column-error")
            yield Static("space show/hide · K/J move · a add · enter apply · esc cancel", classes="column-hint")

    def on_mount(self) -> None:
        self.set_focus(self._list)

    @property
    def _list(self) -> OptionList:
        return self.query_one("#column-list", OptionList)

    def _options(self) -> list[Option]:
        options = [Option(line(name, name in self.shown), id=f"c:{name}") for name in self.order]
        return [*options, Option(Content("Reset to default (the columns for the width)"), id=RESET)]

    def _redraw(self, highlight: int | None) -> None:
        self._list.set_options(self._options())
        self._list.highlighted = highlight

    def _say(self, text: str) -> None:
        self.query_one("#column-error", Static).update(Content(text))

    @property
    def _at(self) -> int | None:
        index = self._list.highlighted
        return index if index is not None and index < len(self.order) else None

    def action_toggle_column(self) -> None:
        index = self._at
        if index is None:
            return
        name = self.order[index]
        if name == "name":
            self._say("the name always shows: it says which image a row is")
            return
        self.shown ^= {name}
        self._say("")
        self._list.replace_option_prompt_at_index(index, line(name, name in self.shown))

    def action_move_up(self) -> None:
        self._move(-1)

    def action_move_down(self) -> None:
        self._move(1)

    def _move(self, step: int) -> None:
        index = self._at
        if index is not None:
            self.order, target = moved(self.order, index, step)
            self._redraw(target)

    def action_add(self) -> None:
        self.set_focus(self.query_one("#column-add", Input))

    @on(Input.Submitted, "#column-add")
    def _added(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        try:
            parse_columns(["name", name] if name != "name" else ["name"])
        except ValueError as exc:
            self._say(safe(str(exc)))
            return
        # It goes after the last column shown, where Enter would put it.
        rest = [n for n in self.order if n != name]
        after = max((i for i, n in enumerate(rest) if n in self.shown), default=-1) + 1
        self.order = (*rest[:after], name, *rest[after:])
        self.shown.add(name)
        event.input.value = ""
        self._say("")
        self._redraw(self.order.index(name))
        self.set_focus(self._list)

    @on(OptionList.OptionSelected, "#column-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(Picked(None) if event.option.id == RESET else Picked(self.chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)
