"""The main screen's IMS-and-OBS actions and key/value tags: export (``O``), create or register from OBS (``B``)
and the key/value tag editor (``T``). IMS sessions only: elsewhere they are hidden, and a key pressed anyway says
why. Read-only sessions refuse them through the keys table (``writes``). A job started here goes to
``track_job``; when it ends, the jobs mixin refreshes the list, so a new image appears. A mixin of
``MainScreen``, as ``job_actions.py`` is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ims_tui.api.image_rows import ImageRow
from ims_tui.api.models import Image
from ims_tui.ui.screens.data_actions import ScreenParts
from ims_tui.ui.text import safe

# Hidden on a Glance session like every IMS action (``ims=True`` in keys.py); these three also say why when
# their key is pressed there
SAYS_WHY = frozenset({"export_obs", "obs_create", "kv_tags"})


class ImsObsActions(ScreenParts):
    if TYPE_CHECKING:

        @property
        def ims(self) -> bool: ...
        def track_job(self, job_id: str, kind: str = "", image_id: str | None = None) -> None: ...

    _kv_tags: dict[str, dict[str, str] | str | None] | None = None

    def obs_why_not(self, action: str) -> bool:
        """A key of one of these pressed on a Glance session: say why (True), as ``said_why_not`` does."""
        if action in SAYS_WHY and not self.ims:
            self.notify("an IMS call: this is a Glance session", severity="warning")
            return True
        return False

    def _queued_own(self, row: ImageRow | None) -> bool:
        project = self.session.info.project_id
        return row is not None and row.actionable and row.status == "queued" and row.owner in (project, None)

    def action_export_obs(self) -> None:
        row = self._target("export")
        if row is None or self.client is None or self.read_only:
            return
        from ims_tui.ui.screens.ims_export import ExportObsScreen

        def started(job_id: str | None) -> None:
            if job_id is not None:
                self.track_job(job_id, "export", row.id)
                self.notify(f"export of {safe(row.name or row.id)} to OBS started: J shows the job", markup=False)

        self.app.push_screen(
            ExportObsScreen(self.client, row, self.detail.cached(row.id), self.session.info.project_id), started
        )

    def action_obs_create(self) -> None:
        if self.client is None or self.read_only:
            return
        from ims_tui.ui.screens.ims_register import CreateObsScreen

        row = self.table.current
        queued = row if self._queued_own(row) else None
        form = CreateObsScreen(self.client, queued, self.detail.cached(queued.id) if queued else None)

        def started(job_id: str | None) -> None:
            if job_id is not None:
                self.track_job(job_id, form.kind, form.image_id)
                self.notify(f"{safe(form.sent)}: started, J shows the job", markup=False)

        self.app.push_screen(form, started)

    # -- key/value tags -------------------------------------------------------------------------------------

    @property
    def kv_tags_known(self) -> dict[str, dict[str, str] | str | None]:
        """image id -> its key/value tags as last read (None: being read; a str: why they could not be)."""
        if self._kv_tags is None:
            self._kv_tags = {}
        return self._kv_tags

    def kv_tags_of(self, image: Image | ImageRow) -> dict[str, str] | str | None:
        """The detail pane's hook: the tags if known, "reading…" while read once for a fresh image, None on a
        Glance session (no section)."""
        if not self.ims or not isinstance(image, Image) or self.client is None or not self._own(image):
            return None  # IMS keeps key/value tags on a project's own images only
        known = self.kv_tags_known
        if image.id not in known:
            known[image.id] = None
            self._read_kv_tags(image.id)
        found = known.get(image.id)
        return "reading…" if found is None else found

    def _read_kv_tags(self, image_id: str) -> None:
        from ims_tui.ui.screens.ims_tags import read_kv_tags

        read_kv_tags(self, image_id)

    def kv_tags_read(self, image_id: str, tags: dict[str, str] | str) -> None:
        """A read (or an edit) landed, or failed (a str says why; a reload asks again): kept, and the pane
        redrawn if it shows that image."""
        self.kv_tags_known[image_id] = tags
        shown = self.detail.image
        if isinstance(shown, Image) and shown.id == image_id:
            self.detail.show_image(shown)

    def _own(self, image: Image | ImageRow) -> bool:
        return image.owner is not None and image.owner == self.session.info.project_id

    def action_kv_tags(self) -> None:
        row = self._target("edit tags of")
        project = self.session.info.project_id
        if row is None or self.client is None or self.read_only:
            return
        if project is None:
            self.notify("key/value tags need the session's project id", severity="warning")
            return
        if not self._own(row):
            self.notify("IMS keeps key/value tags on this project's own images only", severity="warning")
            return
        from ims_tui.ui.screens.ims_tags import KvTagsScreen

        known = self.kv_tags_known.get(row.id)
        known = known if isinstance(known, dict) else None

        def saved(tags: dict[str, str] | None) -> None:
            if tags is not None:
                self.kv_tags_read(row.id, tags)

        self.app.push_screen(KvTagsScreen(self.client, project, row, known), saved)
