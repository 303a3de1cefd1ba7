"""The two one-line bars: the header (where am I connected, with what rights) and the status line (what is true).

Both are built from ``Content`` parts, never markup strings: cloud names, filters and error messages are data.
"""

from __future__ import annotations

from dataclasses import dataclass

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
from ims_tui.ui.bar_text import LinkState, StatusState, header_parts, status_parts
from ims_tui.ui.text import safe


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
        return Content.assemble(*header_parts(self.info, self.link))


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
        return Content.assemble(*status_parts(state))

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
