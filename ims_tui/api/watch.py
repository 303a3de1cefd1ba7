"""Re-reading the images in transition until they settle: which ones, how often, and with how few requests.

A watch costs nothing while no image is in transition. The images it follows are re-read with one list request
per ``CHUNK`` ids (``id=in:...``, ``visibility=all``); an image the list does not return (hidden, or gone) is read
with its own GET, so a hidden image is still followed and a deleted one is reported gone, not guessed. A server
that refuses the ``id`` filter (400) is read with one GET per image from then on.

The delay between rounds starts at ``Backoff.first`` and grows to ``Backoff.limit`` while nothing changes; any
change (or a newly followed image) starts it again from the first delay: an upload that just finished is seen
within seconds, a ``queued`` image left alone costs one request every half minute.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .client import ImageClient
from .errors import BadRequest, NotFound
from .imports import import_state
from .models import Image, ListQuery

# Statuses an image leaves by itself (or by an upload under way): worth re-reading until it does.
TRANSITIONAL = frozenset({"queued", "saving", "uploading", "importing", "pending_delete"})
# Ids per list request: 36 characters each, so 20 keep the URL under 1 KiB, well inside any proxy's limit.
CHUNK = 20
# At most this many images followed (3 list requests a round): a list of 100,000 loaded rows, a tenth of them
# queued for good, must not turn every round into 500 requests. Images of the user's own actions come first.
MAX_FOLLOWED = 60


def in_transition(status: str | None, importing_to: object = None) -> bool:
    """Whether an image with this status (and this ``os_glance_importing_to_stores``) will change by itself."""
    return (status or "") in TRANSITIONAL or bool(importing_to)


def image_in_transition(image: Image) -> bool:
    """Also an image whose import (copy-image among them) still holds its lock: Glance shows ``importing`` only
    once the task starts, and drops the lock only after the image is active (``imports.ImportState``)."""
    return in_transition(image.status) or import_state(image).running


@dataclass(frozen=True)
class Backoff:
    """Seconds between rounds: ``first``, times ``factor`` each quiet round, never above ``limit``."""

    first: float = 2.0
    limit: float = 30.0
    factor: float = 1.6

    def after(self, delay: float | None, *, changed: bool) -> float:
        if delay is None or changed:
            return self.first
        return min(self.limit, max(self.first, delay * self.factor))


@dataclass(frozen=True)
class Settled:
    """An image that left transition: ``before`` is the status it was followed in, ``image`` as it is now."""

    image: Image
    before: str | None


@dataclass(frozen=True)
class Round:
    """What one round found: images read again (changed or not), those that settled, and ids now gone."""

    images: tuple[Image, ...] = ()
    settled: tuple[Settled, ...] = ()
    gone: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.settled or self.gone)


@dataclass
class WatchList:
    """The ids followed and the status each was last seen in. Pure: ``take`` a round's reads, get what changed."""

    statuses: dict[str, str | None] = field(default_factory=dict)
    stamps: dict[str, str | None] = field(default_factory=dict)  # updated_at as last seen
    limit: int = MAX_FOLLOWED

    def follow(self, image_id: str, status: str | None, *, updated_at: str | None = None, first: bool = False) -> bool:
        """Follow ``image_id``; True when it is new to the watch. When the watch is full, an image is left out,
        unless ``first`` (one the user just acted on), which takes the place of the one followed longest."""
        new = image_id not in self.statuses
        if new and len(self.statuses) >= self.limit:
            if not first:
                return False
            self.forget(next(iter(self.statuses)))
        self.statuses[image_id] = status
        if updated_at is not None:
            self.stamps[image_id] = updated_at
        return new

    def forget(self, image_id: str) -> None:
        self.statuses.pop(image_id, None)
        self.stamps.pop(image_id, None)

    def __bool__(self) -> bool:
        return bool(self.statuses)

    def __len__(self) -> int:
        return len(self.statuses)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.statuses)

    def take(self, images: Iterable[Image], gone: Iterable[str]) -> Round:
        """Record a round's reads: images out of transition and gone ids stop being followed. ``Round.images``
        holds only the images that changed since last seen (status or ``updated_at``): an unchanged one must cost
        the terminal nothing."""
        read: list[Image] = []
        settled: list[Settled] = []
        for image in images:
            if image.id not in self.statuses:
                continue
            before = self.statuses[image.id]
            stamp = self.stamps.get(image.id)
            self.stamps[image.id] = image.updated_at
            if image.status != before or (stamp is not None and stamp != image.updated_at):
                read.append(image)
            if image_in_transition(image):
                self.statuses[image.id] = image.status
                continue
            settled.append(Settled(image, before))
            self.forget(image.id)
        lost = tuple(image_id for image_id in gone if image_id in self.statuses)
        for image_id in lost:
            self.forget(image_id)
        return Round(tuple(read), tuple(settled), lost)


class Watcher:
    """Reads the images of a ``WatchList`` with as few requests as the server allows (see the module docstring)."""

    def __init__(self, client: ImageClient, watch: WatchList | None = None) -> None:
        self.client = client
        self.watch = watch if watch is not None else WatchList()
        self.list_by_id = True  # until the server refuses the id filter
        self.requests = 0

    async def round(self) -> Round:
        """Read every followed image once; a failure (``ApiError``) propagates: the caller keeps its delay."""
        ids = self.watch.ids
        images = await self._read(ids)
        found = {image.id for image in images}
        gone: list[str] = []
        for image_id in ids:
            if image_id in found:
                continue
            image = await self._get(image_id)
            if image is None:
                gone.append(image_id)
            else:
                images.append(image)
        return self.watch.take(images, gone)

    async def _read(self, ids: Sequence[str]) -> list[Image]:
        if not self.list_by_id:
            return []
        images: list[Image] = []
        for start in range(0, len(ids), CHUNK):
            chunk = tuple(ids[start : start + CHUNK])
            query = ListQuery(ids=chunk, visibility="all", limit=len(chunk))
            try:
                self.requests += 1
                page = await self.client.list_page(query)
            except BadRequest:
                self.list_by_id = False  # an older or a non-Glance server: one GET each from now on
                return []
            images.extend(page.images)
        return images

    async def _get(self, image_id: str) -> Image | None:
        self.requests += 1
        try:
            return await self.client.get(image_id)
        except NotFound:
            return None
