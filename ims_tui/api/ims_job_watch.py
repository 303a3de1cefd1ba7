"""The IMS jobs of this session: which are tracked, and one round of asking IMS where the unfinished ones are.

Anything that starts a job (a copy, an export: every such call answers a ``job_id``) hands it to ``track``; the
jobs view's lookup by id does too. ``round`` asks IMS's progress view (``GET /v1/cloudimages/job/{job_id}``, which
also gives ``process_percent``) about each job still INIT or RUNNING, and says which changed and which ended.
A job IMS no longer knows ends here with the reason. Pure of Textual: the UI runs rounds on a timer with
``watch.Backoff`` and sends nothing while no job is unfinished.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import NotFound
from .ims_jobs import ImsJob, ImsJobCalls

# IMS's job ids are 32 hex digits; the simulator's too. Accept what an id can be, refuse what cannot reach a URL.
JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{7,63}")


def job_id_problem(text: str) -> str | None:
    """Why ``text`` is not a job id, or None when it can be one."""
    value = text.strip()
    if not value:
        return "type a job id"
    if not JOB_ID.fullmatch(value):
        return "a job id is 8 to 64 letters, digits, - or _ (IMS's are 32 hex digits)"
    return None


@dataclass
class TrackedJob:
    """A job this session follows: what started it (``kind``, ``image_id``) and the job as IMS last said."""

    job_id: str
    kind: str = ""
    image_id: str | None = None
    job: ImsJob | None = None
    problem: str | None = None  # IMS does not know the job (any more): it is not asked again

    @property
    def ended(self) -> bool:
        return self.problem is not None or (self.job is not None and self.job.ended)

    @property
    def status(self) -> str:
        if self.problem is not None:
            return "UNKNOWN"
        return self.job.status if self.job is not None else "…"

    @property
    def percent(self) -> float | None:
        return self.job.percent if self.job is not None else None

    @property
    def job_type(self) -> str:
        return (self.job.job_type if self.job is not None else "") or self.kind

    @property
    def target(self) -> str | None:
        """The image the job acts on or made: the one it was started on, else the one IMS names."""
        return self.image_id or (self.job.image_id if self.job is not None else None)


@dataclass(frozen=True)
class JobRound:
    """What one round found: jobs whose state changed, and of those the ones that ended."""

    changed: tuple[TrackedJob, ...] = ()
    ended: tuple[TrackedJob, ...] = ()


@dataclass
class JobWatch:
    """The jobs tracked this session, in the order they were tracked."""

    client: ImsJobCalls
    project_id: str
    jobs: dict[str, TrackedJob] = field(default_factory=dict)
    rounds: int = 0

    def track(self, job_id: str, kind: str = "", image_id: str | None = None) -> TrackedJob:
        """Follow ``job_id`` (again: a job tracked before keeps its place and is asked about at the next round)."""
        problem = job_id_problem(job_id)
        if problem is not None:
            raise ValueError(problem)
        job_id = job_id.strip()
        tracked = self.jobs.get(job_id)
        if tracked is None:
            tracked = self.jobs[job_id] = TrackedJob(job_id, kind, image_id)
        else:
            tracked.problem = None
            tracked.kind = tracked.kind or kind
            tracked.image_id = tracked.image_id or image_id
        return tracked

    @property
    def unfinished(self) -> list[TrackedJob]:
        return [tracked for tracked in self.jobs.values() if not tracked.ended]

    async def round(self) -> JobRound:
        """Ask about every unfinished job once. A failure other than "no such job" stops the round (raised)."""
        changed: list[TrackedJob] = []
        for tracked in self.unfinished:
            try:
                job = await self.client.ims_job(self.project_id, tracked.job_id, progress=True)
            except NotFound as exc:
                tracked.problem = exc.one_line()
                changed.append(tracked)
                continue
            before = tracked.job
            tracked.job = job
            if before is None or (before.status, before.percent) != (job.status, job.percent):
                changed.append(tracked)
        self.rounds += 1
        return JobRound(tuple(changed), tuple(tracked for tracked in changed if tracked.ended))

    def summary(self) -> str | None:
        """The status line's word on the unfinished jobs: "1 job running 40%", "3 jobs running"; None for none."""
        running = self.unfinished
        if not running:
            return None
        text = f"{len(running)} job{'s' if len(running) != 1 else ''} running"
        if len(running) == 1 and running[0].percent is not None:
            text += f" {running[0].percent:.0f}%"
        return text
