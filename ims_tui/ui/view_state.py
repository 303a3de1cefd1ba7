"""What the list opens with and what it keeps between runs: named views, each profile's remembered sort and columns.

Start-up precedence of the filter and sort: ``startup.initial_query`` (the command line asks for the first page
with it before Textual is imported); of the columns: the view's > the remembered ones > the profile's
(``apply_columns``).

``ViewMemory`` is the app's one handle on the state folder (config/state.py): it reads and writes nothing when
there is none (an app made by a test), and remembers nothing with ``[ui] remember = false``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ims_tui.api.filter_text import format as filter_text
from ims_tui.api.filter_text import parse
from ims_tui.api.models import ListQuery
from ims_tui.config.named_views import View, Views, all_views
from ims_tui.config.state import Remembered, StateStore
from ims_tui.startup import remembered_of
from ims_tui.ui.column_choice import parse_columns
from ims_tui.ui.text import safe

if TYPE_CHECKING:
    from ims_tui.config import Resolved


def view_query(view: View, current: ListQuery) -> ListQuery:
    """``current`` with what ``view`` says: its filter (when it has one) and its sort (when it has one)."""
    query = parse(view.filter, current) if view.filter is not None else current
    return query.with_changes(sort=view.sort or current.sort, limit=None)


def current_view(name: str, query: ListQuery, columns: tuple[str, ...] | None) -> View:
    """The list as it is now, as a view to save."""
    return View(name, filter=filter_text(query), sort=query.sort, columns=columns, source="saved")


def same_list(a: ListQuery, b: ListQuery) -> bool:
    """Whether two queries list the same (filters and sort): the page size is not the view's."""
    return a.with_changes(limit=None) == b.with_changes(limit=None)


def apply_columns(screen: Any, columns: tuple[str, ...] | None) -> None:
    """Show ``columns`` (names, in order) in the list; None leaves the profile's own. A view or the state folder
    may hold names the config would refuse (saved by another version, edited by hand): they are not applied,
    and the user is told why."""
    if not columns:
        return
    try:
        checked = parse_columns(columns)
    except ValueError as exc:
        screen.notify(f"the view's columns are not used: {safe(str(exc))}", severity="warning", markup=False)
        return
    screen.apply_columns(checked)


class ViewMemory:
    """The views offered and the profiles' remembered sort and columns, through one ``StateStore`` (or none)."""

    def __init__(self, store: StateStore | None, resolved: Resolved | None) -> None:
        self.store = store
        self.config_views = dict(resolved.views) if resolved is not None else {}
        self.remembering = store is not None and (resolved is None or resolved.ui.remember)

    def views(self) -> Views:
        """Read each time: a view saved by another ims-tui since is offered too."""
        return all_views(self.config_views, self.store.saved_views() if self.store is not None else {})

    def remembered(self, profile: str | None) -> Remembered:
        return remembered_of(self.store if self.remembering else None, None, profile)

    def remember(self, profile: str | None, *, sort: Any = None, columns: tuple[str, ...] | None = None) -> None:
        """Keep the sort (or columns) for ``profile``; raises OSError when the state folder cannot be written."""
        if self.remembering and profile is not None and self.store is not None:
            self.store.remember(profile, sort=sort, columns=columns)

    def save(self, view: View) -> None:
        """Raises OSError when the file cannot be written, ValueError when a config view has the name."""
        if view.name in self.config_views:
            raise ValueError(f"the config file has a view named {view.name!r}, which wins: choose another name")
        if self.store is None:
            raise ValueError("there is no state folder to save views in")
        self.store.save_view(view)

    def notices(self) -> list[str]:
        """The broken state files found so far, each said once."""
        if self.store is None:
            return []
        found, self.store.notices = self.store.notices, []
        return found
