"""The request log screen (``L``): every request of this session, newest first, live while it is open.

It reads ``api/request_log.py``'s ``RequestLog`` and draws nothing when closed: while open, a timer looks at the
log's ``version`` four times a second and redraws only when it changed, keeping the highlighted request where it
is. ``/`` filters (method, path, status, host, request id), Enter opens one request in full, ``c`` copies its
request id (for a support ticket), Esc clears the filter, then closes.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, ClassVar

from rich.cells import cell_len
from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from ims_tui.api.request_log import RequestEntry, RequestLog
from ims_tui.ui import keys, request_rows
from ims_tui.ui.format import plural
from ims_tui.ui.widgets import SteadyInput

REFRESH_EVERY = 0.25  # seconds: at most four redraws a second while requests arrive, none while none do


def copy_request_id(screen: Screen[Any], entry: RequestEntry | None) -> None:
    from ims_tui.ui.clipboard import copy_text

    if entry is None:
        return
    if not entry.request_id:
        screen.notify("the server sent no request id for this request", title="copy request id", markup=False)
        return
    copy_text(screen.app, entry.request_id, what="request id")


class RequestEntryScreen(ModalScreen[None]):
    """One request in full: the whole path, the request id, the error; c copies the request id."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("request_entry")
    DEFAULT_CLASSES = "dialog-screen"
    DEFAULT_CSS = """
    RequestEntryScreen > .dialog { width: 78; max-height: 100%; border: round $primary; }
    RequestEntryScreen.-failed > .dialog { border: round $error; }
    RequestEntryScreen #entry-body { height: auto; }
    """

    def __init__(self, entry: RequestEntry, tz: tzinfo | None = None) -> None:
        super().__init__()
        self.entry = entry
        self.tz = tz

    def compose(self) -> ComposeResult:
        self.set_class(self.entry.failed, "-failed")
        with VerticalScroll(classes="dialog") as scroll:
            scroll.border_title = "Request failed" if self.entry.failed else "Request"
            scroll.border_subtitle = "c copies the request id · Esc closes"
            yield Static(request_rows.full(self.entry, self.tz), id="entry-body", markup=False)

    def action_close(self) -> None:
        self.dismiss()

    def action_copy(self) -> None:
        copy_request_id(self, self.entry)


class RequestLogScreen(Screen[None]):
    """The requests of this session, newest first; failures marked ``!`` (and coloured)."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("request_log")
    DEFAULT_CSS = """
    RequestLogScreen #log-title { height: 1; background: $panel; padding: 0 1; }
    RequestLogScreen #log-columns { height: 1; color: $text-muted; padding: 0 1; }
    RequestLogScreen #log-list { height: 1fr; border: none; padding: 0 1; }
    RequestLogScreen #log-filter { display: none; height: 1; border: none; padding: 0 1; }
    RequestLogScreen #log-filter.-open { display: block; }
    """

    def __init__(self, log: RequestLog, *, tz: tzinfo | None = None) -> None:
        super().__init__()
        self.requests = log
        self.tz = tz  # None: the machine's local time
        self.needle = ""
        self._shown_version = -1
        self._shown_width = -1
        self._shown_needle: str | None = None
        self._entries: dict[str, RequestEntry] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="log-title", markup=False)
        yield Static("", id="log-columns", markup=False)
        yield OptionList(id="log-list", markup=False)
        yield SteadyInput(placeholder="filter: method, path, status, host or request id; Esc clears", id="log-filter")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def options(self) -> OptionList:
        return self.query_one("#log-list", OptionList)

    @property
    def field(self) -> SteadyInput:
        return self.query_one("#log-filter", SteadyInput)

    def on_mount(self) -> None:
        self.options.focus()
        self.redraw()
        self.set_interval(REFRESH_EVERY, self._poll)

    def on_resize(self, event: events.Resize) -> None:
        self.redraw()

    def _poll(self) -> None:
        if self.requests.version != self._shown_version:
            self.redraw()

    @property
    def _line_width(self) -> int:
        return max(request_rows.FIXED + request_rows.MIN_PATH, self.options.content_region.width - 1)

    def redraw(self) -> None:
        """Show the log as it is now, the same request highlighted."""
        width = self._line_width
        if self.requests.version == self._shown_version and width == self._shown_width and not self._filter_changed:
            return
        self._shown_version, self._shown_width = self.requests.version, width
        options = self.options
        keep = self.highlighted
        needle = self.needle.lower()
        entries = [entry for entry in self.requests.newest_first() if not needle or entry.matches(needle)]
        self._entries = {str(entry.number): entry for entry in entries}
        options.clear_options()
        options.add_options([self._option(entry, width) for entry in entries])
        if entries:
            index = next((i for i, entry in enumerate(entries) if entry is keep), 0)
            options.highlighted = index
        self._shown_needle = self.needle
        columns = request_rows.line(request_rows.titles(), width)
        self.query_one("#log-columns", Static).update(columns)
        self.query_one("#log-title", Static).update(self._title(entries))

    @property
    def _filter_changed(self) -> bool:
        return self._shown_needle != self.needle

    def _option(self, entry: RequestEntry, width: int) -> Option:
        text = request_rows.line(request_rows.cells(entry, self.tz), width)
        style = "$text-error" if entry.failed else ("$text-muted" if not entry.done else "")
        return Option(Content.styled(text, style) if style else Content(text), id=str(entry.number))

    def _title(self, shown: list[RequestEntry]) -> Content:
        total = len(self.requests)
        failed = sum(1 for entry in shown if entry.failed)
        words = f"Requests: {plural(total, 'request')}" if not self.needle else f"Requests: {len(shown)} of {total}"
        if failed:
            words += f", {failed} failed (!)"
        hint = " · newest first · / filter · Enter opens · c copies the id"
        if cell_len(words + hint) > self._line_width:
            hint = " · newest first"
        return Content.assemble((words, "bold"), (hint, "$text-muted"))

    @property
    def highlighted(self) -> RequestEntry | None:
        index = self.options.highlighted
        if index is None:
            return None
        option = self.options.get_option_at_index(index)
        return self._entries.get(option.id or "")

    # keys

    def on_key(self, event: events.Key) -> None:
        field = self.field
        if not field.has_focus and event.key == "slash":
            # At once, not through the binding: "/get" arriving in one burst must land in the field.
            event.stop()
            event.prevent_default()
            self.action_filter()
            return
        field.catch(event)

    def action_filter(self) -> None:
        field = self.field
        field.add_class("-open")
        self.set_focus(field)

    @on(Input.Changed, "#log-filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        self.needle = event.value.strip()
        self.redraw()

    @on(Input.Submitted, "#log-filter")
    def _filter_kept(self, event: Input.Submitted) -> None:
        if not event.value:
            self.field.remove_class("-open")
        self.options.focus()

    def action_back(self) -> None:
        field = self.field
        if field.has_focus or self.needle:
            field.value = ""  # Changed shows every request again
            self.needle = ""
            field.remove_class("-open")
            self.options.focus()
            self.redraw()
            return
        self.dismiss()

    @on(OptionList.OptionSelected, "#log-list")
    def _chosen(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        entry = self.highlighted
        if entry is not None:
            self.app.push_screen(RequestEntryScreen(entry, self.tz))

    def action_copy(self) -> None:
        copy_request_id(self, self.highlighted)

    def action_cursor_down(self) -> None:
        self.options.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.options.action_cursor_up()
