"""Named views in the app: ``o`` lists them (Enter opens one) and saves the current list under a name; the palette
has "View: NAME" for each. ``ViewActions`` is a mixin of ``MainScreen``, as ``export_rows.py`` is.

Opening a view sets the server filter, the sort (and the columns) and reloads; the status line names the view
until the filter or the sort no longer is the view's. A sort chosen by hand is remembered for the profile
(ui/view_state.py says what wins at start-up).
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ims_tui.config.named_views import View, Views
from ims_tui.config.state import Remembered
from ims_tui.startup import opened_columns
from ims_tui.ui import keys
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.column_actions import ColumnsChosen
from ims_tui.ui.text import safe
from ims_tui.ui.view_state import ViewMemory, apply_columns, current_view, same_list, view_query
from ims_tui.ui.widgets import SteadyInput

if TYPE_CHECKING:
    from ims_tui.api.models import ListQuery
    from ims_tui.ui.widgets.image_table import ImageTable

SAVE = "save"


def describe(view: View) -> str:
    """One line of what a view sets: its filter, its sort, its columns, and "saved" for one saved from the app."""
    parts = [f"filter {view.filter}" if view.filter else "no filter" if view.filter is not None else ""]
    if view.sort:
        parts.append("sort " + ",".join(f"{key}:{direction}" for key, direction in view.sort))
    if view.columns is not None:
        parts.append(f"{len(view.columns)} columns")
    if view.source == "saved":
        parts.append("saved")
    return " · ".join(part for part in parts if part)


class ViewsScreen(ModalScreen[tuple[str, str] | None]):
    """Dismisses with ("open", name), ("save", name), or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("views")
    DEFAULT_CLASSES = "dialog-screen"
    DEFAULT_CSS = """
    #views-dialog { width: 76; max-height: 90%; border: round $accent; }
    #views-list { height: auto; max-height: 14; border: none; padding: 0; }
    #views-name { display: none; margin-top: 1; }
    #views-hint { color: $text-muted; height: auto; }
    """

    def __init__(self, views: Views, usable: list[View], current: str | None) -> None:
        super().__init__()
        self.views, self.usable, self.current = views, usable, current

    def compose(self) -> ComposeResult:
        options: list[Option] = []
        for index, view in enumerate(self.usable):
            mark = "● " if view.name == self.current else "  "
            label = Content.assemble(
                (mark, "$text-accent"), (safe(view.name), "bold"), "  ", (safe(describe(view)), "$text-muted")
            )
            options.append(Option(label, id=str(index)))
        options.append(Option(Content.styled("  Save the current view as…", "italic"), id=SAVE))
        hint = "Enter opens · Esc closes"
        if self.views.hidden:
            names = ", ".join(safe(name) for name in self.views.hidden)
            hint += f"\nsaved {names} not shown: the config file's view of the same name wins"
        with Vertical(id="views-dialog", classes="dialog") as dialog:
            dialog.border_title = "Views"
            yield OptionList(*options, id="views-list")
            yield SteadyInput(placeholder="a name for the current view; Enter saves", id="views-name")
            yield Static(hint, id="views-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id != SAVE:
            self.dismiss(("open", self.usable[int(event.option.id or 0)].name))
            return
        field = self.query_one("#views-name", Input)
        field.value = self.current or ""
        field.display = True
        field.focus()

    @on(Input.Submitted, "#views-name")
    def _named(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if name:
            self.dismiss((SAVE, name))
        else:
            self.notify("give the view a name", severity="warning")

    def action_cancel(self) -> None:
        self.dismiss(None)


class ViewActions:
    """The main screen's views: open, save, the palette's "View: NAME", and remembering a sort chosen by hand."""

    # The view the list was opened with, and the query it set: its name shows while the list is still that.
    opened_view: tuple[str, ListQuery] | None = None
    if TYPE_CHECKING:
        app: Any
        list_query: ListQuery

        @property
        def table(self) -> ImageTable: ...

        def notify(self, message: str, **kwargs: Any) -> None: ...
        def _reload(self, keep_id: str | None) -> None: ...
        def _current_id(self) -> str | None: ...
        def _update_status(self) -> None: ...
        def chosen_columns(self) -> tuple[str, ...] | None: ...

    @property
    def _memory(self) -> ViewMemory:
        # An app that is not ims-tui's (as in some tests) offers no views and keeps nothing.
        return self.app.memory if isinstance(self.app, ImsApp) else ViewMemory(None, None)

    @property
    def _profile(self) -> str | None:
        return self.app.profile if isinstance(self.app, ImsApp) else None

    def started(self, view: View | None, query: ListQuery, remembered: Remembered) -> None:
        """Called once by the app before the screen mounts, with the query it opens on."""
        if view is not None:
            self.opened_view = (view.name, query)
        apply_columns(self, opened_columns(view, remembered))

    def view_label(self) -> str | None:
        """The view's name while the list is still what it set."""
        if self.opened_view is None or not same_list(self.opened_view[1], self.list_query):
            return None
        return self.opened_view[0]

    def action_views(self) -> None:
        views = self._memory.views()
        usable = views.usable(self._profile)
        self.app.push_screen(ViewsScreen(views, usable, self.view_label()), self._views_chosen)

    def _views_chosen(self, choice: tuple[str, str] | None) -> None:
        if choice is None:
            return
        verb, name = choice
        if verb == SAVE:
            self.save_view(name)
            return
        view = self._memory.views().by_name.get(name)
        if view is not None:
            self.open_view(view)

    def open_view(self, view: View) -> None:
        self.list_query = view_query(view, self.list_query)
        self.opened_view = (view.name, self.list_query)
        self.table.set_sort(*self.list_query.sort[0])
        if view.columns is not None:
            apply_columns(self, view.columns)
        self.remember_list(columns=view.columns)
        self._reload(keep_id=self._current_id())

    def save_view(self, name: str) -> None:
        view = current_view(name, self.list_query, self.chosen_columns())
        try:
            self._memory.save(view)
        except (OSError, ValueError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.notify(f"view not saved: {safe(why)}", severity="error", markup=False)
            return
        self.opened_view = (name, self.list_query)
        self.notify(f"saved view {safe(name)} (o or --view {safe(shlex.quote(name))} opens it)", markup=False)
        self._update_status()

    def on_columns_chosen(self, message: ColumnsChosen) -> None:
        """The picker's choice is this profile's columns next time too (the default set: an empty choice)."""
        self.remember_list(columns=message.names or ())

    def remember_list(self, columns: tuple[str, ...] | None = None) -> None:
        """Keep the list's sort (and columns) for the next run of this profile; a folder that cannot be written
        says so and the list goes on."""
        try:
            self._memory.remember(self._profile, sort=self.list_query.sort, columns=columns)
        except OSError as exc:
            self.notify(f"cannot remember the sort: {safe(exc.strerror or str(exc))}", severity="warning")

    def view_commands(self) -> list[SystemCommand]:
        return [
            # The palette parses its text as markup: a view named "[b]x" must read as it is.
            SystemCommand(
                f"View: {escape(safe(view.name))}", escape(safe(describe(view))), lambda v=view: self.open_view(v)
            )
            for view in self._memory.views().usable(self._profile)
        ]
