"""The main screen's IMS-only actions: ``Y`` copies the highlighted image (in this region or to another), ``Q``
shows the quota, and a bulk share or unshare goes to IMS as one batch job. Each job IMS answers is handed to
``track_job``, so the jobs view and the status line follow it and the list reloads when it ends.

A mixin of ``MainScreen``, as ``job_actions.py`` is. On a Glance session the keys are hidden (``ims=True`` in
``keys.py``) and a direct call says why; ``Y`` is a write, so a read-only session has none of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from ims_tui.api.errors import ApiError
from ims_tui.api.ims_copy import COPY_JOB
from ims_tui.api.outcome import Outcome
from ims_tui.ui.format import plural, short_id
from ims_tui.ui.job_watch import JobTracker
from ims_tui.ui.screens.data_actions import ScreenParts
from ims_tui.ui.text import error_line, safe

if TYPE_CHECKING:
    from ims_tui.api.bulk import Plan
    from ims_tui.ui.screens.ims_copy import CopyStarted


class ImsActions(ScreenParts):
    job_tracker: JobTracker

    if TYPE_CHECKING:

        @property
        def ims(self) -> bool: ...
        def track_job(self, job_id: str, kind: str = "", image_id: str | None = None) -> None: ...

    def _ims_refused(self, what: str) -> bool:
        if not self.ims:
            self.notify(f"{what} is IMS's: this is a Glance session", severity="warning")
            return True
        if self.read_only and what != "the quota":
            self.notify("read-only: changes are disabled for this session", title="read-only", severity="warning")
            return True
        return self.client is None

    def action_quota(self) -> None:
        if self._ims_refused("the quota"):
            return
        from ims_tui.ui.screens.quota import QuotaScreen

        assert self.client is not None
        self.app.push_screen(QuotaScreen(self.client))

    def action_ims_copy(self) -> None:
        row = self.table.current
        if self._ims_refused("copying an image") or row is None or not row.actionable:
            return
        self._open_copy(row.id)

    @work(exclusive=True, group="ims-copy-open")
    async def _open_copy(self, image_id: str) -> None:
        """The form checks IMS's limits on the image as it is now, not on a list row."""
        assert self.client is not None
        try:
            image = await self.client.get(image_id)
        except ApiError as exc:
            self.notify(f"cannot copy: {error_line(exc)}", severity="error", markup=False)
            return
        from ims_tui.ui.screens.ims_copy import CopyScreen

        running = sum(1 for job in self.job_tracker.jobs if job.job_type == COPY_JOB["cross"] and not job.ended)
        info = self.session.info
        screen = CopyScreen(self.client, image, region=info.region, project_id=info.project_id, running_cross=running)
        self.app.push_screen(screen, self._copy_started)

    def _copy_started(self, started: CopyStarted | None) -> None:
        if started is None:
            return
        self.track_job(started.job_id, started.job_type, started.image_id)
        where = "to another region" if started.mode == "cross" else "in this region"
        self.notify(
            f"copy {where} started: IMS job {short_id(started.job_id)}…; J follows it", title="IMS job", markup=False
        )

    def send_member_batch(self, plan: Plan) -> None:
        """A bulk share or unshare planned as one IMS job (``Plan.batch``)."""
        if self.client is None or plan.batch is None or self.read_only:
            return
        self._send_batch(plan)

    @work(exclusive=True, group="ims-members")
    async def _send_batch(self, plan: Plan) -> None:
        assert self.client is not None and plan.batch is not None
        images = plural(len(plan.batch.images), "image")
        try:
            job_id = await self.client.ims_members(plan.batch)
        except ApiError as exc:
            if exc.outcome_unknown:  # never sent again: the job may be running
                said = Outcome("unknown", error=exc, action="update").message()
                self.notify(f"{safe(said)}; J lists the jobs of this session", severity="warning", markup=False)
            else:
                self.notify(f"not shared: {error_line(exc)}", severity="error", markup=False)
            return
        self.track_job(job_id, plan.batch.job_type)
        verb = "unshare" if plan.batch.remove else "share"
        self.notify(f"one IMS job to {verb} {images} started: J follows it", title="IMS job", markup=False)
