"""The live watch in the app: rounds of ``api.watch.Watcher`` on a timer, their results posted as messages."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from textual import work
from textual.message import Message
from textual.widget import Widget

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError
from ims_tui.api.image_rows import ImageRow
from ims_tui.api.models import Image
from ims_tui.api.watch import Backoff, Settled, Watcher, WatchList, image_in_transition, in_transition
from ims_tui.ui.round_timer import RoundTimer

log = logging.getLogger(__name__)

# Without a key for this long the user has walked away: the rounds stop until the next key.
IDLE_PAUSE = 600.0


class ImageWatch(Widget):
    """Follows the images in transition and tells its screen what became of them.

    Nothing is sent and no timer runs while nothing is followed. Each round is one worker (``image-watch``,
    exclusive); ``Updated`` carries every image read again, ``Settled`` those that left transition (``active``,
    ``killed``, ``deactivated``...), ``Gone`` the ids no longer on the server. A failed round is logged and the
    next one waits longer, as a quiet one does; the watch never reports an error of its own on the screen.
    """

    DEFAULT_CSS = "ImageWatch { display: none; }"

    class Updated(Message):
        def __init__(self, images: tuple[Image, ...]) -> None:
            super().__init__()
            self.images = images

    class Settled(Message):
        def __init__(self, settled: tuple[Settled, ...]) -> None:
            super().__init__()
            self.settled = settled

    class Gone(Message):
        def __init__(self, ids: tuple[str, ...]) -> None:
            super().__init__()
            self.ids = ids

    def __init__(self, backoff: Backoff | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.clock = clock
        self.list = WatchList()
        self.watcher: Watcher | None = None
        self.last_input = clock()
        self.paused = False
        self.rounds = 0
        self.timer = RoundTimer(self, "image-watch", backoff)

    def start(self, client: ImageClient) -> None:
        """A new connection: what was followed on the old one is dropped."""
        self.stop()
        self.list = WatchList()
        self.watcher = Watcher(client, self.list)

    def stop(self) -> None:
        self.timer.cancel()
        self.workers.cancel_group(self, "image-watch")
        self.watcher = None

    def follow(self, rows: Iterable[ImageRow]) -> None:
        """Follow the rows in transition; a new one brings the next round forward."""
        fresh = False
        for row in rows:
            if row.actionable and in_transition(row.status):
                fresh = self.list.follow(row.id, row.status, updated_at=row.updated_at) or fresh
        if fresh:
            self._schedule(self.timer.start_over())

    def follow_image(self, image: Image) -> None:
        """An image the user just acted on (created, uploaded, imported): followed even when the watch is full."""
        if image_in_transition(image):
            if self.list.follow(image.id, image.status, updated_at=image.updated_at, first=True):
                self._schedule(self.timer.start_over())
        else:
            self.list.forget(image.id)

    def forget(self, image_id: str) -> None:
        self.list.forget(image_id)

    @property
    def following(self) -> int:
        return len(self.list)

    def wake(self) -> None:
        """A key was pressed: the user is here; a paused watch goes on at once."""
        self.last_input = self.clock()
        if self.paused:
            self.paused = False
            self.run_round()

    def _schedule(self, delay: float) -> None:
        self.timer.cancel()
        if self.watcher is None or not self.list:
            return
        self.timer.set(delay, self._tick)

    def _tick(self) -> None:
        if self.watcher is None or not self.list:
            return
        if self.clock() - self.last_input > IDLE_PAUSE:
            self.paused = True  # no timer: ``wake`` starts the next round
            return
        self.run_round()

    @work(exclusive=True, group="image-watch")
    async def run_round(self) -> None:
        watcher = self.watcher
        if watcher is None or not self.list:
            return
        changed = False
        try:
            found = await watcher.round()
        except ApiError as exc:
            log.info("watch round failed: %s", exc.one_line())
        else:
            self.rounds += 1
            changed = found.changed
            if found.images:
                self.post_message(self.Updated(found.images))
            if found.settled:
                self.post_message(self.Settled(found.settled))
            if found.gone:
                self.post_message(self.Gone(found.gone))
        if watcher is self.watcher:
            self._schedule(self.timer.after_round(changed))
