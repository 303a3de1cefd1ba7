"""The main screen's bulk actions: on the marked images, or the highlighted one when nothing is marked.

One flow for every kind: the kind (``b``'s menu, the palette's "Bulk: ...", or ``d`` / ``X`` while rows are
marked), its argument if it takes one, a fresh read of the images (so the plan is made from what the server has
now, not from list rows), the plan (api/bulk.py) on its screen, the run (api/bulk_run.py) with its progress,
then the results, from which "retry" goes round again with the failed images only. After a run the rows take the
server's answers (deleted ones leave the list), done images are unmarked and failed ones stay marked.

A mixin of ``MainScreen``, as ``mark_actions.py`` is. Read-only sessions see none of it: the keys are writes
(``keys.py``) and the palette entries are left out.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import SystemCommand

from ims_tui.api.bulk import KINDS, BulkAction, Kind, Plan, Target, build_plan, offered
from ims_tui.api.bulk_run import DEFAULT_CONCURRENCY, RunResult, read_targets
from ims_tui.api.errors import ApiError
from ims_tui.api.ims_copy import batch_plan
from ims_tui.ui import format as fmt

READS: tuple[Kind, ...] = ("download",)  # the kinds that change nothing on the server: read-only sessions have them
READ_NOTICE = 20  # more images than this take a moment to read before the plan shows: say so

if TYPE_CHECKING:
    from ims_tui.api.client import ImageClient
    from ims_tui.api.features import ServerFeatures
    from ims_tui.api.image_rows import ImageRow
    from ims_tui.api.listing import ImageListing
    from ims_tui.api.models import Image
    from ims_tui.api.session import CloudSession
    from ims_tui.ui.marks import Marks
    from ims_tui.ui.widgets.image_table import ImageTable


class BulkActions:
    """Mixed into ``MainScreen``; these are the attributes it relies on."""

    client: ImageClient | None
    features: ServerFeatures | None
    marks: Marks

    if TYPE_CHECKING:
        app: Any
        session: CloudSession

        @property
        def table(self) -> ImageTable: ...
        @property
        def listing(self) -> ImageListing | None: ...
        @property
        def read_only(self) -> bool: ...
        def _saved(self, image: Image | None, *, new: bool, announce: bool = True) -> None: ...
        def _drop_row(self, image_id: str) -> None: ...
        def _gone(self, image_id: str | None) -> None: ...
        def _unmark_done(self, image_ids: Iterable[str]) -> None: ...
        @property
        def ims(self) -> bool: ...
        def send_member_batch(self, plan: Plan) -> None: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...

    def _bulk_instead(self, action: str) -> bool:
        """``d`` or ``X`` with rows marked: the bulk action on the marks instead of the single one."""
        if not len(self.marks):
            return False
        if action in ("delete", "download"):
            self.start_bulk("delete" if action == "delete" else "download")
        elif action == "toggle_hidden":  # hide, or unhide when the fresh read finds every one hidden
            if not self._bulk_refused():
                self._bulk_read(BulkAction("hide"), self.marks.ids, toggle=True)
        else:
            statuses = {self._row_status(image_id) for image_id in self.marks.ids}
            self.start_bulk("deactivate" if "active" in statuses or None in statuses else "reactivate")
        return True

    def _row_status(self, image_id: str) -> str | None:
        listing = self.listing
        position = listing.position_of(image_id) if listing is not None else None
        return None if listing is None or position is None else listing.rows[position].status

    def action_bulk_menu(self) -> None:
        ids = self._bulk_targets()
        if self._bulk_refused() or not ids:
            return
        from ims_tui.ui.screens.bulk_dialogs import BulkMenuScreen

        def chosen(kind: Kind | None) -> None:
            if kind is not None:
                self.start_bulk(kind)

        menu = BulkMenuScreen(len(ids), marked=bool(len(self.marks)), kinds=self._bulk_kinds())
        self.app.push_screen(menu, chosen)

    def _bulk_kinds(self) -> tuple[Kind, ...]:
        return offered(self.session.info.project_id is not None)

    def bulk_commands(self) -> Iterable[SystemCommand]:
        """The palette's "Bulk: ..." entries, one per kind of api/bulk.py; none in a read-only session."""
        for kind in self._bulk_kinds():
            if self.read_only and kind not in READS:
                continue
            info = KINDS[kind]
            yield SystemCommand(
                f"Bulk: {info.label}",
                f"{info.label.capitalize()}: the marked images (or the highlighted one), after a plan",
                functools.partial(self.start_bulk, kind),
            )

    def start_bulk(self, kind: Kind) -> None:
        if self._bulk_refused(kind) or not self._bulk_targets():
            return
        if not KINDS[kind].argument:
            self._bulk_read(BulkAction(kind), self._bulk_targets())
            return
        from ims_tui.ui.screens.bulk_dialogs import BulkArgumentScreen
        from ims_tui.ui.screens.bulk_folder import BulkFolderScreen

        def answered(argument: tuple[str, ...] | None) -> None:
            if argument is not None:
                self._bulk_read(BulkAction(kind, argument), self._bulk_targets())

        count = len(self._bulk_targets())
        ask = BulkFolderScreen(count, cwd=Path.cwd()) if kind == "download" else BulkArgumentScreen(kind)
        self.app.push_screen(ask, answered)

    def _bulk_refused(self, kind: Kind | None = None) -> bool:
        if self.read_only and kind not in READS:
            self.notify("read-only: changes are disabled for this session", title="read-only", severity="warning")
            return True
        return self.client is None

    def _bulk_targets(self) -> tuple[str, ...]:
        """The marked ids (loaded or not), or the highlighted row's; a row without a real id never."""
        if len(self.marks):
            return self.marks.ids
        row = self.table.current
        return (row.id,) if row is not None and row.actionable else ()

    @work(exclusive=True, group="bulk-read")
    async def _bulk_read(self, action: BulkAction, ids: tuple[str, ...], toggle: bool = False) -> None:
        """Read the images afresh, plan, and show the plan; the run starts only from the plan screen."""
        assert self.client is not None
        names = {row.id: row.name for row in map(self._row_of, ids) if row is not None}
        if len(ids) > READ_NOTICE:
            self.notify(f"reading {fmt.plural(len(ids), 'image')} to plan {action.info.label}…", markup=False)
        targets = await read_targets(self.client, ids, names, concurrency=self._bulk_concurrency())
        found = [target.image for target in targets if target.image is not None]
        if toggle and found and all(image.os_hidden is True for image in found):
            action = BulkAction("unhide")
        features = self.features
        if features is None and action.kind in ("deactivate", "reactivate", "hide", "unhide"):
            try:
                features = self.features = await self.client.features(ims=self.session.info.ims)
            except ApiError:
                features = None  # the server's answer to the action will say
        plan = build_plan(action, self._broken(targets), features=features, project_id=self.session.info.project_id)
        if self.ims:  # a share or unshare is one IMS job (screens/ims_actions.py sends it)
            plan = batch_plan(plan)
        for target in targets:
            if target.gone:
                self._gone(target.image_id)
        from ims_tui.ui.screens.bulk_plan import BulkPlanScreen

        def answered(send: bool | None) -> None:
            if send:
                self._bulk_send(plan)

        self.app.push_screen(BulkPlanScreen(plan, production=self.session.info.production), answered)

    def _row_of(self, image_id: str) -> ImageRow | None:
        listing = self.listing
        position = listing.position_of(image_id) if listing is not None else None
        return None if listing is None or position is None else listing.rows[position]

    def _broken(self, targets: list[Target]) -> list[Target]:
        """A row the server sent broken is left out, even when a single read of it parses now and then."""
        out = []
        for target in targets:
            row = self._row_of(target.image_id)
            if row is not None and row.problem is not None and target.problem is None:
                target = Target(target.image_id, target.name, problem=f"broken row: {row.problem}")
            out.append(target)
        return out

    def _bulk_concurrency(self) -> int:
        from ims_tui.ui.app import ImsApp

        app = self.app
        if isinstance(app, ImsApp) and app.resolved is not None:
            return app.resolved.ui.bulk_concurrency
        return DEFAULT_CONCURRENCY

    def _bulk_send(self, plan: Plan) -> None:
        if self.client is None or (self.read_only and plan.action.kind not in READS):
            return
        if plan.batch is not None:
            self.send_member_batch(plan)
            return
        from ims_tui.ui.screens.bulk_progress import BulkProgressScreen

        screen = BulkProgressScreen(self.client, plan, concurrency=self._bulk_concurrency())
        self.app.push_screen(screen, self._bulk_ran)

    def _bulk_ran(self, result: RunResult | None) -> None:
        """The rows take the server's answers; done images are unmarked, failed ones stay marked."""
        if result is None:
            return
        # unmarked first: a deleted row that is still marked would be unmarked again with a notice of its own
        self._unmark_done(result.ids("done"))
        with self.app.batch_update():
            for item in result.results:
                if item.gone:
                    self._drop_row(item.image_id)
                elif item.image is not None:
                    self._saved(item.image, new=False, announce=False)
        from ims_tui.ui.screens.bulk_progress import BulkResultScreen

        def closed(choice: str | None) -> None:
            if choice == "retry":
                self._bulk_read(result.plan.action, result.retry_ids())

        self.app.push_screen(BulkResultScreen(result), closed)
