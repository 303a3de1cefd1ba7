"""Full-screen detail of one image: what Enter opens (and the only detail on terminals under 100 columns)."""

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
from ims_tui.api.models import Image, ImageRow
from ims_tui.ui import keys
from ims_tui.ui.text import error_line, safe
from ims_tui.ui.widgets.detail import DetailView


class DetailScreen(Screen[None]):
    """Every attribute of one image, fetched fresh; Esc goes back to the list."""

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
    ) -> None:
        super().__init__()
        self.client = client
        self.row = row
        self.image = image
        self._now = now

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-title", classes="title-bar", markup=False)
        yield DetailView(now=self._now, id="detail-full")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#detail-title", Static).update(safe(self.row.name or self.row.id))
        view = self.query_one(DetailView)
        if self.image is not None:
            view.show_image(self.image)
        else:
            view.show_row(self.row)
        view.focus()
        self._fetch()

    @work(exclusive=True, group="detail-screen")
    async def _fetch(self) -> None:
        view = self.query_one(DetailView)
        try:
            image = await self.client.get(self.row.id)
        except NotFound:
            view.show_error(self.row, "this image no longer exists (deleted elsewhere?)")
            return
        except ApiError as exc:
            view.show_error(self.image or self.row, error_line(exc))
            return
        self.image = image
        view.show_image(image)

    def action_back(self) -> None:
        self.dismiss()

    def action_refresh(self) -> None:
        self._fetch()

    def action_scroll_down(self) -> None:
        self.query_one(DetailView).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one(DetailView).scroll_up(animate=False)

    def action_raw(self) -> None:
        from ims_tui.ui.screens.raw import RawScreen

        self.app.push_screen(RawScreen(self.client, self.row.id, self.row.name or ""))

    def action_copy_id(self) -> None:
        from ims_tui.ui.clipboard import copy_text

        copy_text(self.app, self.row.id, what="image ID")
