"""The main screen: header, the image list with its detail pane, the quick filter, the status line, the footer.

All I/O runs in workers, one group per job ("connect", "pages", "detail", "versions", "action"); workers post
messages and the handlers here own the UI state. A generation number drops answers to a query no longer shown.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError, NotFound, StaleMarker, Unauthorized
from ims_tui.api.listing import ImageListing
from ims_tui.api.models import Image, ImageRow, ListQuery, newest_version
from ims_tui.api.session import CloudSession, Connection
from ims_tui.config.secrets import PasswordRequired
from ims_tui.ui import keys
from ims_tui.ui.app import ImsApp
from ims_tui.ui.text import error_line, safe
from ims_tui.ui.widgets import SteadyInput
from ims_tui.ui.widgets.detail import DetailView
from ims_tui.ui.widgets.image_table import ImageTable
from ims_tui.ui.widgets.status import HeaderBar, LinkState, StatusLine, StatusState

WIDE = 100  # from this width the detail pane sits beside the list
DETAIL_DEBOUNCE = 0.2  # seconds of stillness before the detail pane asks the server
DETAIL_ROW_DELAY = 0.04  # seconds of stillness before the pane repaints with the list row's data
RELOAD_PAGES = 5  # how far a reload looks for the image that was highlighted
SORT_CYCLE = ("name", "status", "size", "disk_format", "container_format", "created_at", "updated_at")
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
# Text sorts read naturally A to Z; sizes and dates are wanted biggest/newest first.
DEFAULT_DIR = {"name": "asc", "status": "asc", "disk_format": "asc", "container_format": "asc", "id": "asc"}
WRITES = keys.writes("main")
ON_TABLE = ("table", "main", "app")  # the binding chain while the list has the focus, innermost first
ELSEWHERE = ("main", "app")


class Connected(Message):
    def __init__(self, connection: Connection) -> None:
        super().__init__()
        self.connection = connection


class PasswordNeeded(Message):
    """The session has no secret yet (none in any file, variable or command), or the typed one was refused."""

    def __init__(self, prompt: str, error: str | None = None) -> None:
        super().__init__()
        self.prompt = prompt
        self.error = error


class ConnectFailed(Message):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class VersionsLoaded(Message):
    def __init__(self, version: str | None) -> None:
        super().__init__()
        self.version = version


class PageLoaded(Message):
    def __init__(self, generation: int, rows: list[ImageRow], keep_id: str | None, reload: bool) -> None:
        super().__init__()
        self.generation = generation
        self.rows = rows
        self.keep_id = keep_id
        self.reload = reload


class PageFailed(Message):
    def __init__(self, generation: int, error: BaseException, reload: bool) -> None:
        super().__init__()
        self.generation = generation
        self.error = error
        self.reload = reload


class DetailLoaded(Message):
    def __init__(self, image: Image) -> None:
        super().__init__()
        self.image = image


class DetailFailed(Message):
    def __init__(self, image_id: str, error: BaseException) -> None:
        super().__init__()
        self.image_id = image_id
        self.error = error


class MainScreen(Screen[None]):
    """The list of images of one cloud, with everything an operator does to them."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("main")

    def __init__(
        self,
        session: CloudSession,
        *,
        page_size: int = 200,
        now: Callable[[], datetime] | None = None,
        query: ListQuery | None = None,
        can_switch: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self.can_switch = can_switch
        self.page_size = page_size
        self._now = now
        self.client: ImageClient | None = None
        self.listing: ImageListing | None = None
        self.list_query = query or ListQuery(sort=(("created_at", "desc"),))
        if not self.list_query.sort:
            self.list_query = self.list_query.with_changes(sort=(("created_at", "desc"),))
        self.schema: dict[str, Any] | None = None
        self._schema_fetched = False
        self._generation = 0
        self._reloading = False
        self._connect_error: BaseException | None = None
        self._versions_asked = False
        self._page_error: BaseException | None = None
        self._page_worker: Worker[None] | None = None
        self._loading_page: int | None = None
        self._quick: str | None = None
        self._filtered: list[ImageRow] = []
        self._detail_timer: Timer | None = None
        self._pending_detail: str | None = None
        self._fresh: dict[str, Image] = {}
        self.detail_requests = 0

    # -- layout -------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Horizontal(id="body"):
            yield ImageTable(now=self._now, id="images")
            yield DetailView(now=self._now, id="detail")
        # A blinking cursor repaints twice a second: bytes over SSH for nothing.
        yield SteadyInput(placeholder="filter loaded rows by name or id; Enter keeps it, Esc clears", id="quick")
        yield StatusLine(id="status")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def table(self) -> ImageTable:
        return self.query_one("#images", ImageTable)

    @property
    def detail(self) -> DetailView:
        return self.query_one("#detail", DetailView)

    @property
    def read_only(self) -> bool:
        return self.session.info.read_only

    @property
    def wide(self) -> bool:
        return self.size.width >= WIDE

    def on_mount(self) -> None:
        self.query_one(HeaderBar).show(self.session.info)
        self.set_class(self.wide, "-wide")
        self.table.set_sort(*self.list_query.sort[0])
        self.table.focus()
        self._update_status()
        # After the first frame: the header, list frame and footer show before any network or TLS work starts.
        self.call_after_refresh(self._connect)

    def on_resize(self, event: events.Resize) -> None:
        was_wide = self.has_class("-wide")
        self.set_class(self.wide, "-wide")
        if self.wide and not was_wide:
            self._show_detail(self.table.current)

    # -- connecting ---------------------------------------------------------------------------------------

    @work(exclusive=True, group="connect")
    async def _connect(self) -> None:
        session = self.session
        if session.needs_password:
            self.post_message(PasswordNeeded(session.prompt))
            return
        try:
            connection = await session.connect()
        except PasswordRequired as exc:
            self.post_message(PasswordNeeded(exc.prompt))
            return
        except Unauthorized as exc:
            if session.prompted:
                # A typed password that Keystone refused: ask again, saying why, rather than a dead end.
                self.post_message(PasswordNeeded(session.prompt, error_line(exc)))
                return
            self.post_message(ConnectFailed(exc))
            return
        except Exception as exc:  # noqa: BLE001 - config and auth errors of any kind end up on the status line
            self.post_message(ConnectFailed(exc))
            return
        self.post_message(Connected(connection))

    def on_password_needed(self, message: PasswordNeeded) -> None:
        from ims_tui.ui.screens.password import PasswordScreen

        self.table.set_empty_text("waiting for the password…")
        self.app.push_screen(PasswordScreen(message.prompt, message.error), self._password_given)

    def _password_given(self, password: str | None) -> None:
        if password is None:
            self._connect_error = PasswordRequired("not signed in: no password given")
            self.table.set_empty_text("not signed in: r asks for the password again")
            self._update_status()
            return
        self.session.provide_password(password)
        self._connect_error = None
        self.table.set_empty_text("")
        self._update_status()
        self._connect()

    def on_connected(self, message: Connected) -> None:
        self.client = message.connection.client
        self._connect_error = None
        self._schema_fetched = False
        self.listing = ImageListing(self.client, self.list_query, self.page_size)
        # Keystone learns the catalog's endpoint, the region and the names it resolved only now.
        self.query_one(HeaderBar).show(message.connection.info, LinkState(connected=True))
        self._versions_asked = False
        self._reload(keep_id=None)

    def on_connect_failed(self, message: ConnectFailed) -> None:
        self._connect_error = message.error
        self.query_one(HeaderBar).show(link=LinkState(failed=True))
        self.table.set_empty_text(self._error_text(message.error, "could not connect"))
        self._update_status()

    def _error_text(self, error: BaseException, what: str) -> str:
        return f"{what}: {error_line(error)}; {self._retry_hint}"

    @property
    def _retry_hint(self) -> str:
        return "r to retry, p to switch cloud" if self.can_switch else "r to retry"

    def _ask_versions(self) -> None:
        # Only once the first page is in: a small server (or one Glance worker) answers one request at a time,
        # and the header's API version can wait where the first rows cannot (what-if "list_first").
        if not self._versions_asked and self.client is not None:
            self._versions_asked = True
            self._fetch_versions(self.client)

    @work(exclusive=True, group="versions")
    async def _fetch_versions(self, client: ImageClient) -> None:
        try:
            versions = await client.versions()
        except ApiError:
            # Some proxies hide "GET /"; the list still works, the header just cannot name the version.
            self.post_message(VersionsLoaded(None))
            return
        newest = newest_version(versions)
        self.post_message(VersionsLoaded(newest.id.lstrip("vV") if newest else None))

    def on_versions_loaded(self, message: VersionsLoaded) -> None:
        if message.version:
            self.query_one(HeaderBar).show(link=LinkState(connected=True, api_version=f"v{message.version}"))

    # -- paging -------------------------------------------------------------------------------------------

    def _reload(self, keep_id: str | None) -> None:
        """Start the listing over (new query, refresh, retry), keeping ``keep_id`` highlighted if it is found."""
        if self.listing is None:
            return
        self._generation += 1
        self._page_error = None
        self.listing.reset(self.list_query)
        self._reloading = True
        self._loading_page = 1
        self.table.set_loading(True, has_more=True)
        self._page_worker = self._load_pages(self._generation, keep_id, True)
        self._update_status()

    def _load_next(self) -> None:
        if self.listing is None or self.listing.complete or self._page_busy:
            return
        self._page_error = None
        self._loading_page = self.listing.pages_loaded + 1
        self.table.set_loading(True)
        self._page_worker = self._load_pages(self._generation, None, False)
        self._update_status()

    @property
    def _page_busy(self) -> bool:
        worker = self._page_worker
        return worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    @work(exclusive=True, group="pages")
    async def _load_pages(self, generation: int, keep_id: str | None, reload: bool) -> None:
        listing = self.listing
        assert listing is not None
        rows_before = len(listing.rows)
        try:
            await listing.load_next_page()
            pages = 1
            # A reload looks a few pages down for the image that was highlighted, then gives up and shows the top.
            while (
                keep_id is not None
                and listing.position_of(keep_id) is None
                and not listing.complete
                and pages < RELOAD_PAGES
            ):
                await listing.load_next_page()
                pages += 1
        except ApiError as exc:
            self.post_message(PageFailed(generation, exc, reload))
            return
        self.post_message(PageLoaded(generation, listing.rows[rows_before:], keep_id, reload))

    def on_page_loaded(self, message: PageLoaded) -> None:
        if message.generation != self._generation or self.listing is None:
            return
        self._ask_versions()
        listing = self.listing
        self._loading_page = None
        self._page_error = None
        table = self.table
        with self.app.batch_update():
            table.set_ims(self.ims)
            table.set_loading(False, has_more=not listing.complete and self._quick is None)
            if message.reload:
                self._reloading = False
                cursor = listing.position_of(message.keep_id) if message.keep_id else None
                if self._quick is not None:
                    self._filtered = [row for row in listing.rows if row.matches(self._quick)]
                    rows: list[ImageRow] = self._filtered
                    cursor = next((i for i, r in enumerate(rows) if r.id == message.keep_id), None)
                else:
                    rows = listing.rows
                table.set_rows(rows, cursor=cursor or 0)
                table.set_empty_text(self._empty_text())
            elif self._quick is not None:
                self._filtered.extend(row for row in message.rows if row.matches(self._quick))
                table.rows_appended()
            else:
                if table.rows is not listing.rows:
                    table.set_rows(listing.rows)
                else:
                    table.rows_appended()
            self._update_status()
        table.check_near_end()

    def on_page_failed(self, message: PageFailed) -> None:
        if message.generation != self._generation:
            return
        self._ask_versions()
        self._loading_page = None
        self._page_error = message.error
        if message.reload:
            self._reloading = False
            if self.listing is not None:
                self.table.set_rows(self.listing.rows)
            self.table.set_empty_text(self._error_text(message.error, "could not list images"))
        self.table.set_loading(False)
        self._update_status()

    @on(ImageTable.NearEnd)
    def _near_end(self, message: ImageTable.NearEnd) -> None:
        if self._page_error is not None or self._reloading or self._quick is not None:
            return
        self._load_next()

    def _empty_text(self) -> str:
        if self.listing is None or self.listing.rows or not self.listing.complete:
            return ""
        if self.list_query.describe_filters():
            return "no images match the server filter (f to change it, F to clear)"
        return "no images"

    # -- status -------------------------------------------------------------------------------------------

    def _update_status(self) -> None:
        state = StatusState()
        listing = self.listing
        if self._connect_error is not None:
            state.error = error_line(self._connect_error)
            state.retry_hint = self._retry_hint
        elif listing is None:
            state.connecting = True
        else:
            state.loaded = len(listing.rows)
            state.complete = listing.complete and not self._reloading
            state.loading_page = self._loading_page
            state.reloading = self._reloading and bool(self.table.rows)
            if self._page_error is not None:
                state.error = error_line(self._page_error)
        state.filters = self.list_query.describe_filters()
        if self.list_query.sort:
            key, direction = self.list_query.sort[0]
            state.sort = f"{SORT_LABEL.get(key, key)} {'▲' if direction == 'asc' else '▼'}"
        if self._quick is not None:
            state.quick = self._quick
            state.quick_matches = len(self._filtered)
        self.query_one(StatusLine).show(state)

    # -- detail -------------------------------------------------------------------------------------------

    @on(ImageTable.Highlighted)
    def _highlighted(self, message: ImageTable.Highlighted) -> None:
        if not self.wide:
            return
        self._show_detail(message.row)

    def _show_detail(self, row: ImageRow | None) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if row is None:
            self._pending_detail = None
            self.detail.show_row(None)
            return
        self._pending_detail = row.id
        # Repainting the pane costs more than moving the cursor: while a key repeats, only the list moves.
        # The row's data shows once the cursor rests for a moment; the GET follows after a longer pause.
        self._detail_timer = self.set_timer(DETAIL_ROW_DELAY, lambda: self._rest(row))

    def _rest(self, row: ImageRow) -> None:
        if self._pending_detail != row.id:
            return
        cached = self._fresh.get(row.id)
        if cached is not None:
            self.detail.show_image(cached)
        else:
            self.detail.show_row(row)
        if self.client is not None:
            # Holding j over thousands of rows must not send a GET per row: only a pause fetches.
            self._detail_timer = self.set_timer(DETAIL_DEBOUNCE - DETAIL_ROW_DELAY, self.flush_detail)

    def flush_detail(self) -> None:
        """Fetch the pending detail now (the debounce timer calls it; tests call it instead of waiting)."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        image_id, self._pending_detail = self._pending_detail, None
        if image_id is None:
            return
        row = self.table.current
        if row is not None and row.id == image_id and self.detail.image_id != image_id:
            self.detail.show_row(row)
        self._fetch_detail(image_id)

    @work(exclusive=True, group="detail")
    async def _fetch_detail(self, image_id: str) -> None:
        if self.client is None:
            return
        self.detail_requests += 1
        try:
            image = await self.client.get(image_id)
        except ApiError as exc:
            self.post_message(DetailFailed(image_id, exc))
            return
        self.post_message(DetailLoaded(image))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        image = message.image
        self._remember(image)
        if self.detail.image_id == image.id:
            self.detail.show_image(image)
        self._sync_row(image)

    def on_detail_failed(self, message: DetailFailed) -> None:
        if self.detail.image_id != message.image_id:
            return
        if isinstance(message.error, NotFound):
            text = "this image no longer exists (deleted elsewhere?): r reloads the list"
        else:
            text = error_line(message.error)
        current = self.table.current
        self.detail.show_error(current if current and current.id == message.image_id else None, text)

    def _remember(self, image: Image) -> None:
        self._fresh.pop(image.id, None)
        self._fresh[image.id] = image
        while len(self._fresh) > 64:
            self._fresh.pop(next(iter(self._fresh)))

    def _sync_row(self, image: Image) -> None:
        """A fresh GET may show a newer state than the page did (queued -> active): keep the list honest."""
        if self.listing is None:
            return
        row = ImageRow(image)
        position = self.listing.replace(row)
        if position is None:
            return
        if self._quick is not None:
            for index, old in enumerate(self._filtered):
                if old.id == row.id:
                    self._filtered[index] = row
                    position = index
                    break
            else:
                return
        self.table.row_replaced(position)

    @on(ImageTable.Selected)
    def _selected(self, message: ImageTable.Selected) -> None:
        self.action_open_detail()

    def action_open_detail(self) -> None:
        row = self.table.current
        if row is None or self.client is None:
            return
        from ims_tui.ui.screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(self.client, row, self._fresh.get(row.id), now=self._now))

    # -- quick filter -------------------------------------------------------------------------------------

    def action_quick_filter(self) -> None:
        field = self.query_one("#quick", Input)
        field.display = True
        # At once, not via focus()'s call_later: keys typed right after "/" in one burst (a slow SSH link
        # delivers them together) must land in the field, not run list actions.
        self.set_focus(field)

    @on(Input.Changed, "#quick")
    def _quick_changed(self, event: Input.Changed) -> None:
        self._apply_quick(event.value)

    @on(Input.Submitted, "#quick")
    def _quick_submitted(self, event: Input.Submitted) -> None:
        if not event.value:
            self._clear_quick()
        self.table.focus()

    def _apply_quick(self, needle: str) -> None:
        keep = self.table.current
        if not needle:
            if self._quick is None:
                return
            self._quick = None
            rows: list[ImageRow] = self.listing.rows if self.listing else []
        else:
            self._quick = needle
            source = self.listing.rows if self.listing else []
            self._filtered = [row for row in source if row.matches(needle)]
            rows = self._filtered
        cursor = 0
        if keep is not None:
            cursor = next((i for i, row in enumerate(rows) if row.id == keep.id), 0)
        listing = self.listing
        self.table.set_loading(
            self.table.loading, has_more=bool(listing and not listing.complete and self._quick is None)
        )
        self.table.set_empty_text("no loaded rows match" if self._quick is not None else self._empty_text())
        self.table.set_rows(rows, cursor=cursor)
        self._update_status()

    def _clear_quick(self) -> None:
        field = self.query_one("#quick", Input)
        if field.value:
            field.value = ""  # Changed restores the full list
        self._apply_quick("")
        field.display = False

    def on_key(self, event: events.Key) -> None:
        field = self.query_one("#quick", Input)
        if event.key == "escape" and field.has_focus:
            event.stop()
            self._clear_quick()
            self.table.focus()
            return
        if event.key == "down" and field.has_focus:
            event.stop()
            self.table.focus()
            return
        on_table = self.focused is self.table
        bound = self._keymap.bound(event.key, ON_TABLE if on_table else ELSEWHERE)
        if on_table and bound is not None and bound.action == "quick_filter":
            # Open the field now rather than through the binding, which runs only after the keys already
            # queued: over a slow link "/rocky" arrives in one burst, and "r" must not reload the list.
            event.stop()
            event.prevent_default()
            self.action_quick_filter()
            return
        if self.focused is field and event.is_printable and event.character:
            # A key of that burst, still addressed to the list (the field itself never lets a printable key
            # bubble up here): it is filter text.
            event.stop()
            event.prevent_default()
            field.insert_text_at_cursor(event.character)
            return
        if self.read_only and bound is not None and bound.writes:
            event.stop()
            self.notify("read-only: changes are disabled for this session", title="read-only", severity="warning")

    @property
    def _keymap(self) -> keys.Keymap:
        app = self.app
        return app.keymap if isinstance(app, ImsApp) else keys.Keymap()

    def action_back(self) -> None:
        if self._quick is not None or self.query_one("#quick", Input).display:
            self._clear_quick()
            self.table.focus()

    # -- sort and server filter ---------------------------------------------------------------------------

    def set_sort(self, key: str, direction: str | None = None) -> None:
        direction = direction or DEFAULT_DIR.get(key, "desc")
        self.list_query = self.list_query.with_changes(sort=((key, direction),))
        self.table.set_sort(key, direction)
        self._reload(keep_id=self._current_id())

    def action_cycle_sort(self) -> None:
        current = self.list_query.sort[0][0] if self.list_query.sort else "created_at"
        index = SORT_CYCLE.index(current) if current in SORT_CYCLE else -1
        self.set_sort(SORT_CYCLE[(index + 1) % len(SORT_CYCLE)])

    def action_toggle_sort_dir(self) -> None:
        key, direction = self.list_query.sort[0] if self.list_query.sort else ("created_at", "desc")
        self.set_sort(key, "asc" if direction == "desc" else "desc")

    def action_server_filter(self) -> None:
        from ims_tui.ui.screens.filter import FilterScreen

        self.app.push_screen(FilterScreen(self.list_query, ims=self.ims), self._filter_chosen)

    def _filter_chosen(self, query: ListQuery | None) -> None:
        if query is None:
            return
        self.apply_query(query)

    def apply_query(self, query: ListQuery) -> None:
        # The sort belongs to the view, not the filter: it survives Apply and Clear.
        self.list_query = query.with_changes(sort=self.list_query.sort, limit=None)
        self._reload(keep_id=self._current_id())

    def action_clear_filters(self) -> None:
        if not self.list_query.describe_filters():
            self.notify("no server filter is active")
            return
        self.apply_query(ListQuery())

    # -- refresh / retry ----------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        if self.client is None:
            self._connect_error = None
            self.query_one(HeaderBar).show(link=LinkState())
            self.table.set_empty_text("")
            self._update_status()
            self._connect()
            return
        if self._page_error is not None and not isinstance(self._page_error, StaleMarker):
            listing = self.listing
            if listing is not None and listing.started and listing.rows:
                self._load_next()  # retry just the page that failed
                return
        self._fresh.clear()
        self._reload(keep_id=self._current_id())

    def _current_id(self) -> str | None:
        row = self.table.current
        return row.id if row else None

    # -- raw, copy ----------------------------------------------------------------------------------------

    def action_raw(self) -> None:
        row = self.table.current
        if row is None or self.client is None:
            return
        from ims_tui.ui.screens.raw import RawScreen

        self.app.push_screen(RawScreen(self.client, row.id, row.name or ""))

    def action_copy_id(self) -> None:
        row = self.table.current
        if row is None:
            return
        from ims_tui.ui.clipboard import copy_text

        copy_text(self.app, row.id, what="image ID")

    # -- create, edit, delete -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITES and self.read_only:
            return False
        if action in ("edit", "delete", "raw", "copy_id") and self.table.current is None:
            return None  # shown but dimmed: there is no image to act on yet
        return True

    @property
    def ims(self) -> bool:
        if self.session.info.ims is not None:
            return bool(self.session.info.ims)
        rows = self.listing.rows[:50] if self.listing else []
        return any(row.image_type for row in rows)

    def action_create(self) -> None:
        if self.read_only or self.client is None:
            return
        self._open_form("create", None)

    def action_edit(self) -> None:
        row = self.table.current
        if self.read_only or self.client is None or row is None:
            return
        self._open_form("edit", row.id)

    def action_delete(self) -> None:
        row = self.table.current
        if self.read_only or self.client is None or row is None:
            return
        self._open_delete(row.id)

    @work(exclusive=True, group="action")
    async def _open_form(self, mode: str, image_id: str | None) -> None:
        try:
            from ims_tui.ui.screens.image_form import ImageFormScreen
        except ImportError:
            self.notify("the image form is not available in this build", severity="error")
            return
        client = self.client
        assert client is not None
        if not self._schema_fetched:
            # Once per connection: the form validates against what this server accepts. No schema is fine.
            with contextlib.suppress(ApiError):
                self.schema = await client.schema()
            self._schema_fetched = True
        image: Image | None = None
        if image_id is not None:
            image = await self._fetch_for_action(image_id)
            if image is None:
                return
        screen = ImageFormScreen(client, mode=mode, image=image, schema=self.schema, ims=self.ims)  # type: ignore[arg-type]
        callback = self._created if mode == "create" else self._edited
        self.app.push_screen(screen, callback)

    @work(exclusive=True, group="action")
    async def _open_delete(self, image_id: str) -> None:
        try:
            from ims_tui.ui.screens.delete import DeleteImageScreen
        except ImportError:
            self.notify("the delete dialog is not available in this build", severity="error")
            return
        image = await self._fetch_for_action(image_id)
        if image is None or self.client is None:
            return
        self.app.push_screen(DeleteImageScreen(self.client, image), self._deleted)

    async def _fetch_for_action(self, image_id: str) -> Image | None:
        assert self.client is not None
        try:
            image = await self.client.get(image_id)
        except NotFound:
            self.notify("that image no longer exists; removed from the list", severity="warning")
            self._drop_row(image_id)
            return None
        except ApiError as exc:
            self.notify(error_line(exc), severity="error", markup=False)
            return None
        self._remember(image)
        return image

    def _created(self, image: Image | None) -> None:
        if image is None or self.listing is None:
            return
        self._remember(image)
        row = ImageRow(image)
        self.listing.insert(row, 0)
        if self._quick is not None:
            self._filtered.insert(0, row)
        self.table.rows_changed()
        self.table.move_to(0)
        self.table.set_empty_text("")
        self._update_status()
        self.notify(f"created {safe(image.name or image.id)}", markup=False)

    def _edited(self, image: Image | None) -> None:
        if image is None:
            return
        self._remember(image)
        self._sync_row(image)
        if self.detail.image_id == image.id:
            self.detail.show_image(image)
        self.notify(f"saved {safe(image.name or image.id)}", markup=False)

    def _deleted(self, image_id: str | None) -> None:
        if image_id is None:
            return
        self._drop_row(image_id)
        self.notify(f"deleted {safe(image_id)}", markup=False)

    def _drop_row(self, image_id: str) -> None:
        self._fresh.pop(image_id, None)
        if self.listing is None:
            return
        self.listing.remove(image_id)
        if self._quick is not None:
            self._filtered[:] = [row for row in self._filtered if row.id != image_id]
        self.table.rows_changed()
        self.table.set_empty_text(self._empty_text())
        self._update_status()

    # -- command palette ----------------------------------------------------------------------------------

    def palette_commands(self) -> Iterable[SystemCommand]:
        for key in SORT_CYCLE:
            label = SORT_LABEL[key]
            yield SystemCommand(
                f"Sort by {label}", f"Sort the list by {label} on the server", lambda k=key: self.set_sort(k)
            )
        yield from keys.commands(self.app, self._keymap, {"main": self, "table": self.table})
