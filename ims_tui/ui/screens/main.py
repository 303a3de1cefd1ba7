"""The main screen: header, the image list with its detail pane, the quick filter, the status line, the footer.

The screen lays them out and meets the list's keys, paging, sort, the server filter and the actions. Small owners
keep the rest: ``RowView`` (ui/rows.py) what the list shows, ``PageLoader`` (ui/page_loader.py) paging and its
generation number, ``DetailPane`` the detail and its fetches, ``SessionGate`` connecting, ``HeaderBar`` the API
version. All I/O runs in their workers; workers post messages and the handlers own the state. The create/edit
form and the delete dialog open at once and read what they need themselves.

About 700 lines, still over the ~400 a module should have: every action on one image or many lives in a
mixin of its own (``data_actions``, ``mark_actions``, ``sharing``, ``bulk_actions``, ``editor_edit``,
``job_actions``, ``ims_actions``, ``ims_obs_actions``, ``export_rows``, ``column_actions``, ``views``: the screen
is one, so they are its bases, ~35 of the lines); what remains is
where the list's keys, quick filter, sort, server filter, the live watch's rows and the write actions meet the
table and the status line, each a few short handlers that read and write the same view, table and loader. The
next split is the watch's three handlers and ``_saved``/``_gone`` (the row updates) into a small owner of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError, host_of
from ims_tui.api.features import ServerFeatures
from ims_tui.api.filter_text import terms as filter_terms
from ims_tui.api.image_rows import ImageRow
from ims_tui.api.imports import import_state
from ims_tui.api.ims_filters import session_is_ims
from ims_tui.api.listing import ImageListing
from ims_tui.api.models import Image, ListQuery
from ims_tui.api.session import CloudSession
from ims_tui.config.secrets import PasswordRequired
from ims_tui.ui import keys
from ims_tui.ui.app import keymap_of
from ims_tui.ui.bar_text import SORT_LABEL, LinkState, StatusState, sort_text
from ims_tui.ui.columns import WIDE
from ims_tui.ui.image_watch import ImageWatch
from ims_tui.ui.job_watch import JobTracker
from ims_tui.ui.marks import Marks
from ims_tui.ui.page_loader import PageLoader
from ims_tui.ui.rows import NONE, Change, RowView
from ims_tui.ui.schema_cache import SchemaCache
from ims_tui.ui.screens.bulk_actions import BulkActions
from ims_tui.ui.screens.column_actions import ColumnActions
from ims_tui.ui.screens.data_actions import DataActions
from ims_tui.ui.screens.editor_edit import EditorActions
from ims_tui.ui.screens.error import ErrorReport, ErrorReported
from ims_tui.ui.screens.export_rows import ExportActions
from ims_tui.ui.screens.ims_actions import ImsActions
from ims_tui.ui.screens.ims_obs_actions import ImsObsActions
from ims_tui.ui.screens.job_actions import JobActions
from ims_tui.ui.screens.mark_actions import MarkActions
from ims_tui.ui.screens.sharing import SharingActions
from ims_tui.ui.screens.views import ViewActions
from ims_tui.ui.session_gate import SessionGate
from ims_tui.ui.text import error_line, safe
from ims_tui.ui.transfers import TransferPanel
from ims_tui.ui.widgets import SteadyInput
from ims_tui.ui.widgets.detail import DetailPane
from ims_tui.ui.widgets.image_table import ImageTable
from ims_tui.ui.widgets.status import HeaderBar, StatusLine

SORT_CYCLE = ("name", "status", "size", "disk_format", "container_format", "created_at", "updated_at")
# Text sorts read naturally A to Z; sizes and dates are wanted biggest/newest first.
DEFAULT_DIR = {"name": "asc", "status": "asc", "disk_format": "asc", "container_format": "asc", "id": "asc"}
WRITES = keys.writes("main")
IMS_ONLY = keys.ims_only("main")
ON_TABLE = ("table", "main", "app")  # the binding chain while the list has the focus, innermost first
ELSEWHERE = ("main", "app")


class MainScreen(
    DataActions,
    MarkActions,
    SharingActions,
    BulkActions,
    EditorActions,
    JobActions,
    ImsActions,
    ImsObsActions,
    ExportActions,
    ColumnActions,
    ViewActions,
    Screen[None],
):
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
        columns: tuple[str, ...] | None = None,
        first_page: int | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self._columns = columns  # the config's [ui] or profile columns (checked there); None: the default set
        self.can_switch = can_switch
        self.page_size = page_size
        self.first_page = first_page  # the first request of a query: sized to the screen (api/listing.py)
        self._now = now
        self.client: ImageClient | None = None
        self.schema: SchemaCache | None = None  # one per connection: the form asks it, never waits on it
        self.pages = PageLoader()
        self.image_watch = ImageWatch()
        self.job_tracker = JobTracker()  # IMS jobs (screens/job_actions.py)
        self.features: ServerFeatures | None = None  # asked once the first page is in
        self.view = RowView()
        self.marks = Marks()
        self._absent: tuple[tuple[int, int, int], int] = ((-1, -1, -1), 0)  # marks not loaded, by what it depends on
        self.list_query = query or ListQuery(sort=(("created_at", "desc"),))
        if not self.list_query.sort:
            self.list_query = self.list_query.with_changes(sort=(("created_at", "desc"),))
        self._connect_error: BaseException | None = None
        self._versions_asked = False

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Horizontal(id="body"):
            yield ImageTable(now=self._now, marks=self.marks, id="images")
            yield DetailPane(now=self._now, id="detail")
        # A blinking cursor repaints twice a second: bytes over SSH for nothing.
        yield SteadyInput(placeholder="filter loaded rows by name or id; Enter keeps it, Esc clears", id="quick")
        yield TransferPanel(id="transfers")
        yield StatusLine(id="status")
        yield Footer(compact=True, show_command_palette=False)
        yield SessionGate(self.session)
        yield self.pages
        yield self.image_watch
        yield self.job_tracker

    @property
    def listing(self) -> ImageListing | None:
        return self.pages.listing

    @property
    def table(self) -> ImageTable:
        return self.query_one("#images", ImageTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one("#detail", DetailPane)

    @property
    def read_only(self) -> bool:
        return self.session.info.read_only

    @property
    def wide(self) -> bool:
        return self.size.width >= WIDE

    @property
    def ims(self) -> bool:
        return session_is_ims(self.session.info.ims, self.listing.rows if self.listing else [])

    def on_mount(self) -> None:
        self.query_one(HeaderBar).show(self.session.info)
        self.set_class(self.wide, "-wide")
        self.table.set_sort(*self.list_query.sort[0])
        self.apply_columns(self._columns)
        self.detail.member_status = self.member_status_of
        self.detail.kv_tags = self.kv_tags_of
        self.table.focus()
        self._update_status()
        # After the first frame: the header, list frame and footer show before any network or TLS work starts.
        self.call_after_refresh(self.query_one(SessionGate).open)

    def on_resize(self, event: events.Resize) -> None:
        was_wide = self.has_class("-wide")
        self.set_class(self.wide, "-wide")
        if self.wide and not was_wide:
            self.detail.follow(self.table.current)

    def _key(self, binding_id: str) -> str:
        """How the first key of a binding reads now (a keymap may have moved it)."""
        found = self._keymap.keys_of(keys.BY_ID[binding_id])
        return self.app.get_key_display(Binding(found[0], "")) if found else "?"

    @property
    def _retry_hint(self) -> str:
        retry = f"{self._key('main.refresh')} to retry"
        return f"{retry}, {self._key('app.switch_cloud')} to switch cloud" if self.can_switch else retry

    def _failed(self, what: str, error: BaseException) -> str:
        """Report a failure (E shows it in full) and give the list's placeholder for it: every line of it, what
        failed first, the status and the reason, the request id last, then what to do."""
        self.post_message(ErrorReported(ErrorReport(what, error)))
        kind = f": {error.title}" if isinstance(error, ApiError) else ""
        return (
            f"{what}{kind}\n{error_line(error)}\n\n{self._retry_hint} · {self._key('app.last_error')} shows all of it"
        )

    # Connecting (the gate does it; the screen shows how it goes)

    @on(SessionGate.Asking)
    def _asking(self) -> None:
        self.table.set_empty_text("waiting for the password…")

    @on(SessionGate.Answered)
    def _answered(self) -> None:
        self._connect_error = None
        self.table.set_empty_text("")
        self._update_status()

    @on(SessionGate.Connected)
    def _connected(self, message: SessionGate.Connected) -> None:
        self.client = self.detail.client = message.connection.client
        self.schema = SchemaCache(self.client)
        self._connect_error = None
        native = bool(message.connection.info.ims)  # IMS: list through cloudimages (Glance where it cannot)
        self.pages.listing = ImageListing(
            self.client, self.list_query, self.page_size, native=native, first_page=self.first_page
        )
        self.pages.listing.keep = self.kept_fields
        self.image_watch.start(self.client)
        self.job_tracker.start(self.client, message.connection.info.project_id)
        self.features = None
        self.view = RowView(self.pages.listing, self.view.needle)
        # Keystone learns the catalog's endpoint, the region and the names it resolved only now.
        self.query_one(HeaderBar).show(message.connection.info, LinkState(connected=True))
        self._versions_asked = False
        self._reload(keep_id=None)

    @on(SessionGate.Failed)
    def _connect_failed(self, message: SessionGate.Failed) -> None:
        self._connect_error = message.error
        if isinstance(message.error, PasswordRequired):  # the prompt was left with Esc
            self.table.set_empty_text(f"not signed in: {self._key('main.refresh')} asks for the password again")
        else:
            self.query_one(HeaderBar).show(link=LinkState(failed=True))
            self.table.set_empty_text(self._failed("could not connect", message.error))
        self.table.release_held()
        self._update_status()

    def _ask_versions(self) -> None:
        # Only once the first page is in: a small server (or one Glance worker) answers one request at a time,
        # and the header's API version can wait where the first rows cannot (what-if "list_first").
        if not self._versions_asked and self.client is not None:
            self._versions_asked = True
            self.query_one(HeaderBar).ask_version(self.client)
            self.ask_features()

    # Paging (the loader asks; these handlers show what came)

    def _reload(self, keep_id: str | None) -> None:
        """Start the listing over (new query, refresh, retry), keeping ``keep_id`` highlighted if it is found."""
        if self.pages.reload(self.list_query, keep_id):
            self.table.set_loading(True, has_more=True)
            self._update_status()

    def _load_next(self) -> None:
        if self.pages.next():
            self.table.set_loading(True)
            self._update_status()

    @property
    def _has_more(self) -> bool:
        """More pages to ask for: never while the quick filter narrows what is loaded."""
        return self.listing is not None and not self.listing.complete and not self.view.filtering

    def on_main_screen_page_loaded(self, message: PageLoader.PageLoaded) -> None:
        if not self.pages.landed(message):
            return
        self._ask_versions()
        self.image_watch.follow(message.rows)
        table = self.table
        with self.app.batch_update():
            table.set_ims(self.ims)
            table.set_loading(False, has_more=self._has_more)
            if message.reload:
                self.view.reloaded()
                table.set_rows(self.view.visible, cursor=self.view.index_of(message.keep_id) or 0)
                table.set_empty_text(self._empty_text())
            else:
                self._show(self.view.appended(message.rows))
            self._prune_marks()
            self._update_status()
        table.release_held()
        table.check_near_end()

    def on_main_screen_page_failed(self, message: PageLoader.PageFailed) -> None:
        if not self.pages.landed(message):
            return
        self._ask_versions()
        if message.reload:
            self.view.reloaded()
            self.table.set_rows(self.view.visible)
            self.table.set_empty_text(self._failed("could not list images", message.error))
        else:
            self.post_message(ErrorReported(ErrorReport("could not load the next page of images", message.error)))
        self.table.set_loading(False)
        self.table.release_held()
        self._update_status()

    @on(ImageTable.NearEnd)
    def _near_end(self) -> None:
        if self.pages.error is None and not self.pages.reloading and not self.view.filtering:
            self._load_next()

    def _show(self, change: Change) -> None:
        """Bring the table in line with what the row view changed."""
        table = self.table
        if change.kind == "tail":
            if table.rows is self.view.visible:
                table.rows_appended()
            else:
                table.set_rows(self.view.visible)
        elif change.kind == "all":
            table.rows_changed()
        elif change.kind == "row":
            table.row_replaced(change.index)

    def _empty_text(self) -> str:
        if self.listing is None or self.listing.rows or not self.listing.complete:
            return ""
        if self.list_query.describe_filters():
            return "no images match the server filter (f to change it, F to clear)"
        return "no images"

    def _update_status(self) -> None:
        state = StatusState()
        listing, pages = self.listing, self.pages
        error = self._connect_error or (pages.error if listing is not None else None)
        if error is not None:
            state.error = error_line(error)
            state.retry_hint = self._retry_hint
            state.more_hint = f"{self._key('app.last_error')} details"
            # The header names the endpoint: a network error need not say it again where room is short.
            endpoint = self.query_one(HeaderBar).info
            if endpoint is not None and endpoint.endpoint:
                state.error_drop = (f" at {host_of(endpoint.endpoint)}",)
        elif listing is None:
            state.connecting = True
        if listing is not None:
            state.loaded = len(listing.rows)
            state.complete = listing.complete and not pages.reloading
            state.loading_page = pages.loading_page
            state.reloading = pages.reloading and bool(self.table.rows)
        state.filters, state.view = filter_terms(self.list_query), self.view_label()
        state.sort = sort_text(self.list_query.sort)
        if self.view.filtering:
            state.quick = self.view.needle
            state.quick_matches = len(self.view.visible)
        state.marked, state.marked_unloaded, state.range_rows = self._marks_status()
        state.jobs = self.job_tracker.summary()
        self.query_one(StatusLine).show(state)

    # Detail: the pane follows the cursor; the list row follows what the pane fetched

    @on(ImageTable.Highlighted)
    def _highlighted(self, message: ImageTable.Highlighted) -> None:
        if self.wide:
            self.detail.follow(message.row)
        if self.marks.range is not None:
            self._update_status()  # the range's row count

    @on(DetailPane.Fresh)
    def _fresh(self, message: DetailPane.Fresh) -> None:
        self._show(self.view.replace(self.row_of(message.image)))

    @on(DetailPane.Gone)
    def _pane_found_gone(self, message: DetailPane.Gone) -> None:
        self._gone(message.image_id)

    def flush_detail(self) -> None:
        """Fetch the pending detail now rather than after the debounce (tests and screenshots)."""
        self.detail.flush()

    @on(ImageTable.Selected)
    def _selected(self) -> None:
        self.action_open_detail()

    def action_open_detail(self) -> None:
        row = self.table.current
        if row is None or self.client is None:
            return
        from ims_tui.ui.screens.detail import DetailScreen

        screen = DetailScreen(self.client, row, self.detail.cached(row.id), now=self._now, features=self.features)
        self.app.push_screen(screen, self._gone)

    # Quick filter

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
        if self.view.filter(needle) is NONE:
            return
        table = self.table
        table.set_loading(table.loading, has_more=self._has_more)
        table.set_empty_text("no loaded rows match" if self.view.filtering else self._empty_text())
        table.set_rows(self.view.visible, cursor=self.view.index_of(keep.id if keep else None) or 0)
        self._update_status()

    def _clear_quick(self) -> None:
        field = self.query_one("#quick", Input)
        if field.value:
            field.value = ""  # Changed restores the full list
        self._apply_quick("")
        field.display = False

    def on_key(self, event: events.Key) -> None:
        self.image_watch.wake()
        field = self.query_one("#quick", SteadyInput)
        if field.has_focus and event.key in ("escape", "down"):
            event.stop()
            if event.key == "escape":
                self._clear_quick()
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
        if field.catch(event):  # a key of that burst, still addressed to the list: it is filter text
            return
        if self.read_only and bound is not None and bound.writes:
            event.stop()
            self.notify("read-only: changes are disabled for this session", title="read-only", severity="warning")
        elif bound is not None and (self.said_why_not(bound.action) or self.obs_why_not(bound.action)):
            event.stop()  # an action this server or image lacks: a word instead of a key that does nothing

    @property
    def _keymap(self) -> keys.Keymap:
        return keymap_of(self.app)

    def action_back(self) -> bool:
        """Clear the most local thing there is (a range, the marks, a transfer's failure, the quick filter);
        False when there was nothing to clear (pick mode then cancels)."""
        if self._marks_back() or self.transfers.clear_failure():
            return True
        if self.view.filtering or self.query_one("#quick", Input).display:
            self._clear_quick()
            self.table.focus()
            return True
        if self.transfers.running:  # nothing nearer to clear: ask (never stop) as ctrl+x does
            self.ask_stop_transfer(by_escape=True)
            return True
        return False

    # Sort and server filter

    def set_sort(self, key: str, direction: str | None = None) -> None:
        direction = direction or DEFAULT_DIR.get(key, "desc")
        self.list_query = self.list_query.with_changes(sort=((key, direction),))
        self.table.set_sort(key, direction)
        self.remember_list()
        self._reload(keep_id=self._current_id())

    def action_cycle_sort(self) -> None:
        current = self.list_query.sort[0][0] if self.list_query.sort else "created_at"
        cycle = self.sort_choices(SORT_CYCLE)
        index = cycle.index(current) if current in cycle else -1
        self.set_sort(cycle[(index + 1) % len(cycle)])

    def action_toggle_sort_dir(self) -> None:
        key, direction = self.list_query.sort[0] if self.list_query.sort else ("created_at", "desc")
        self.set_sort(key, "asc" if direction == "desc" else "desc")

    def action_server_filter(self) -> None:
        from ims_tui.ui.screens.filter import FilterScreen

        self.app.push_screen(FilterScreen(self.list_query, ims=self.ims), self._filter_chosen)

    def _filter_chosen(self, query: ListQuery | None) -> None:
        if query is not None:
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

    def action_refresh(self) -> None:
        if self.client is None:
            self._connect_error = None
            self.query_one(HeaderBar).show(link=LinkState())
            self.table.set_empty_text("")
            self._update_status()
            self.query_one(SessionGate).open()
        elif self.pages.can_resume:
            self._load_next()  # ask for just the page that failed
        else:
            # A reload, or a failed page the saved position cannot continue from (needs_reload): start over.
            self.detail.forget()
            self.kv_tags_known.clear()  # read again as the images are
            self._reload(keep_id=self._current_id())

    def _current_id(self) -> str | None:
        row = self.table.current
        return row.id if row else None

    # Raw, copy, create, edit, delete

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITES and self.read_only:
            return False
        if action in IMS_ONLY and not self.ims:
            return False
        if not self.data_action_allowed(action) or not self.sharing_allowed(action):
            return False
        if action in ("edit", "edit_in_editor", "delete", "raw", "copy_id") and self.table.current is None:
            return None  # shown but dimmed: there is no image to act on yet
        return True

    def _target(self, verb: str) -> ImageRow | None:
        """The highlighted row if ``verb`` can act on it; a row the server sent broken is refused, saying why."""
        row = self.table.current
        if row is None or self.client is None:
            return None
        if row.problem is not None and (verb != "copy" or not row.actionable):
            why = "it has no id" if not row.actionable else f"its data does not parse ({safe(row.problem)})"
            self.notify(f"cannot {verb} this image: {why}; y shows what the server sent", severity="warning")
            return None
        return row

    def action_raw(self) -> None:
        row = self.table.current
        if row is not None and self.client is not None:
            from ims_tui.ui.screens.raw import RawScreen

            self.app.push_screen(RawScreen(self.client, row), self._gone)

    def action_copy_id(self) -> None:
        row = self._target("copy")
        if row is not None:
            from ims_tui.ui.clipboard import copy_text

            copy_text(self.app, row.id, what="image ID")

    def action_create(self) -> None:
        self._open_form(None)

    def action_edit(self) -> None:
        row = self._target("edit")
        if row is not None:
            self._open_form(row)

    def _open_form(self, row: ImageRow | None) -> None:
        """The form at once: to edit, with the pane's fresh copy if it has one (one read per action), else the
        form reads the image itself; the schema comes when it comes."""
        if self.read_only or self.client is None:
            return
        from ims_tui.ui.screens.image_form import ImageFormScreen

        form = ImageFormScreen(
            self.client,
            "create" if row is None else "edit",
            None if row is None else self.detail.cached(row.id),
            image_id=None if row is None else row.id,
            schema=self.schema,
            ims=self.ims,
        )
        self.app.push_screen(form, lambda image: self._form_saved(form, image, new=row is None))

    def action_delete(self) -> None:
        if self._bulk_instead("delete"):  # rows are marked: the bulk delete, after its plan
            return
        row = self._target("delete")
        if not self.read_only and row is not None and self.client is not None:
            from ims_tui.ui.screens.delete import DeleteImageScreen

            dialog = DeleteImageScreen(self.client, self.detail.cached(row.id), image_id=row.id, name=row.name)
            self.app.push_screen(dialog, self._deleted)

    def _saved(self, image: Image | None, *, new: bool, announce: bool = True) -> None:
        """The server's image after a write: it replaces its row, or comes in at the top (created, or gone from
        the rows loaded now): the list never drops an image that exists."""
        if image is None or self.listing is None:
            return
        self.detail.show_fresh(image)
        self.image_watch.follow_image(image)
        row = self.row_of(image)
        known = self.listing.position_of(row.id) is not None
        self._show(self.view.replace(row) if known else self.view.insert(row, 0))
        index = self.view.index_of(row.id)
        if new and index is not None:  # a quick filter it does not match hides it, like any other row
            self.table.move_to(index)
        self.table.set_empty_text("")
        self._update_status()
        if announce:
            self.notify(f"{'created' if new else 'saved'} {safe(image.name or image.id)}", markup=False)

    def _deleted(self, image_id: str | None) -> None:
        if image_id is not None:
            self._drop_row(image_id)
            self.notify(f"deleted {safe(image_id)}", markup=False)

    def _gone(self, image_id: str | None) -> None:
        """A read found no image ``image_id`` (deleted elsewhere): the list drops it and says so."""
        if image_id is not None and self.listing is not None and self.listing.position_of(image_id) is not None:
            self._drop_row(image_id)
            self.notify(f"{safe(image_id)} no longer exists (deleted elsewhere): removed from the list", markup=False)

    # The live watch (ui/image_watch.py): rows of images in transition change in place

    def on_screen_resume(self) -> None:
        self.image_watch.wake()  # back from a detail screen or a form: the user is here

    @on(ImageWatch.Updated)
    def _watched(self, message: ImageWatch.Updated) -> None:
        if self.listing is None:
            return
        from ims_tui.ui.screens.detail import DetailScreen

        for image in message.images:
            self.detail.show_fresh(image)
            if isinstance(self.app.screen, DetailScreen):  # Enter's full detail follows the import too
                self.app.screen.watched(image)
            if self.listing.position_of(image.id) is not None:
                self._show(self.view.replace(self.row_of(image)))
        self._update_status()

    @on(ImageWatch.Settled)
    def _watch_settled(self, message: ImageWatch.Settled) -> None:
        for settled in message.settled:
            image = settled.image
            name = safe(image.name or image.id)
            if settled.before == image.status:  # an import or copy ended on an image that stayed active
                change = f"{name}: import finished ({safe(import_state(image).words())})"
            else:
                change = f"{name}: {settled.before or '?'} → {safe(image.status or '?')}"
            trouble = image.status in ("killed", "deactivated")
            self.notify(change, severity="warning" if trouble else "information", markup=False)

    @on(ImageWatch.Gone)
    def _watch_gone(self, message: ImageWatch.Gone) -> None:
        for image_id in message.ids:
            self._gone(image_id)

    def _drop_row(self, image_id: str) -> None:
        self._unmark_gone((image_id,))
        self.image_watch.forget(image_id)
        self.detail.forget(image_id)
        if self.listing is None:
            return
        self._show(self.view.remove(image_id))
        self.table.set_empty_text(self._empty_text())
        self._update_status()

    def palette_commands(self) -> Iterable[SystemCommand]:
        for key in self.sort_choices(SORT_CYCLE):
            label = SORT_LABEL[key]
            yield SystemCommand(
                f"Sort by {label}", f"Sort the list by {label} on the server", lambda k=key: self.set_sort(k)
            )
        yield from keys.commands(self.app, self._keymap, {"main": self, "table": self.table})
        yield from self.sharing_commands()
        yield from self.bulk_commands()
        yield from self.column_commands()
        yield from self.view_commands()
