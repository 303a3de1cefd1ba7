"""How far a transfer has come, as a small frozen value, and the pure throttle and rate math behind it.

A transfer of 1 GiB passes ~1,000 chunks of 1 MiB (or 65,000 of httpx's 16 KiB on a download): a status line
repainted for each would cost far more over SSH than the transfer itself is worth watching. ``ProgressMeter``
turns bytes into at most one ``Progress`` per ``interval`` (0.25 s: four a second), plus the last one, and
computes the rate over a sliding window so a stall shows within seconds and a burst does not swing the estimate.
Time is passed in (``now``), so every rule here is tested without a clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

Phase = Literal["hashing", "sending", "receiving", "verifying", "done"]
REPORT_INTERVAL = 0.25  # seconds between two reports: four a second at most
RATE_WINDOW = 5.0  # seconds of samples the rate is measured over
MIN_SPAN = 0.1  # a rate over less time is noise (a burst into a socket buffer): none is given yet


@dataclass(frozen=True)
class Progress:
    """A transfer's state: ``done`` of ``total`` bytes (``total`` None when unknown), ``rate`` in bytes per
    second over the last few seconds (0.0 before two samples), ``seconds_left`` (None when it cannot be known:
    no total, or no rate yet). ``phase``: what the transfer is doing now; "hashing" is reading back what an
    interrupted download already wrote, "verifying" reading the local file again for a hash the server chose."""

    done: int
    total: int | None
    rate: float = 0.0
    seconds_left: float | None = None
    phase: Phase = "sending"

    @property
    def fraction(self) -> float | None:
        """0.0 to 1.0, or None without a total (an empty transfer is complete)."""
        if self.total is None:
            return None
        if self.total <= 0:
            return 1.0
        return min(1.0, self.done / self.total)

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded down so 100 means done (never shown while a byte is missing)."""
        fraction = self.fraction
        return None if fraction is None else int(fraction * 100)


def rate_of(samples: tuple[tuple[float, int], ...] | list[tuple[float, int]]) -> float:
    """Bytes per second between the first and last ``(time, bytes done)`` sample; 0.0 until they are
    ``MIN_SPAN`` apart."""
    if len(samples) < 2:
        return 0.0
    (t0, b0), (t1, b1) = samples[0], samples[-1]
    elapsed = t1 - t0
    if elapsed < MIN_SPAN or b1 <= b0:
        return 0.0
    return (b1 - b0) / elapsed


def seconds_left(done: int, total: int | None, rate: float) -> float | None:
    """Time to finish at ``rate``; 0.0 when done, None when unknowable (no total, no rate)."""
    if total is None:
        return None
    remaining = total - done
    if remaining <= 0:
        return 0.0
    if rate <= 0:
        return None
    return remaining / rate


class ProgressMeter:
    """Counts bytes and says when a report is due. Invariants: ``done`` never goes down (but
    by ``restart``); two reports from
    ``advance`` are at least ``interval`` apart; ``finish`` always reports.

    ``start``: bytes already there before this transfer (a resumed download): they count in ``done`` but not
    in the rate.
    """

    def __init__(
        self,
        total: int | None,
        now: float,
        *,
        start: int = 0,
        phase: Phase = "sending",
        interval: float = REPORT_INTERVAL,
        window: float = RATE_WINDOW,
    ) -> None:
        self.total = total
        self.done = start
        self.phase: Phase = phase
        self.interval = interval
        self.window = window
        self._samples: deque[tuple[float, int]] = deque([(now, start)])
        self._last_report: float | None = None

    def advance(self, count: int, now: float) -> Progress | None:
        """``count`` more bytes at time ``now``: a ``Progress`` when one is due, else None."""
        if count < 0:
            raise ValueError("a transfer cannot lose bytes")
        self.done += count
        self._sample(now)
        if self._last_report is not None and now - self._last_report < self.interval:
            return None
        self._last_report = now
        return self.snapshot()

    def set_phase(self, phase: Phase, now: float) -> Progress:
        """A new phase is always reported at once (it changes what the line says), and its rate is its own:
        reading back a partial file at disk speed must not inflate the network's rate."""
        self.phase = phase
        self._last_report = now
        self._samples = deque([(now, self.done)])
        return self.snapshot()

    def restart(self, done: int, now: float) -> None:
        """Start counting again from ``done`` (a download the server restarts from the first byte)."""
        self.done = done
        self._samples = deque([(now, done)])

    def finish(self, now: float) -> Progress:
        self._sample(now)
        self._last_report = now
        self.phase = "done"
        return self.snapshot()

    def snapshot(self) -> Progress:
        rate = rate_of(list(self._samples))
        return Progress(self.done, self.total, rate, seconds_left(self.done, self.total, rate), self.phase)

    def _sample(self, now: float) -> None:
        samples = self._samples
        if samples and now < samples[-1][0]:
            now = samples[-1][0]  # a clock that steps back must not make a negative rate
        samples.append((now, self.done))
        # keep one sample older than the window, so the rate always spans about ``window`` seconds
        while len(samples) > 2 and now - samples[1][0] >= self.window:
            samples.popleft()
