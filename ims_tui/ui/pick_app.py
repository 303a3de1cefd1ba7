"""Pick mode (``ims-tui pick``): the main screen, where Enter chooses instead of opening the detail.

Enter on the list chooses the highlighted image (with ``--multi``, the marked ones in marking order, or the
highlighted one when none is marked); Esc cancels once nothing more local is left to clear (marks, a range, the
quick filter); q cancels too. The result is kept on the app (``PickApp.chosen``) for the command line to print
after the terminal is given back (ims_tui/pick.py); every other key does what it does in the browser.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.content import Content

from ims_tui.api.errors import ApiError
from ims_tui.api.image_rows import ImageRow
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.main import MainScreen
from ims_tui.ui.text import error_line
from ims_tui.ui.widgets.status import HeaderBar

PICK_BADGE = " pick: Enter chooses, Esc cancels "


class PickHeader(HeaderBar):
    """The header, with what Enter and Esc do here first: the end of the line is what 80 columns cut."""

    def build(self) -> Content:
        return Content.assemble((PICK_BADGE, "bold reverse $text-accent"), " ", super().build())


class PickScreen(MainScreen):
    """The main screen with Enter choosing and Esc, when nothing is left to clear, cancelling."""

    def compose(self) -> Any:
        for widget in super().compose():
            yield PickHeader(id="header") if type(widget) is HeaderBar else widget

    @property
    def picker(self) -> PickApp:
        app = self.app
        assert isinstance(app, PickApp)
        return app

    def action_open_detail(self) -> None:
        row = self.table.current
        if row is None:
            return
        rows = self._chosen_rows(row)
        if not rows:
            self.notify("this row has no usable image id", title="pick", severity="warning")
            return
        if self.picker.format == "json":
            self._fetch_and_choose([r.id for r in rows])
        else:
            self.picker.choose([{"id": r.id, "name": r.name} for r in rows])

    def _chosen_rows(self, current: ImageRow) -> list[ImageRow]:
        ids = self.marks.ids if self.picker.multi and len(self.marks) else (current.id,)
        loaded = {row.id: row for row in self.view.rows}
        return [loaded[i] for i in ids if i in loaded and loaded[i].actionable]

    @work(group="pick", exclusive=True)
    async def _fetch_and_choose(self, ids: list[str]) -> None:
        client = self.client
        if client is None:
            return
        try:
            images = [(await client.get(image_id)).to_dict() for image_id in ids]
        except ApiError as exc:
            self.notify(error_line(exc), title="pick: could not read the image", severity="error", markup=False)
            return
        self.picker.choose(images)

    def action_back(self) -> bool:
        if not super().action_back():
            self.app.exit()  # nothing chosen: the command line exits 1
        return True


class PickApp(ImsApp):
    """The browser as a chooser: ``chosen`` holds the images picked (None: cancelled). It lives beside app.py:
    Textual finds ``CSS_PATH`` (app.tcss) next to the module of the class that runs."""

    def __init__(self, *args: Any, multi: bool = False, format: str = "id", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.multi = multi
        self.format = format
        self.chosen: list[dict[str, Any]] | None = None

    def _main_screen_class(self) -> type[MainScreen]:
        return PickScreen

    def choose(self, images: list[dict[str, Any]]) -> None:
        self.chosen = images
        self.exit()
