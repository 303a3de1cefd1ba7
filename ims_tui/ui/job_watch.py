"""The jobs of an IMS session in the app: rounds of ``api.ims_job_watch.JobWatch`` on a timer, with backoff.

As ``image_watch.ImageWatch``: a round is one worker (``job-watch``, exclusive); the next waits ``Backoff.first``
(2 s) after a round that saw a change, longer after each quiet one (up to 30 s). No timer runs and nothing is
sent while no job is INIT or RUNNING. ``Changed`` carries the jobs whose state changed, ``Ended`` those that
ended; a failed round is logged and the next one waits longer.
"""

from __future__ import annotations

import logging

from textual import work
from textual.message import Message
from textual.widget import Widget

from ims_tui.api.errors import ApiError
from ims_tui.api.ims_job_watch import JobWatch, TrackedJob
from ims_tui.api.ims_jobs import ImsJobCalls
from ims_tui.api.watch import Backoff
from ims_tui.ui.round_timer import RoundTimer

log = logging.getLogger(__name__)


class JobTracker(Widget):
    """Owns the session's ``JobWatch`` and its timer; lives on the main screen."""

    DEFAULT_CSS = "JobTracker { display: none; }"

    class Changed(Message):
        def __init__(self, jobs: tuple[TrackedJob, ...]) -> None:
            super().__init__()
            self.jobs = jobs

    class Ended(Message):
        def __init__(self, jobs: tuple[TrackedJob, ...]) -> None:
            super().__init__()
            self.jobs = jobs

    def __init__(self, backoff: Backoff | None = None) -> None:
        super().__init__()
        self.owner: JobWatch | None = None
        self.timer = RoundTimer(self, "job-watch", backoff)

    def start(self, client: ImsJobCalls, project_id: str | None) -> None:
        """A new connection: the jobs of the old one are dropped (their ids belong to its project)."""
        self.timer.cancel()
        self.workers.cancel_group(self, "job-watch")
        self.owner = JobWatch(client, project_id or "")

    @property
    def jobs(self) -> list[TrackedJob]:
        return list(self.owner.jobs.values()) if self.owner is not None else []

    def summary(self) -> str | None:
        return self.owner.summary() if self.owner is not None else None

    def track(self, job_id: str, kind: str = "", image_id: str | None = None) -> TrackedJob | None:
        """Follow a job; its first round runs at once. None before a connection. ValueError for a bad id."""
        if self.owner is None:
            return None
        tracked = self.owner.track(job_id, kind, image_id)
        self.timer.start_over()
        self.timer.cancel()
        self.run_round()
        return tracked

    def _schedule(self, delay: float) -> None:
        self.timer.cancel()
        if self.owner is None or not self.owner.unfinished:
            return  # nothing running: nothing is sent until a job is tracked
        self.timer.set(delay, self.run_round)

    @work(exclusive=True, group="job-watch")
    async def run_round(self) -> None:
        owner = self.owner
        if owner is None or not owner.unfinished:
            return
        changed = False
        try:
            found = await owner.round()
        except ApiError as exc:
            log.info("job round failed: %s", exc.one_line())
        else:
            changed = bool(found.changed)
            if found.changed:
                self.post_message(self.Changed(found.changed))
            if found.ended:
                self.post_message(self.Ended(found.ended))
        if owner is self.owner:
            self._schedule(self.timer.after_round(changed))
