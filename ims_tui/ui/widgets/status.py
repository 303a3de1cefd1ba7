"""The two one-line bars: the header (where am I connected, with what rights) and the status line (what is true).

Both are built from ``Content`` parts, never markup strings: cloud names, filters and error messages are data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from rich.cells import cell_len
from textual import on, work
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError
from ims_tui.api.models import newest_version
from ims_tui.api.session import SessionInfo
from ims_tui.ui import format as fmt
from ims_tui.ui.text import safe

Part = tuple[str, str]


@dataclass(frozen=True)
class LinkState:
    """How the header reads the connection: still connecting, connected (with the API version once known), failed."""

    connected: bool = False
    failed: bool = False
    api_version: str | None = None


class HeaderBar(Static):
    """cloud · endpoint host · region · project · user · API version, with READ-ONLY and INSECURE TLS badges.

    ``ask_version`` asks the server for its newest API version in a worker (group "versions").
    """

    DEFAULT_CSS = """
    HeaderBar { height: 1; width: 1fr; background: $panel; color: $foreground; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.info: SessionInfo | None = None
        self.link = LinkState()

    def show(self, info: SessionInfo | None = None, link: LinkState | None = None) -> None:
        """Show a new connection info, a new link state, or both; what is not given stays."""
        self.info = info or self.info
        self.link = link or self.link
        self.update(self.build())

    @dataclass
    class _Version(Message, bubble=False):
        version: str

    @work(exclusive=True, group="versions")
    async def ask_version(self, client: ImageClient) -> None:
        try:
            newest = newest_version(await client.versions())
        except ApiError:
            return  # some proxies hide "GET /": the list still works, the header just cannot name the version
        if newest is not None:
            self.post_message(self._Version(newest.id.lstrip("vV")))

    @on(_Version)
    def _version(self, message: _Version) -> None:
        self.show(link=LinkState(connected=True, api_version=f"v{message.version}"))

    def build(self) -> Content:
        info, link = self.info, self.link
        parts: list[str | tuple[str, str]] = [("ims-tui", "bold $text-accent"), " "]
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
        return Content.assemble(*parts)


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


class StatusLine(Widget):
    """One line that says what is true: how many rows, what is loading, which filters, or what failed.

    An error reads status first and keeps its retry hint at the right end at any width: the reason is what gets
    cut (``format.fit_error``), never the status or the hint. The marks count comes right after the row count, so
    80 columns cut the filters and the sort before it; beside an error it shows only where the reason keeps its room.
    """

    DEFAULT_CSS = """
    StatusLine { height: 1; width: 1fr; background: $panel; color: $foreground; padding: 0 1; }
    StatusLine.-error { background: $error-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state = StatusState(connecting=True)

    def show(self, state: StatusState) -> None:
        self.state = state
        self.set_class(bool(state.error), "-error")
        self.refresh()

    def render(self) -> Content:
        return self.build(self.state, self.content_region.width or 78)

    @staticmethod
    def build(state: StatusState, width: int = 78) -> Content:
        if state.error:
            return StatusLine._error(state, width)
        parts: list[str | tuple[str, str]] = []
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
        parts += StatusLine._marks(state)
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
        return Content.assemble(*parts)

    @staticmethod
    def _marks(state: StatusState) -> list[str | tuple[str, str]]:
        parts: list[str | tuple[str, str]] = []
        if state.marked:
            parts.append((f"  {fmt.count(state.marked)} marked", "bold"))
            if state.marked_unloaded:
                parts.append(f" ({fmt.count(state.marked_unloaded)} not loaded)")
        if state.range_rows is not None:
            parts += [("  range: ", "$text-muted"), f"{fmt.plural(state.range_rows, 'row')} (V marks, Esc cancels)"]
        return parts

    @staticmethod
    def _error(state: StatusState, width: int) -> Content:
        assert state.error is not None
        hint = state.retry_hint
        more = f" · {state.more_hint}" if state.more_hint else ""
        room = width - cell_len(hint) - 2  # two spaces between the error and the hint
        if room - cell_len(more) >= fmt.MIN_REASON:
            hint, room = hint + more, room - cell_len(more)
        marked = f"{fmt.count(state.marked)} marked · " if state.marked else ""
        if marked and room - cell_len(marked) >= fmt.MIN_REASON:
            hint, room = marked + hint, room - cell_len(marked)
        text = fmt.fit_error(safe(state.error), room, state.error_drop)
        gap = " " * max(2, width - cell_len(text) - cell_len(hint))
        return Content.assemble((text, "bold"), gap, (hint, "bold"))
