"""What the header and the status line say, as (text, style) parts, without Textual.

``widgets/status.py`` draws these parts in the app; ``first_frame.py`` draws the same words before Textual is
imported, so the first screen reads as the app's own. A style is a Textual style string; the first frame drops it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ims_tui.ui import format as fmt
from ims_tui.ui.text import safe

if TYPE_CHECKING:
    from ims_tui.api.session import SessionInfo

Parts = list[str | tuple[str, str]]

# How the status line and the sort menu name a sort key.
SORT_LABEL = {
    "name": "name",
    "status": "status",
    "size": "size",
    "disk_format": "disk format",
    "container_format": "container format",
    "created_at": "created",
    "updated_at": "updated",
    "id": "id",
}


@dataclass(frozen=True)
class LinkState:
    """How the header reads the connection: still connecting, connected (with the API version once known), failed."""

    connected: bool = False
    failed: bool = False
    api_version: str | None = None


def header_parts(info: SessionInfo | None, link: LinkState) -> Parts:
    """cloud · endpoint host · region · project · user · API version, with the READ-ONLY, PROD and INSECURE badges."""
    parts: Parts = [("ims-tui", "bold $text-accent"), " "]
    parts.append((safe(info.cloud if info else None) or "?", "bold"))
    # The badges come before anything long: at 80 columns the end of the line is what gets cut.
    if info and info.read_only:
        parts += [("  ", ""), (" READ-ONLY ", "bold reverse $text-warning")]
    if info and info.production:
        parts += [("  ", ""), (" PROD ", "bold reverse $text-error")]
    if info and info.insecure:
        parts += [("  ", ""), (" INSECURE TLS ", "bold reverse $text-error")]
    host = urlsplit(info.endpoint).hostname if info and info.endpoint else None
    if host:
        parts += [("  ", ""), (safe(host), "$text-muted")]
    for label, value in (
        ("region", info and info.region),
        ("project", info and info.project),
        ("user", info and info.user),
    ):
        if value:
            parts += [("  ", ""), (f"{label} ", "$text-muted"), safe(value)]
    if link.api_version:
        parts += [("  ", ""), (f"API {safe(link.api_version)}", "$text-muted")]
    elif link.failed:
        parts += [("  ", ""), ("not connected", "$text-error italic")]
    elif not link.connected:
        parts += [("  ", ""), ("connecting…", "$text-muted italic")]
    return parts


@dataclass
class StatusState:
    """Everything the status line can say; ``build`` decides what fits."""

    loaded: int = 0
    complete: bool = False
    loading_page: int | None = None  # the page number in flight
    reloading: bool = False
    connecting: bool = False
    filters: list[str] = field(default_factory=list)  # in the --filter grammar's words (filter_text.terms)
    view: str | None = None  # the named view the list still is (ui/screens/views.py)
    sort: str = ""
    quick: str | None = None
    quick_matches: int = 0
    error: str | None = None  # one line: the HTTP status, the reason, the request id last (text.error_line)
    error_drop: tuple[str, ...] = ()  # phrases of ``error`` shown elsewhere, left out when it is too long
    retry_hint: str = "r to retry"
    more_hint: str = ""  # the key to the full error ("E details"), shown when there is room
    note: str | None = None  # a screen of one image: what is true of it ("fresh from the server"), not the list
    position: int | None = None
    marked: int = 0  # images marked (ui/marks.py), ...
    marked_unloaded: int = 0  # ... of which this many are not among the loaded rows (after a new sort, further down)
    range_rows: int | None = None  # the rows of a range being marked (V), while it is
    jobs: str | None = None  # IMS jobs still running ("1 job running 40%"), ui/job_watch.py


def status_parts(state: StatusState) -> Parts:
    """The status line when nothing failed: the rows, then marks, jobs, quick filter, view, filter and sort."""
    parts: Parts = []
    if state.note is not None:
        parts.append(safe(state.note))
    elif state.connecting:
        parts.append(("connecting…", "italic"))
    elif state.reloading:
        parts.append(("reloading…", "italic"))
    elif state.loaded == 0 and state.complete:
        parts.append(("no images match" if state.filters else "no images", "bold"))
    elif state.complete:
        parts.append(f"{fmt.plural(state.loaded, 'image')}, all loaded")
    elif state.loading_page is not None:
        if state.loaded:
            parts.append(f"{fmt.count(state.loaded)} loaded, ")
        parts.append((f"loading page {state.loading_page}…", "italic"))
    else:
        parts.append(f"{fmt.count(state.loaded)} loaded, more below")
    parts += marks_parts(state)
    if state.jobs:
        parts.append((f"  {state.jobs}", "bold"))
    if state.quick is not None:
        parts += [
            ("  quick filter: ", "$text-muted"),
            (repr(safe(state.quick)), "bold"),
            f" ({fmt.count(state.quick_matches)} of {fmt.count(state.loaded)} loaded rows)",
        ]
    if state.view is not None:
        parts += [("  view: ", "$text-muted"), (safe(state.view), "bold")]
    if state.filters:
        parts += [("  filter: ", "$text-muted"), safe(" ".join(state.filters))]
    if state.sort:
        parts += [("  sort: ", "$text-muted"), state.sort]
    return parts


def marks_parts(state: StatusState) -> Parts:
    parts: Parts = []
    if state.marked:
        parts.append((f"  {fmt.count(state.marked)} marked", "bold"))
        if state.marked_unloaded:
            parts.append(f" ({fmt.count(state.marked_unloaded)} not loaded)")
    if state.range_rows is not None:
        parts += [("  range: ", "$text-muted"), f"{fmt.plural(state.range_rows, 'row')} (V marks, Esc cancels)"]
    return parts


def sort_text(sort: tuple[tuple[str, str], ...]) -> str:
    """The status line's "sort: created ▼" words for a list's sort (its first key)."""
    if not sort:
        return ""
    key, direction = sort[0]
    return f"{SORT_LABEL.get(key, key)} {'▲' if direction == 'asc' else '▼'}"
