"""What the command line and the app decide alike about the first screen, without importing Textual.

The command line asks for the first page before Textual is imported (``CloudSession.connect_early``); the main
screen later asks for it again, and only an identical request takes the early answer. Both build it here.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from ims_tui.api.listing import first_page_size
from ims_tui.api.models import ListQuery

if TYPE_CHECKING:
    from ims_tui.api.session import CloudSession
    from ims_tui.config import Resolved

DEFAULT_SORT = (("created_at", "desc"),)
DEFAULT_PAGE_SIZE = 200


def initial_query(resolved: Resolved | None, profile: str | None, start_filter: ListQuery | None) -> ListQuery:
    """The listing's query at start: the profile's filters and sort, or ``--filter`` with the profile's sort."""
    if resolved is not None and profile is not None:
        base = resolved.list_query(profile).with_changes(limit=None)
    else:
        base = ListQuery(sort=DEFAULT_SORT)
    query = base if start_filter is None else start_filter.with_changes(sort=base.sort, limit=None)
    return query if query.sort else query.with_changes(sort=DEFAULT_SORT)


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
