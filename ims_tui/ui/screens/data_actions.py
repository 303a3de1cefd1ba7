"""The main screen's actions on an image's data and life: upload, download, deactivate, hide, stop a transfer.

A mixin of ``MainScreen`` so that main.py keeps the list and its state, and this file what is done to one
image. What the server can do is asked once per connection (``ImageClient.features``); an action it lacks is
hidden from the footer, help and palette, and pressed anyway (a remapped key) it says why in words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.screen import Screen

from ims_tui.api.errors import ApiError
from ims_tui.api.features import Feature, ServerFeatures
from ims_tui.api.models import Image
from ims_tui.api.patch import PatchOp
from ims_tui.api.store_delete import StoreDeleteResult, removal_problem, stores_of
from ims_tui.ui.screens.error import ErrorReport, ErrorReported
from ims_tui.ui.screens.stop_transfer import StopTransferScreen
from ims_tui.ui.text import error_line, safe
from ims_tui.ui.transfers import TransferPanel

if TYPE_CHECKING:
    from ims_tui.api.client import ImageClient
    from ims_tui.api.image_rows import ImageRow
    from ims_tui.api.session import CloudSession
    from ims_tui.ui.image_watch import ImageWatch
    from ims_tui.ui.screens.image_form import ImageFormScreen
    from ims_tui.ui.screens.transfer_dialogs import DownloadPlan, UploadPlan
    from ims_tui.ui.widgets.detail import DetailPane
    from ims_tui.ui.widgets.image_table import ImageTable

# The action each feature gates: hidden where the server lacks it.
NEEDS: dict[str, Feature] = {
    "toggle_active": "deactivate",
    "toggle_hidden": "hidden",
    "import_data": "import",
    "delete_from_store": "delete_from_store",
}


class ScreenParts:
    """What the mixins of ``MainScreen`` (``DataActions``, ``sharing.SharingActions``) use of it."""

    client: ImageClient | None

    if TYPE_CHECKING:
        app: Any
        session: CloudSession

        @property
        def detail(self) -> DetailPane: ...
        @property
        def table(self) -> ImageTable: ...
        @property
        def read_only(self) -> bool: ...
        def _target(self, verb: str) -> ImageRow | None: ...
        def _bulk_instead(self, action: str) -> bool: ...
        def _saved(self, image: Image | None, *, new: bool, announce: bool = True) -> None: ...
        def _gone(self, image_id: str | None) -> None: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...


class DataActions(ScreenParts):
    """Mixed into ``MainScreen``; these are the attributes it relies on besides ``ScreenParts``."""

    features: ServerFeatures | None
    image_watch: ImageWatch

    @property
    def transfers(self) -> TransferPanel:
        return cast("Screen[None]", self).query_one(TransferPanel)

    def data_action_allowed(self, action: str) -> bool | None:
        """For ``check_action``: False hides an action this server lacks; None when it is not known yet."""
        feature = NEEDS.get(action)
        if feature is None:
            return True
        if self.features is None:
            return True  # not known yet: pressing it asks the server first
        if action == "delete_from_store" and self.features.has(feature):
            return self._in_several_stores()
        return self.features.has(feature)

    def said_why_not(self, action: str) -> bool:
        """A key of an action ``check_action`` hides here was pressed (Textual would ignore it): say why, in
        words, and True; False for any other action."""
        feature = NEEDS.get(action)
        if feature is None or self.features is None or self.data_action_allowed(action):
            return False
        if self._lacks(feature):
            return True
        row = self.table.current
        image = self.detail.cached(row.id) if row is not None else None
        problem = removal_problem(image, self.features) if image is not None else None
        self.notify(safe(problem or "not offered for this image"), severity="warning", markup=False)
        return True

    def _in_several_stores(self) -> bool:
        """For the highlighted image: False when its fresh copy shows one store only; unknown counts as several
        (the action reads the image and says why when it is not)."""
        row = self.table.current
        image = self.detail.cached(row.id) if row is not None else None
        return image is None or len(stores_of(image)) > 1

    @work(exclusive=True, group="features")
    async def ask_features(self) -> None:
        if self.client is None or self.features is not None:
            return
        try:
            self.features = await self.client.features(ims=self.session.info.ims)
        except ApiError:
            return  # no version list: every action stays offered, and the server's answer will say
        self.detail.tasks_enabled = self.features.has("tasks")
        self.app.refresh_bindings()

    def _lacks(self, feature: Feature) -> bool:
        if self.features is None or self.features.has(feature):
            return False
        self.notify(self.features.why_not(feature), severity="warning", markup=False)
        return True

    # -- upload and download ------------------------------------------------------------------------------

    def action_upload(self) -> None:
        row = self._target("upload into")
        if row is None or self.client is None or self.read_only:
            return
        if row.status != "queued":
            self.notify(
                f"only a queued image takes data; this one is {safe(row.status or 'of unknown status')}. "
                "Create a new image (n) to upload a file",
                severity="warning",
                markup=False,
            )
            return
        from ims_tui.ui.screens.transfer_dialogs import UploadScreen

        name = row.name or row.id
        dialog = UploadScreen(name, row.disk_format, self.features, container_format=row.container_format)
        self.app.push_screen(dialog, lambda plan: self._upload_planned(row.id, name, plan))

    @work(group="before-upload")
    async def _upload_planned(self, image_id: str, name: str, plan: UploadPlan | None) -> None:
        if plan is None or self.client is None:
            return
        if plan.formats:  # Glance takes no data into an image without both formats
            ops: list[PatchOp] = [{"op": "replace", "path": f"/{key}", "value": value} for key, value in plan.formats]
            try:
                self._saved(await self.client.update(image_id, ops), new=False, announce=False)
            except ApiError as exc:
                self.notify(
                    f"not uploaded: setting the formats failed: {error_line(exc)}", severity="error", markup=False
                )
                return
        self.transfers.upload(self.client, image_id, name, plan.path, stage=plan.stage)

    def action_download(self) -> None:
        if self._bulk_instead("download"):  # rows marked: download them to a folder, after a plan
            return
        row = self._target("download")
        if row is None or self.client is None:
            return
        if row.status not in ("active", "deactivated"):
            why = safe(row.status or "of unknown status")
            self.notify(
                f"this image is {why}: only an active image has data to download", severity="warning", markup=False
            )
            return
        from ims_tui.ui.screens.transfer_dialogs import DownloadScreen

        name = row.name or row.id
        dialog = DownloadScreen(row.id, name, row.size, row.disk_format, cwd=Path.cwd())
        self.app.push_screen(dialog, lambda plan: self._download_planned(row.id, name, plan))

    def _download_planned(self, image_id: str, name: str, plan: DownloadPlan | None) -> None:
        if plan is None or self.client is None:
            return
        self.transfers.download(self.client, image_id, name, plan.path, overwrite=plan.overwrite)

    def action_cancel_transfer(self) -> None:
        self.ask_stop_transfer()

    def ask_stop_transfer(self, *, by_escape: bool = False) -> None:
        """The question before stopping the newest transfer; nothing is stopped without its answer."""
        running = self.transfers.running
        if not running:
            self.notify("no transfer is running")
            return
        if isinstance(self.app.screen, StopTransferScreen):
            return  # asked already
        transfer = running[-1]

        def answered(choice: str | None) -> None:
            if choice is not None:
                self.transfers.cancel(transfer.number, delete_image=choice == "delete")

        self.app.push_screen(StopTransferScreen(transfer, letter_keys=not by_escape), answered)

    # Named, not @on: Textual collects @on handlers of MessagePump classes only, and this is a mixin.
    def on_transfer_panel_finished(self, message: TransferPanel.Finished) -> None:
        transfer, result, error = message.transfer, message.result, message.error
        if transfer.state == "cancelled":
            if transfer.delete_on_cancel:
                self._delete_after_stop(transfer.image_id)
            self.notify(f"stopped: {transfer.label}", markup=False)
            self._refresh_image(transfer.image_id)
            return
        if error is not None and error.outcome_unknown:
            # the data went out, its answer did not come back: the image may be saving still; never "failed"
            said = f"{transfer.label}: the answer was lost ({error_line(error)}); the image may still be saving"
            self.notify(said + ": the list follows it", title=f"{transfer.kind}: outcome unknown", markup=False)
            self._refresh_image(transfer.image_id)  # in transition: the live watch follows it until it settles
            return
        if error is not None:
            self.notify(
                f"{transfer.label}: {error_line(error)}",
                title=f"{transfer.kind} failed",
                severity="error",
                markup=False,
            )
            report = ErrorReport(f"{transfer.kind} of {transfer.label} failed", error)
            self.app.post_message(ErrorReported(report))  # E shows it in full
            self._refresh_image(transfer.image_id)
            return
        assert result is not None
        if transfer.kind == "download":
            self.notify(f"{transfer.label}: {result.words()}", title="downloaded", markup=False)  # type: ignore[union-attr]
            return
        self._saved(result.image, new=False, announce=False)
        if transfer.kind == "stage":
            self.notify(f"{transfer.label}: staged; importing it (glance-direct)", title="uploaded", markup=False)
            self._import_staged(transfer.image_id)
            return
        self.notify(f"{transfer.label}: {result.verified_words}", title="uploaded", markup=False)

    @work(group="after-transfer")
    async def _delete_after_stop(self, image_id: str) -> None:
        if self.client is None:
            return
        try:
            await self.client.delete(image_id)
        except ApiError as exc:
            self.notify(f"not deleted: {error_line(exc)}", severity="error", markup=False)
            return
        self._gone(image_id)

    @work(group="after-transfer")
    async def _refresh_image(self, image_id: str) -> None:
        if self.client is None:
            return
        try:
            image = await self.client.get(image_id)
        except ApiError:
            return
        self._saved(image, new=False, announce=False)

    def _form_saved(self, form: ImageFormScreen, image: Image | None, *, new: bool) -> None:
        """After the form: the image in the list, then the data chosen in the create form, if any."""
        self._saved(image, new=new)
        source = form.data_source if new else None
        if image is None or source is None or self.client is None:
            return
        name = image.name or image.id
        if source.kind == "file":
            assert source.path is not None
            self.transfers.upload(self.client, image.id, name, source.path)
        else:
            self._import_url(image.id, source.where)

    @work(group="after-create")
    async def _import_url(self, image_id: str, url: str) -> None:
        from ims_tui.api.imports import ImportRequest, import_problem

        assert self.client is not None
        request = ImportRequest.web_download(url)
        try:
            await self.client.import_image(image_id, request)
            image = await self.client.get(image_id)
        except ApiError as exc:
            why = safe(import_problem(exc, request))
            self.notify(f"created, but not imported: {why}; i tries again", severity="error", markup=False)
            return
        self._import_started(image)

    # -- import ---------------------------------------------------------------------------------------------

    def action_import_data(self) -> None:
        row = self._target("import into")
        if row is not None and self.client is not None and not self.read_only:
            self._open_import(row.id)

    async def _read_first(
        self, image_id: str, verb: str, problem: Callable[[Image, ServerFeatures], str | None]
    ) -> tuple[Image, ServerFeatures] | None:
        """The server's features and the image as it is now, for a dialog that offers what they allow; None (and
        a word) when the read fails or ``problem`` says why the action cannot be done."""
        assert self.client is not None
        try:
            features = self.features or await self.client.features(ims=self.session.info.ims)
            image = await self.client.get(image_id)
        except ApiError as exc:
            self.notify(f"cannot {verb}: {error_line(exc)}", severity="error", markup=False)
            return None
        why = problem(image, features)
        if why:
            self.notify(safe(why), severity="warning", markup=False)
            return None
        return image, features

    @work(exclusive=True, group="open-import")
    async def _open_import(self, image_id: str) -> None:
        """The image's stores and the server's methods decide what is offered: both are read first."""
        from ims_tui.ui.screens.import_dialog import ImportScreen

        found = await self._read_first(image_id, "import", ImportScreen.problem)
        if found is None or self.client is None:
            return
        image, features = found
        self.app.push_screen(ImportScreen(self.client, image, features), self._import_started)

    def _import_started(self, image: Image | None) -> None:
        if image is None:
            return
        self._saved(image, new=False, announce=False)
        self.image_watch.follow_image(image)  # until the import ends, and a word then
        self.notify(f"import started: {safe(image.name or image.id)}", markup=False)

    @work(group="after-transfer")
    async def _import_staged(self, image_id: str) -> None:
        """glance-direct: the data is staged; now the import that makes the image active."""
        from ims_tui.api.imports import ImportRequest, import_problem

        assert self.client is not None
        request = ImportRequest.glance_direct()
        try:
            await self.client.import_image(image_id, request)
            image = await self.client.get(image_id)
        except ApiError as exc:
            self.notify(
                f"staged, but not imported: {safe(import_problem(exc, request))}", severity="error", markup=False
            )
            return
        self._import_started(image)

    # -- delete from one store ------------------------------------------------------------------------------

    def action_delete_from_store(self) -> None:
        row = self._target("delete from a store")
        if row is not None and self.client is not None and not self.read_only and not self._lacks("delete_from_store"):
            self._open_store_delete(row.id)

    @work(exclusive=True, group="open-store-delete")
    async def _open_store_delete(self, image_id: str) -> None:
        """The stores offered are the ones that hold the data now: the image is read first."""
        found = await self._read_first(image_id, "delete from a store", self._store_problem)
        if found is None or self.client is None:
            return
        image, features = found
        from ims_tui.ui.screens.store_delete import StoreDeleteScreen

        self.app.push_screen(StoreDeleteScreen(self.client, image, features), self._store_deleted)

    def _store_problem(self, image: Image, features: ServerFeatures) -> str | None:
        self._saved(image, new=False, announce=False)  # the row and detail show the stores it was refused for
        return removal_problem(image, features)

    def _store_deleted(self, result: StoreDeleteResult | None) -> None:
        if result is None:
            return
        if result.image is not None:  # the dialog said what was done
            self._saved(result.image, new=False, announce=False)
        else:
            self._refresh_image(result.image_id)

    # -- deactivate, hide -----------------------------------------------------------------------------------

    def action_toggle_active(self) -> None:
        if not self._bulk_instead("toggle_active"):  # rows marked: deactivate (or reactivate) them, after a plan
            self._lifecycle("deactivate", "active")

    def action_toggle_hidden(self) -> None:
        if not self._bulk_instead("toggle_hidden"):  # rows marked: hide (or unhide) them, after a plan
            self._lifecycle("hidden", "hidden")

    def _lifecycle(self, feature: Feature, kind: Any) -> None:
        row = self._target("change")
        if row is None or self.client is None or self.read_only or self._lacks(feature):
            return
        from ims_tui.ui.screens.lifecycle import LifecycleScreen

        image = self.detail.cached(row.id) or Image(id=row.id, name=row.name, status=row.status)
        self.app.push_screen(LifecycleScreen(self.client, image, kind), lambda fresh: self._saved(fresh, new=False))
