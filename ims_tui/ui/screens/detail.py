"""Full-screen detail of one image: what Enter opens (and the only detail on terminals under 100 columns), with
its import tasks on servers that list them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError, NotFound
from ims_tui.api.features import ServerFeatures
from ims_tui.api.image_rows import ImageRow
from ims_tui.api.models import Image
from ims_tui.ui import keys
from ims_tui.ui.bar_text import StatusState
from ims_tui.ui.screens.error import ErrorReport, ErrorReported
from ims_tui.ui.text import error_line, safe
from ims_tui.ui.widgets.detail import DetailView
from ims_tui.ui.widgets.status import StatusLine
from ims_tui.ui.widgets.task_rows import TaskList, read_tasks

GONE = "this image no longer exists (deleted elsewhere): Esc goes back to the list, which drops it"


class DetailScreen(Screen[str | None]):
    """Every attribute of one image, fetched fresh; Esc goes back to the list.

    Dismisses with the image's id if the server said it is gone (the list drops the row), else None. The status
    line says where what is shown comes from, or what failed (status first, ``r`` to retry).
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("detail")

    DEFAULT_CSS = """
    DetailScreen #detail-title { text-style: bold; }
    DetailScreen DetailView { height: 1fr; }
    """

    def __init__(
        self,
        client: ImageClient,
        row: ImageRow,
        image: Image | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        features: ServerFeatures | None = None,
    ) -> None:
        """``features``: what the server can do, when known; a server that lists an image's tasks gets them
        read and shown (why an import failed) each time this screen reads the image."""
        super().__init__()
        self.client = client
        self.features = features
        self.row = row
        self.image = image
        self.gone = False
        self._now = now

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-title", classes="title-bar", markup=False)
        yield DetailView(now=self._now, id="detail-full")
        yield StatusLine(id="detail-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#detail-title", Static).update(safe(self.row.name or self.row.id))
        view = self.query_one(DetailView)
        if self.image is not None:
            view.show_image(self.image)
        else:
            view.show_row(self.row)
        view.focus()
        self.action_refresh()

    def _status(self, state: StatusState) -> None:
        self.query_one(StatusLine).show(state)

    def action_refresh(self) -> None:
        if not self.row.actionable:
            self._status(StatusState(note="from the list page: this entry has no id, so it cannot be read again"))
            return
        self._status(StatusState(note="fetching…" if self.image is None else "shown from the list's copy; fetching…"))
        self._fetch()

    @work(exclusive=True, group="detail-screen")
    async def _fetch(self) -> None:
        view = self.query_one(DetailView)
        try:
            image = await self.client.get(self.row.id)
        except NotFound:
            self.gone = True
            view.show_error(self.row, GONE)
            self._status(StatusState(note="gone: the server has no image with this id"))
            return
        except ApiError as exc:
            self.post_message(ErrorReported(ErrorReport(f"could not read image {self.row.id}", exc)))
            view.show_error(self.image or self.row, f"could not read it again; shown: the last copy\n{error_line(exc)}")
            self._status(StatusState(error=error_line(exc), more_hint="E details"))
            return
        self.image = image
        view.show_image(image)
        self._status(StatusState(note="fresh from the server"))
        if self.features is not None and self.features.has("tasks"):
            view.show_tasks(TaskList(image.id))  # "reading…": the image shows meanwhile
            view.show_tasks(await read_tasks(self.client, image.id))

    def watched(self, image: Image) -> None:
        """The list's live watch read this image again (an import going on): show it, and its tasks anew."""
        if image.id != self.row.id or self.gone:
            return
        changed = self.image is None or self.image.updated_at != image.updated_at
        self.image = image
        self.query_one(DetailView).show_image(image)
        if changed and self.features is not None and self.features.has("tasks"):
            self._reread_tasks(image.id)

    @work(exclusive=True, group="detail-screen-tasks")
    async def _reread_tasks(self, image_id: str) -> None:
        self.query_one(DetailView).show_tasks(await read_tasks(self.client, image_id))

    def action_back(self) -> None:
        self.dismiss(self.row.id if self.gone else None)

    def action_scroll_down(self) -> None:
        self.query_one(DetailView).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one(DetailView).scroll_up(animate=False)

    def action_raw(self) -> None:
        from ims_tui.ui.screens.raw import RawScreen

        self.app.push_screen(RawScreen(self.client, self.row))

    def action_copy_id(self) -> None:
        from ims_tui.ui.clipboard import copy_text

        if not self.row.actionable:
            self.notify("this entry has no id (the server sent it without one): nothing to copy", severity="warning")
            return
        copy_text(self.app, self.row.id, what="image ID")
