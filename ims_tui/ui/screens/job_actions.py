"""The main screen's IMS jobs: ``J`` opens the jobs screen (IMS sessions only), the status line says what runs,
and a job that ends is announced and refreshes the list (a copy's new image appears, an export's image shows
its state again). A mixin of ``MainScreen``, as ``sharing.py`` is; the polling lives in ``ui/job_watch.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ims_tui.ui.job_watch import JobTracker
from ims_tui.ui.screens.data_actions import ScreenParts
from ims_tui.ui.text import safe

if TYPE_CHECKING:
    from ims_tui.api.listing import ImageListing


class JobActions(ScreenParts):
    job_tracker: JobTracker

    if TYPE_CHECKING:

        @property
        def ims(self) -> bool: ...
        @property
        def listing(self) -> ImageListing | None: ...
        def action_refresh(self) -> None: ...
        def _update_status(self) -> None: ...

    def track_job(self, job_id: str, kind: str = "", image_id: str | None = None) -> None:
        """Where a call that answered a ``job_id`` hands it over (a copy, an export)."""
        self.job_tracker.track(job_id, kind, image_id)
        self._update_status()

    def image_name(self, image_id: str) -> str | None:
        listing = self.listing
        if listing is None:
            return None
        row = next((row for row in listing.rows if row.id == image_id), None)
        return row.name if row is not None and row.name else None

    def action_jobs(self) -> None:
        if not self.ims:
            self.notify("jobs are IMS's: this is a Glance session", severity="warning")
            return
        from ims_tui.ui.screens.jobs import JobsScreen

        self.app.push_screen(JobsScreen(self.job_tracker, self.image_name), lambda _: self._update_status())

    def _redraw_jobs(self) -> None:
        from ims_tui.ui.screens.jobs import JobsScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, JobsScreen):
                screen.redraw()
        self._update_status()

    # Named, not @on: Textual collects @on handlers of MessagePump classes only, and this is a mixin.
    def on_job_tracker_changed(self, message: JobTracker.Changed) -> None:
        self._redraw_jobs()

    def on_job_tracker_ended(self, message: JobTracker.Ended) -> None:
        from ims_tui.ui.screens.jobs import failure_of, image_of, kind_of

        for tracked in message.jobs:
            image = image_of(tracked, self.image_name)
            what = f"{kind_of(tracked)} {tracked.job_id[:8]}…" + (f" of {image}" if image else "")
            if tracked.status == "SUCCESS":
                self.notify(f"{safe(what)} finished", title="IMS job", markup=False)
            elif tracked.problem is not None:
                self.notify(f"{safe(what)}: {safe(tracked.problem)}", title="IMS job", severity="warning", markup=False)
            else:
                why = safe(failure_of(tracked))
                self.notify(f"{safe(what)} failed: {why}", title="IMS job", severity="error", markup=False)
        if any(tracked.job is not None and tracked.job.ended for tracked in message.jobs):
            self.action_refresh()  # what the job made or changed shows in the list
