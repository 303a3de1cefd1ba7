"""The one timer of a widget that polls in rounds: the next round waits ``Backoff.first`` after a round that saw
a change and longer after each quiet one (``api.watch.Backoff``). The live watch of images (``image_watch``) and
the IMS jobs (``job_watch``) both poll this way; each decides itself whether there is anything to poll."""

from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer
from textual.widget import Widget

from ims_tui.api.watch import Backoff


class RoundTimer:
    def __init__(self, widget: Widget, name: str, backoff: Backoff | None = None) -> None:
        self.widget = widget
        self.name = name
        self.backoff = backoff or Backoff()
        self.delay: float | None = None  # the wait after the last round; None: start over at ``first``
        self._timer: Timer | None = None

    @property
    def pending(self) -> bool:
        """A next round is set."""
        return self._timer is not None

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def start_over(self) -> float:
        """Something new to poll: the next wait is the first one again."""
        self.delay = None
        return self.backoff.first

    def after_round(self, changed: bool) -> float:
        """The wait before the next round, after one that did or did not see a change."""
        self.delay = self.backoff.after(self.delay, changed=changed)
        return self.delay

    def set(self, delay: float, callback: Callable[[], object]) -> None:
        self.cancel()
        self._timer = self.widget.set_timer(max(delay, 0.01), callback, name=self.name)  # Textual divides by it
