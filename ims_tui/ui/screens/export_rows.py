"""Export: the rows the list shows (or the marked ones among them) written to a local file as CSV or JSON Lines.

``ExportScreen`` only asks where, in which format and which fields; ``ExportActions`` (a mixin of ``MainScreen``,
as ``mark_actions.py`` is) picks the rows and writes the file in a worker. What a file holds is
``ui/export_format.py``'s. Nothing is sent to the cloud, so a read-only session may export too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Select, Static

from ims_tui.api.image_rows import ImageRow
from ims_tui.ui import export_format as ex
from ims_tui.ui.format import human_size
from ims_tui.ui.screens.confirm import ConfirmScreen
from ims_tui.ui.screens.transfer_dialogs import _PathDialog
from ims_tui.ui.text import error_line, safe
from ims_tui.ui.widgets.path_field import PathField

if TYPE_CHECKING:
    from ims_tui.api.listing import ImageListing
    from ims_tui.ui.marks import Marks
    from ims_tui.ui.rows import RowView
    from ims_tui.ui.widgets.image_table import ImageTable

FORMATS: list[tuple[str, ex.Format]] = [("CSV", "csv"), ("JSON Lines", "jsonl")]
FIELDS = [("the columns shown", False), ("every attribute of the list", True)]
# Loads every page of the list afresh, telling how many images are in so far; the rows in the list's order.
LoadAll = Callable[[Callable[[int], None]], Awaitable[list[ImageRow]]]


@dataclass(frozen=True)
class ExportPlan:
    path: Path
    kind: ex.Format = "csv"
    every: bool = False  # every attribute a list row holds, not only the columns shown
    overwrite: bool = False
    rows: tuple[ImageRow, ...] | None = None  # every page loaded for the export; None: the rows shown


class ExportScreen(_PathDialog):
    """Dismisses with an ``ExportPlan``, or None. A file already at the path is replaced only after a second
    question."""

    DEFAULT_CSS = """
    ExportScreen .export-choice { height: 1; margin-top: 1; }
    ExportScreen .export-label { width: 9; }
    ExportScreen #export-format { width: 18; }
    ExportScreen #export-fields { width: 34; }
    ExportScreen #export-pages { width: 40; }
    """

    def __init__(self, what: str, *, cwd: Path | None = None, load_all: LoadAll | None = None) -> None:
        field = PathField("images.csv", kind="target", cwd=cwd)
        super().__init__("Export rows", Content(f"Write {what} to a local file"), field, confirm="Export")
        self.load_all = load_all  # given when the server has more pages than are loaded

    def compose_body(self) -> ComposeResult:
        yield from super().compose_body()
        with Horizontal(classes="export-choice"):
            yield Static("format", classes="export-label")
            yield Select(FORMATS, value="csv", allow_blank=False, id="export-format", compact=True)
        with Horizontal(classes="export-choice"):
            yield Static("fields", classes="export-label")
            yield Select(FIELDS, value=False, allow_blank=False, id="export-fields", compact=True)
        if self.load_all is not None:
            with Horizontal(classes="export-choice"):
                yield Static("rows", classes="export-label")
                choices = [("the rows loaded", False), ("every page (loads the rest first)", True)]
                yield Select(choices, value=False, allow_blank=False, id="export-pages", compact=True)

    @property
    def kind(self) -> ex.Format:
        return "jsonl" if self.query_one("#export-format", Select).value == "jsonl" else "csv"

    @on(Select.Changed, "#export-format")
    def _format_changed(self) -> None:
        path_input = self.field.input
        path_input.value = ex.with_extension(path_input.value, self.kind)

    @on(PathField.Changed)
    def _path_changed(self, event: PathField.Changed) -> None:
        there = event.problem is None and event.path.exists()
        self.note("a file of that name is there: Export asks before replacing it" if there else "")

    def action_confirm(self) -> None:
        if self.field.problem:
            self.note(self.field.problem)
            return
        path = self.field.path
        every = self.query_one("#export-fields", Select).value is True
        plan = ExportPlan(path, self.kind, every)
        if not path.exists():
            self._chosen(plan)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._chosen(replace(plan, overwrite=True))
            else:
                self.note("not replaced: choose another name")

        question = Content.assemble("Replace ", (safe(str(path)), "bold"), f" ({human_size(path.stat().st_size)})?")
        self.app.push_screen(ConfirmScreen("Replace the file?", question, confirm="Replace"), answered)

    def _chosen(self, plan: ExportPlan) -> None:
        every_page = self.load_all is not None and self.query_one("#export-pages", Select).value is True
        if every_page:
            self.confirm_button.disabled = True
            self.note("loading the list: 0 images so far (Esc stops)")
            self._load_then_dismiss(plan)
        else:
            self.dismiss(plan)

    @work(group="export-load", exclusive=True)
    async def _load_then_dismiss(self, plan: ExportPlan) -> None:
        assert self.load_all is not None
        try:
            rows = await self.load_all(lambda count: self.note(f"loading the list: {count} images so far (Esc stops)"))
        except Exception as exc:  # an ApiError or a lost connection: said in the dialog, nothing written
            self.confirm_button.disabled = False
            self.note(f"could not load the list: {error_line(exc)}")
            return
        self.dismiss(replace(plan, rows=tuple(rows)))


def plural(count: int, word: str = "row") -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class ExportActions:
    """Mixed into ``MainScreen``; these are the attributes it relies on."""

    marks: Marks
    view: RowView

    if TYPE_CHECKING:
        app: Any

        @property
        def table(self) -> ImageTable: ...
        @property
        def listing(self) -> ImageListing | None: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...

    def export_rows(self) -> tuple[list[ImageRow], str]:
        """The rows an export writes, in the list's order, and how the dialog names them: the marked rows among
        those shown, else every row shown (with a quick filter, only the rows it shows)."""
        shown = self.view.visible
        if self.marks.ids:
            marked = set(self.marks.ids)
            rows = [row for row in shown if row.id in marked]
            return rows, f"the {plural(len(rows), 'marked row')} shown"
        if self.view.filtering:
            return list(shown), f"the {plural(len(shown))} the quick filter shows"
        more = " (more are on the server)" if self._more_pages() else ""
        return list(shown), f"the {plural(len(shown))} loaded{more}"

    def _more_pages(self) -> bool:
        listing = self.listing
        return listing is not None and not listing.complete

    async def _load_all(self, progress: Callable[[int], None]) -> list[ImageRow]:
        """Every image of the list's query, from a listing of its own: the list on screen is left as it is."""
        from ims_tui.api.listing import ImageListing

        shown = self.listing
        assert shown is not None
        fresh = ImageListing(shown.client, shown.query, shown.page_size, native=shown.native)
        while not fresh.complete:
            await fresh.load_next_page()
            progress(len(fresh.rows))
        return fresh.rows

    def action_export(self) -> None:
        rows, what = self.export_rows()
        if not rows:
            self.notify("nothing to export: no rows are shown", severity="warning")
            return
        table = self.table
        shown = table.current_layout().columns  # the chosen columns, or the default set for the width
        fields = ex.fields_for((column.key for column, _ in shown), table.sort_key)

        def chosen(plan: ExportPlan | None) -> None:
            if plan is not None:
                chosen_rows = list(plan.rows) if plan.rows is not None else rows
                self._write_export(plan, chosen_rows, ex.ALL_FIELDS if plan.every else fields)

        # Every page is offered only for the plain list: marks and the quick filter choose among rows loaded.
        load_all = self._load_all if self._more_pages() and not self.marks.ids and not self.view.filtering else None
        self.app.push_screen(ExportScreen(what, cwd=Path.cwd(), load_all=load_all), chosen)

    @work(group="export")
    async def _write_export(self, plan: ExportPlan, rows: list[ImageRow], fields: tuple[str, ...]) -> None:
        def write() -> None:
            text = ex.render([ex.record(row, fields) for row in rows], fields, plan.kind)
            ex.write_file(plan.path, text, overwrite=plan.overwrite)

        where = safe(str(plan.path))
        try:
            await asyncio.to_thread(write)
        except FileExistsError:
            self.notify(f"not written: {where} appeared meanwhile; export again to replace it", severity="warning")
        except OSError as exc:
            self.notify(f"cannot write {where}: {safe(exc.strerror or exc)}", severity="error", timeout=10)
        else:
            self.notify(f"wrote {plural(len(rows))} to {where}")
