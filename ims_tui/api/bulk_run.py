"""Apply a bulk plan (bulk.py) with bounded concurrency, and say what became of every image. No Textual here.

    runner = BulkRunner(client, plan, concurrency=4, progress=show)   # show(Progress) after each image
    result = await runner.run()        # runner.stop() from elsewhere: no new image is started
    result.results[0].state            # "done", "failed", "unknown" or "not_attempted"
    result.retry_ids()                 # the failed ones, to read and plan again (never the unknown ones)

At most ``concurrency`` images are in flight (an ``asyncio.Semaphore``); an image's own requests go one after the
other, and the first that fails ends that image. Nothing is ever sent twice: a request whose answer was lost
(``ApiError.outcome_unknown``) is settled with one GET, as ``outcome.py`` does for a single write; what the GET
cannot decide stays "unknown", for the user to check, and is left out of a retry.

``read_targets`` reads the images to plan from, with the same bound.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

from .bulk import Plan, Request, Step, Target
from .errors import ApiError, Conflict, NotFound
from .models import Image
from .outcome import Outcome, settle_delete, settle_update

if TYPE_CHECKING:
    from .client import ImageClient

State = Literal["done", "failed", "unknown", "not_attempted"]
DEFAULT_CONCURRENCY = 4  # what one Glance worker pool takes without queueing (config: bulk_concurrency)
DOWNLOADS_AT_ONCE = 2  # two data streams keep the link busy without starving the list's reads
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class ImageResult:
    """What became of one image. ``image``: the server's image afterwards, when an answer or a check gave one;
    ``gone``: the image no longer exists (deleted, or found gone); ``note``: how a lost answer was settled."""

    step: Step
    state: State
    error: ApiError | None = None
    image: Image | None = None
    gone: bool = False
    note: str = ""

    @property
    def image_id(self) -> str:
        return self.step.image_id


@dataclass(frozen=True)
class Progress:
    total: int
    done: int = 0
    failed: int = 0  # failed and unknown: not known to be done
    stopping: bool = False

    @property
    def left(self) -> int:
        return self.total - self.done - self.failed


@dataclass(frozen=True)
class RunResult:
    plan: Plan
    results: tuple[ImageResult, ...]
    stopped: bool = False

    def count(self, state: State) -> int:
        return sum(1 for result in self.results if result.state == state)

    def ids(self, state: State) -> tuple[str, ...]:
        return tuple(result.image_id for result in self.results if result.state == state)

    def retry_ids(self) -> tuple[str, ...]:
        """The images whose requests surely failed: safe to plan again. Unknown ones are not among them."""
        return self.ids("failed")


async def bounded(items: Sequence[T], concurrency: int, run: Callable[[T], Awaitable[R]]) -> list[R]:
    """``run`` on every item, at most ``concurrency`` at a time; the results in the items' order."""
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(item: T) -> R:
        async with gate:
            return await run(item)

    return list(await asyncio.gather(*(one(item) for item in items)))


async def read_targets(
    client: ImageClient, ids: Iterable[str], names: dict[str, str | None] | None = None, *, concurrency: int = 4
) -> list[Target]:
    """The images ``ids`` as the server has them now, to plan from; one that cannot be read is a Target with a
    ``problem`` (and ``gone`` for a 404), so the plan leaves it out saying why."""
    known = names or {}

    async def read(image_id: str) -> Target:
        try:
            return Target.of(await client.get(image_id))
        except NotFound:
            return Target(image_id, known.get(image_id), problem="gone: the image no longer exists", gone=True)
        except ApiError as exc:
            return Target(image_id, known.get(image_id), problem=f"could not be read: {exc.one_line()}")

    return await bounded(list(dict.fromkeys(ids)), concurrency, read)


