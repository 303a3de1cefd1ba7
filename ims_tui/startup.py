"""What the command line and the app decide alike about the first screen, without importing Textual.

The command line asks for the first page before Textual is imported (``CloudSession.connect_early``); the main
screen later asks for it again, and only an identical request takes the early answer. Both build it here.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from ims_tui.api.filter_text import parse
from ims_tui.api.listing import first_page_size
from ims_tui.api.query import ListQuery
from ims_tui.config.state import Remembered

if TYPE_CHECKING:
    from ims_tui.api.session import CloudSession
    from ims_tui.config import Resolved
    from ims_tui.config.named_views import View
    from ims_tui.config.state import StateStore

DEFAULT_SORT = (("created_at", "desc"),)
DEFAULT_PAGE_SIZE = 200


def initial_query(
    resolved: Resolved | None,
    profile: str | None,
    start_filter: ListQuery | None,
    view: View | None = None,
    remembered: Remembered | None = None,
) -> ListQuery:
    """The listing's query at start, each part on its own, first to last:

    - the filter: ``--filter`` > the view's filter > the profile's (``filter`` or ``[filters]``) > none;
    - the sort: the view's sort > the profile's remembered sort > the profile's ``sort`` > ``[ui] sort``.

    ``view`` is the ``--view`` for this profile (None after a switch to a profile it is not for).
    """
    if resolved is not None and profile is not None:
        base = resolved.list_query(profile).with_changes(limit=None)
    else:
        base = ListQuery(sort=DEFAULT_SORT)
    if start_filter is not None:
        query = start_filter
    elif view is not None and view.filter is not None:
        query = parse(view.filter)
    else:
        query = base
    kept = remembered.sort if remembered is not None else ()
    sort = (view.sort if view is not None else ()) or kept or base.sort or DEFAULT_SORT
    return query.with_changes(sort=sort, limit=None)


def opened_columns(view: View | None, remembered: Remembered) -> tuple[str, ...] | None:
    """The columns the list opens with over the profile's own: the view's, else what was remembered; None: the
    profile's (``Resolved.columns``)."""
    return (view.columns if view is not None else None) or remembered.columns


def remembered_of(state: StateStore | None, resolved: Resolved | None, profile: str | None) -> Remembered:
    """What the state folder kept for ``profile``; nothing with ``[ui] remember = false``."""
    if state is None or profile is None or (resolved is not None and not resolved.ui.remember):
        return Remembered()
    return state.remembered(profile)


def page_size_of(override: int | None, session: CloudSession, resolved: Resolved | None) -> int:
    """``--page-size``, else the profile's, else ``[ui] page_size``."""
    if override:
        return override
    if session.page_size:
        return session.page_size
    return resolved.ui.page_size if resolved is not None else DEFAULT_PAGE_SIZE


def screen_first_page(page_size: int) -> int:
    """The first request's size for the terminal this runs in (api/listing.py ``first_page_size``)."""
    return first_page_size(shutil.get_terminal_size().lines, page_size)


def first_request(query: ListQuery, page_size: int, first_page: int) -> ListQuery:
    """The first list request the main screen will send for ``query``."""
    return query.with_changes(limit=min(page_size, first_page))