class BulkRunner:
    """One run of one plan. ``progress`` is called after every image that ends (and once when stopping)."""

    def __init__(
        self,
        client: ImageClient,
        plan: Plan,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.client = client
        self.plan = plan
        self.concurrency = max(1, concurrency)
        if plan.action.kind == "download":  # image data: a few streams at most, whatever the requests' bound
            self.concurrency = min(self.concurrency, DOWNLOADS_AT_ONCE)
        self._progress = progress
        self._stopped = False
        self.state = Progress(total=len(plan.steps))

    @property
    def stopped(self) -> bool:
        return self._stopped

    def stop(self) -> None:
        """Start no new image; those in flight finish (a request half sent cannot be taken back)."""
        if not self._stopped:
            self._stopped = True
            self._tell(stopping=True)

    async def run(self) -> RunResult:
        results = await bounded(self.plan.steps, self.concurrency, self._one)
        return RunResult(self.plan, tuple(results), stopped=self._stopped)

    async def _one(self, step: Step) -> ImageResult:
        if self._stopped:
            return ImageResult(step, "not_attempted")
        result = await self._apply(step)
        ok = result.state == "done"
        self._tell(done=self.state.done + ok, failed=self.state.failed + (not ok))
        return result

    def _tell(self, **changes: int | bool) -> None:
        state = self.state
        self.state = Progress(
            state.total,
            int(changes.get("done", state.done)),
            int(changes.get("failed", state.failed)),
            bool(changes.get("stopping", state.stopping)),
        )
        if self._progress is not None:
            self._progress(self.state)

    async def _apply(self, step: Step) -> ImageResult:
        image: Image | None = step.before
        gone = False
        notes: list[str] = []
        if step.requests and step.requests[0].call == "download":
            return await self._download(step, step.requests[0])
        for request in step.requests:
            try:
                image, gone = await self._send(step, request, image)
            except ApiError as exc:
                if request.call in MEMBER_CALLS:
                    failed = _member_failure(step, request, exc, image)
                    if failed is None:
                        notes.append(_MEMBER_ALREADY[request.call].format(member=request.member))
                        continue
                    return failed
                if isinstance(exc, NotFound):
                    if request.call == "delete":  # someone deleted it first: what was asked is true
                        return ImageResult(step, "done", gone=True, note="it was already gone")
                    return ImageResult(step, "failed", exc, gone=True, note="the image no longer exists")
                if not exc.outcome_unknown:
                    return ImageResult(step, "failed", exc)
                return await self._settle(step, request, exc)
        return ImageResult(step, "done", image=None if gone else image, gone=gone, note="; ".join(notes))

    async def _download(self, step: Step, request: Request) -> ImageResult:
        """Through ``download_image``, as ``D`` does: the file gets its name only once its data is verified, so a
        failure (or a stop of the app) leaves at most the hidden partial file, which a retry resumes from."""
        from .download import download_image

        try:
            saved = await download_image(self.client, step.image_id, request.target)
        except ApiError as exc:
            return ImageResult(step, "failed", exc, gone=isinstance(exc, NotFound))
        return ImageResult(step, "done", note=f"{saved.words()} → {saved.path.name}")

    async def _send(self, step: Step, request: Request, image: Image | None) -> tuple[Image | None, bool]:
        """Send one request; (the image as the server answered or shows it now, whether it is gone)."""
        client, image_id = self.client, step.image_id
        if request.call == "add_member":
            await client.add_member(image_id, request.member)
            return image, False
        if request.call == "remove_member":
            await client.remove_member(image_id, request.member)
            return image, False
        if request.call == "set_member_status":
            await client.set_member_status(image_id, request.member, request.status)
            return image, False
        if request.call == "delete":
            await client.delete(image_id)
            return None, True
        if request.call == "update":
            return await client.update(image_id, list(request.ops)), False
        if request.call == "deactivate":
            await client.deactivate(image_id)
        else:
            await client.reactivate(image_id)
        return await client.find(image_id), False  # the action answers 204: the row wants the new status

    async def _settle(self, step: Step, request: Request, error: ApiError) -> ImageResult:
        """A lost answer: one GET says what happened; the request is never sent again."""
        client, image_id = self.client, step.image_id
        if request.call == "delete":
            outcome = await settle_delete(client, image_id, error)
        elif request.call == "update":
            before = step.before.to_dict() if step.before is not None else {}
            outcome = await settle_update(client, image_id, list(request.ops), before, error)
        else:
            outcome = await _settle_action(client, image_id, request.call, error)
        state: State = "done" if outcome.state == "done" else "failed"
        if outcome.state == "unknown" or (outcome.state == "not_done" and outcome.still_working):
            state = "unknown"
        gone = request.call == "delete" and outcome.state == "done"
        return ImageResult(step, state, error, image=outcome.image, gone=gone, note=outcome.message())


MEMBER_CALLS = frozenset({"add_member", "remove_member", "set_member_status"})
# What a refusal of a member call means when it is what was asked for already.
_MEMBER_ALREADY = {
    "add_member": "project {member} was a member already",
    "remove_member": "project {member} was not a member",
}


def _member_failure(step: Step, request: Request, error: ApiError, image: Image | None) -> ImageResult | None:
    """A member call's failure as a result; None when the refusal says what was asked is already so (409 for a
    member already there, 404 for one already gone). The client has settled a lost answer itself (one GET of the
    member): what it could not decide comes back with ``outcome_unknown`` still set."""
    if request.call == "add_member" and isinstance(error, Conflict):
        return None
    if request.call == "remove_member" and isinstance(error, NotFound):
        return None
    if error.outcome_unknown:
        note = "maybe applied: the check could not tell; reload and look"
        return ImageResult(step, "unknown", error, image=image, note=note)
    return ImageResult(step, "failed", error, image=image)  # the image as a switch to shared left it


async def _settle_action(client: ImageClient, image_id: str, call: str, error: ApiError) -> Outcome:
    wanted = "deactivated" if call == "deactivate" else "active"
    try:
        image = await client.find(image_id)
    except ApiError as exc:
        return Outcome("unknown", error=error, check_error=exc)
    if image is None:
        return Outcome("unknown", error=error)
    return Outcome("done" if image.status == wanted else "not_done", image=image, error=error)
